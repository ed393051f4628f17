"""Admins manage users, teams and product lines."""

from __future__ import annotations

from sqlalchemy import select

from coachflow.accounts.models import ProductLine, Role, Team, User
from coachflow.platform.audit import AuditEvent
from coachflow.platform.extensions import db
from tests.helpers import csrf_token, link_in, sign_in


def post(client, path: str, data: dict, form_path: str | None = None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_path or path)})


def test_admin_creates_a_user_who_gets_an_invitation_and_signs_in(app, as_role, org, mailbox):
    admin = as_role("admin")
    response = post(
        admin,
        "/admin/users/new",
        {
            "name": "Zoé Laurent",
            "email": "Zoe.Laurent@example.com",
            "role": "rep",
            "team_id": str(org.team),
            "language": "fr",
        },
    )
    assert response.status_code == 302
    [message] = mailbox.to("zoe.laurent@example.com")
    assert message["Subject"] == "Votre compte CoachFlow"
    newcomer = app.test_client()
    opened = newcomer.get(link_in(message))
    post(newcomer, opened.location, {"password": "bienvenue à bord", "confirm": "bienvenue à bord"})
    assert sign_in(newcomer, "zoe.laurent@example.com", "bienvenue à bord").status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "zoe.laurent@example.com"))
        assert (user.role, user.team_id, user.language) == (Role.REP, org.team, "fr")
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.subject == user.email))


def test_a_duplicate_email_is_refused_beside_the_field(as_role, org):
    response = post(
        as_role("admin"),
        "/admin/users/new",
        {
            "name": "Copy",
            "email": "REP@example.com",
            "role": "rep",
            "team_id": "",
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert b"Another user already has this email address." in response.data


def test_a_malformed_email_is_refused(as_role, org):
    response = post(
        as_role("admin"),
        "/admin/users/new",
        {
            "name": "X",
            "email": "not-an-email",
            "role": "rep",
            "team_id": "",
            "language": "en",
        },
    )
    assert "“not-an-email” is not an email address." in response.get_data(as_text=True)


def test_admin_changes_a_role_and_team(app, as_role, org):
    response = post(
        as_role("admin"),
        f"/admin/users/{org.rep}",
        {
            "name": "Rep Moved",
            "email": "rep@example.com",
            "role": "rep",
            "team_id": str(org.other_team),
            "language": "de",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, org.rep)
        assert (user.name, user.team_id, user.language) == ("Rep Moved", org.other_team, "de")


def test_admin_cannot_demote_or_deactivate_themselves(app, as_role, org):
    admin = as_role("admin")
    response = post(
        admin,
        f"/admin/users/{org.admin}",
        {
            "name": "Admin",
            "email": "admin@example.com",
            "role": "hr",
            "team_id": "",
            "language": "en",
        },
    )
    assert b"You cannot take away your own admin role." in response.data
    response = post(
        admin, f"/admin/users/{org.admin}/deactivate", {}, form_path=f"/admin/users/{org.admin}"
    )
    assert b"You cannot deactivate your own account." in admin.get(response.location).data
    with app.app_context():
        assert db.session.get(User, org.admin).role is Role.ADMIN
        assert db.session.get(User, org.admin).active


def test_deactivate_and_reactivate_a_user(app, as_role, org):
    admin = as_role("admin")
    post(admin, f"/admin/users/{org.rep}/deactivate", {}, form_path=f"/admin/users/{org.rep}")
    with app.app_context():
        assert not db.session.get(User, org.rep).active
    listing = admin.get("/admin/users?status=inactive")
    assert b"rep@example.com" in listing.data
    post(admin, f"/admin/users/{org.rep}/reactivate", {}, form_path=f"/admin/users/{org.rep}")
    with app.app_context():
        assert db.session.get(User, org.rep).active


def test_user_list_filters_and_paginates(app, as_role, org):
    app.config["PAGE_SIZE"] = 2
    admin = as_role("admin")
    page = admin.get("/admin/users?role=manager")
    assert b"manager@example.com" in page.data
    assert b"rep@example.com" not in page.data
    first = admin.get("/admin/users?status=all")
    assert b"Page 1 of 3" in first.data
    assert b'rel="next"' in first.data
    assert b"hr@example.com" in admin.get("/admin/users?q=HR%40").data


def test_team_needs_an_active_manager(app, as_role, org):
    admin = as_role("admin")
    response = post(
        admin,
        "/admin/teams/new",
        {
            "name": "West",
            "territory": "NRW",
            "manager_id": str(org.rep),
        },
    )
    assert b"Not a valid choice." in response.data
    response = post(
        admin,
        "/admin/teams/new",
        {
            "name": "west ",
            "territory": "NRW",
            "manager_id": str(org.manager),
        },
    )
    assert response.status_code == 302
    response = post(admin, "/admin/teams/new", {"name": "WEST", "territory": "", "manager_id": ""})
    assert b"A team with this name already exists." in response.data
    with app.app_context():
        team = db.session.scalar(select(Team).where(Team.name == "west"))
        assert team.manager_id == org.manager


def test_a_manager_demoted_to_rep_no_longer_leads_the_team(app, as_role, org):
    post(
        as_role("admin"),
        f"/admin/users/{org.manager}",
        {
            "name": "Former Manager",
            "email": "manager@example.com",
            "role": "rep",
            "team_id": str(org.team),
            "language": "en",
        },
    )
    with app.app_context():
        assert db.session.get(Team, org.team).manager_id is None


def test_product_lines_are_unique_by_code_and_name(app, as_role, org):
    admin = as_role("admin")
    response = post(admin, "/admin/product-lines", {"code": "hw", "name": "Other", "active": "y"})
    assert b"A product line with this code already exists." in response.data
    response = post(
        admin, "/admin/product-lines", {"code": "sw", "name": "Software", "active": "y"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(select(ProductLine.code).where(ProductLine.name == "Software"))
            == "SW"
        )
    response = post(
        admin, f"/admin/product-lines/{org.product_line}/edit", {"code": "HW", "name": "Hardware"}
    )
    with app.app_context():
        assert not db.session.get(ProductLine, org.product_line).active


def test_audit_log_lists_admin_changes(as_role, org):
    admin = as_role("admin")
    post(admin, "/admin/product-lines", {"code": "SVC", "name": "Services", "active": "y"})
    page = admin.get("/admin/audit")
    assert b"Product line saved" in page.data
    assert b"product_line.saved" not in page.data
    assert b"Code: SVC" in page.data
    assert b"Active: yes" in page.data
    assert b"Services" in page.data

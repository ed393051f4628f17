"""The demo seed and the admin bootstrap command."""

from __future__ import annotations

from sqlalchemy import func, select

from coachflow.accounts.models import ProductLine, Role, Team, User
from coachflow.platform.extensions import db
from tests.helpers import sign_in


def test_seed_demo_prints_the_logins_and_they_work(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--reps", "12", "--seed", "3"])
    assert result.exit_code == 0, result.output
    for email in ("admin@example.com", "hr@example.com", "manager@example.com", "rep@example.com"):
        assert email in result.output
    assert "coachflow-demo" in result.output
    with app.app_context():
        counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
        # The pulse demo adds "Inside Sales": a manager and four reps.
        assert counts == {Role.ADMIN: 1, Role.HR: 1, Role.MANAGER: 3, Role.REP: 16}
        assert db.session.scalar(select(func.count()).select_from(Team)) == 3
        assert set(db.session.scalars(select(ProductLine.name))) == {
            "Hardware",
            "Software",
            "Services",
        }
        rep = db.session.scalar(select(User).where(User.email == "rep@example.com"))
        assert rep.team.manager.email == "manager@example.com"
    for email in ("admin@example.com", "rep@example.com"):
        assert sign_in(app.test_client(), email, "coachflow-demo").status_code == 302


def test_seed_demo_is_deterministic_for_a_seed(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo", "--reps", "8", "--seed", "11"])
    with app.app_context():
        first = list(db.session.scalars(select(User.email).order_by(User.id)))
        # Every domain's demo data, children first, then the people and teams themselves.
        db.session.execute(db.update(Team).values(manager_id=None))
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in ("alembic_version", "scheduler_leases"):
                db.session.execute(table.delete())
        db.session.commit()
    runner.invoke(args=["seed-demo", "--reps", "8", "--seed", "11"])
    with app.app_context():
        assert list(db.session.scalars(select(User.email).order_by(User.id))) == first


def test_seed_demo_if_empty_leaves_a_used_database_alone(app, org):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "already has data" in result.output
    refused = app.test_cli_runner().invoke(args=["seed-demo"])
    assert refused.exit_code != 0


def test_create_admin_command(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "--email", "Boss@Example.com", "--name", "Boss"],
        input="a long admin password\na long admin password\n",
    )
    assert result.exit_code == 0, result.output
    assert (
        sign_in(app.test_client(), "boss@example.com", "a long admin password").status_code == 302
    )
    again = app.test_cli_runner().invoke(
        args=["users", "create-admin", "--email", "boss@example.com"],
        input="a long admin password\na long admin password\n",
    )
    assert again.exit_code != 0
    assert "already has this email" in again.output


def test_the_demo_logins_read_the_browsers_language_until_they_choose_one(app):
    app.test_cli_runner().invoke(args=["seed-demo", "--reps", "6", "--seed", "3"])
    for email in ("admin@example.com", "hr@example.com", "manager@example.com", "rep@example.com"):
        client = app.test_client()
        sign_in(client, email, "coachflow-demo")
        for language in ("en", "de", "fr"):
            home = client.get("/", headers={"Accept-Language": language}).get_data(as_text=True)
            assert f'<html lang="{language}">' in home, (email, language)
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.email == "manager@example.com"))
        manager.language = "de"  # chosen on the account page
        db.session.commit()
    client = app.test_client()
    sign_in(client, "manager@example.com", "coachflow-demo")
    home = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="de">' in home


def test_demo_teams_have_names_that_read_the_same_in_every_language(app):
    from coachflow.accounts.demo import seed_org

    with app.app_context():
        teams = {team.name for team in seed_org(reps=48, seed=3).teams}
    assert teams == {
        "Hamburg",
        "Paris",
        "Stuttgart",
        "Lyon",
        "Manchester",
        "Amsterdam",
        "Düsseldorf",
        "Marseille",
    }

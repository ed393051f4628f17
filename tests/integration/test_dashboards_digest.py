"""The weekly digest: one mail on Monday, in the recipient's language, unless switched off."""

from __future__ import annotations

import datetime

from coachflow.accounts.models import User
from coachflow.dashboards import services
from coachflow.platform.extensions import db
from coachflow.platform.jobs import periodic
from tests.dashboard_factories import quarter_quota, this_quarter, won_deal

MONDAY = this_quarter().start + datetime.timedelta(days=(7 - this_quarter().start.weekday()) % 7)


def _to(mailbox, address: str) -> list:
    """Messages to exactly ``address`` (``rep@`` is also inside ``other.rep@``)."""
    return [m for m in mailbox.to(address) if m["To"].addresses[0].addr_spec == address]


def _body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_the_digest_arrives_in_german_for_a_german_rep(app, org, mailbox):
    with app.app_context():
        rep = db.session.get(User, org.rep)
        rep.language = "de"
        quarter_quota(org.rep, org.product_line, 100_000)
        won_deal(org.rep, org.product_line, 40_000, day=this_quarter().start)
        db.session.commit()
        sent = services.send_weekly_digests(MONDAY)
    assert sent == 6  # everyone of the org with a password
    [message] = _to(mailbox, "rep@example.com")
    assert message["Subject"] == "Ihre Woche in CoachFlow"
    text = _body(message)
    assert "Guten Tag" in text
    assert "Sie haben 40.000" in text
    assert "Prognose" in text
    assert "http://" in text
    assert "/account" in text
    html = message.get_body(("html",)).get_content()
    assert 'lang="de"' in html


def test_a_manager_digest_lists_who_needs_attention(app, org, mailbox):
    with app.app_context():
        quarter_quota(org.rep, org.product_line, 10_000_000)
        won_deal(org.rep, org.product_line, 100, day=this_quarter().start)
        rep_name = db.session.get(User, org.rep).name
        db.session.commit()
        services.send_weekly_digests(MONDAY)
    [message] = _to(mailbox, "manager@example.com")
    text = _body(message)
    assert "Needs your attention" in text
    assert f"{rep_name}: behind pace" in text
    assert "follow-up" not in text  # none overdue


def test_one_digest_a_week_and_none_for_who_switched_it_off(app, org, mailbox):
    with app.app_context():
        services.set_digest(db.session.get(User, org.hr), False)
        assert services.send_weekly_digests(MONDAY) == 5
        assert services.send_weekly_digests(MONDAY) == 0  # the same Monday: already sent
        assert services.send_weekly_digests(MONDAY + datetime.timedelta(days=1)) == 0  # Tuesday
    assert mailbox.to("hr@example.com") == []
    assert len(_to(mailbox, "rep@example.com")) == 1
    with app.app_context():
        assert services.send_weekly_digests(MONDAY + datetime.timedelta(days=7)) == 5


def test_the_digest_runs_as_a_periodic_job(app):
    assert services.SEND_DIGESTS in periodic(app)

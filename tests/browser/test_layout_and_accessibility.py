"""Every page kind, as each role, on a laptop (1280 px) and a phone (390 px): nothing scrolls
sideways and axe-core finds nothing serious or critical.

The pages come from the app's GET routes: those without URL arguments as they are, the others
with one record each from a small organisation that has teams, reps, deals, quotas, surveys with
answers and imports, so that every table has rows. Who may open a page is read from the route
matrix; pages that everybody may open (the sign-in and survey-answer pages) are visited signed out.
axe-core comes from ``tests/browser/node_modules`` (``make axe`` installs the pinned version).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, url_for
from playwright.sync_api import Browser, BrowserContext, Page

from coachflow.accounts import services as account_services
from coachflow.accounts.models import Role, User
from coachflow.lib.periods import Period, PeriodKind
from coachflow.platform import audit
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import QuestionType, Survey, SurveyKind, SurveyStatus
from coachflow.sales.models import DealStage, ImportKind, ImportRun, ImportStatus, SuppressionReason
from coachflow.sales.records import Problem
from coachflow.sales.services.suppression import suppress
from coachflow.surveys.models import AdhocSend
from tests.conftest import Org
from tests.factories import PASSWORD, ProductLineFactory, TeamFactory, UserFactory
from tests.followup_factories import followup_pages
from tests.integration.coaching_data import coaching_pages
from tests.integration.routes.scorecards import _export as scorecard_export
from tests.integration.test_api_support import issue_token
from tests.integration.test_route_matrix import MATRIX
from tests.integration.test_route_matrix import ROLES as MATRIX_ROLES
from tests.integration.test_sales_pages import add_deal, add_quota
from tests.integration.test_surveys_distribution_support import customer, person
from tests.integration.test_surveys_results import (
    RATING_QUESTION,
    _days_ago,
    answer,
    build_handmade,
)
from tests.pulse_factories import start as start_pulse
from tests.pulse_factories import token_for as pulse_token_for
from tests.survey_factories import COMMENT_QUESTION, make_invitation, make_survey

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {
    "laptop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
ROLES = ("anonymous", "rep", "manager", "hr", "admin")
# GET routes that answer with no page of their own.
NOT_PAGES = {
    "static": "files",
    "health.healthz": "a probe",
    "health.ping": "a probe",
    "survey_results.export": "a CSV file",
    "sales_imports.progress_json": "JSON for the progress bar",
    "survey_sending.invitations_progress": "JSON for the progress bar",
    "branding.logo": "an image",
    "pulse.export": "a CSV file",
    "coaching.session_ics": "a calendar file",
    "scorecards.pdf": "a PDF file",
    "scorecard_admin.export_zip": "a ZIP file",
    "scorecard_admin.export_progress": "JSON for the progress bar",
}
LAPTOP = 1280  # from this width on, every table shows all its columns without scrolling
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""
MEASURE = """() => {
  const name = el => el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + el.className;
  const scrolls = el => el.scrollWidth > el.clientWidth + 1;
  const boxes = [...document.querySelectorAll('main *')].filter(el =>
    ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && scrolls(el));
  return {
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    cut: boxes.filter(el => el.querySelector('table'))
      .map(el => el.getAttribute('aria-label') || name(el)),
    unnamed: boxes.filter(el => el.tabIndex < 0 || !(el.getAttribute('aria-label')
      || el.getAttribute('aria-labelledby') || el.querySelector(':scope > figcaption'))).map(name),
  };
}"""


def page_endpoints(app: Flask) -> list[str]:
    """The endpoints of every HTML page a browser can GET."""
    return sorted(
        {
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods
            and rule.endpoint not in NOT_PAGES
            and not rule.endpoint.startswith("api.")
        }
    )


def allowed(endpoint: str, role: str) -> bool:
    """Whether ``role`` opens ``endpoint`` in the route matrix; pages open to everyone count
    for the signed-out visitor only."""
    outcomes = MATRIX[endpoint][0]
    if outcomes == "A" * len(MATRIX_ROLES):
        return role == "anonymous"
    return outcomes[MATRIX_ROLES.index(role)] == "A"


def seed(app: Flask, org: Org) -> dict[str, dict[str, object]]:
    """A small organisation with something in every table; returns URL arguments by endpoint."""
    results = build_handmade(app, org)  # an NPS survey with answers about both teams' reps
    with app.app_context():
        today = utcnow().date()
        quarter = Period.containing(today, PeriodKind.QUARTER)
        lines = [org.product_line] + [
            ProductLineFactory(code=code, name=name).id
            for code, name in (("SW", "Software"), ("SVC", "Services"))
        ]
        east = TeamFactory(name="East", manager=db.session.get(User, org.manager))
        reps = [org.rep, org.other_rep] + [
            UserFactory(role=Role.REP, team=team).id
            for team in (
                db.session.get(User, org.rep).team,
                db.session.get(User, org.other_rep).team,
                east,
            )
        ]
        accounts, deals = [], [0]
        for n, rep_id in enumerate(reps):
            account = customer(rep_id, f"CRAWL-{n}", f"Kundenbetreuung Nord-West {n} GmbH")
            person(account, f"buyer{n}@kunde.example", name=f"Berta Buyer {n}")
            accounts.append(account)
            for m, line in enumerate(lines):  # amounts as large as a real quarter's
                closed = min(today, quarter.start + datetime.timedelta(days=7 * m + n))
                add_deal(deals, account, rep_id, line, 1_234_567, DealStage.WON, closed, 345_678)
                add_quota(rep_id, line, PeriodKind.QUARTER, quarter.start, 1_500_000, bookings=12)

        csat = make_survey(
            kind=SurveyKind.CUSTOMER_CSAT,
            owner_id=org.manager,
            name="CSAT after a closed deal",
            questions=[
                (QuestionType.RATING, RATING_QUESTION, True),
                (QuestionType.TEXT, COMMENT_QUESTION, False),
            ],
        )
        for n, rating in enumerate([5, 4, 4, 3, 5, 2]):
            answer(
                app,
                csat,
                rep_id=org.rep,
                team_id=db.session.get(User, org.rep).team_id,
                scores={QuestionType.RATING: rating, QuestionType.TEXT: "On time, well packed."},
                at=_days_ago(n + 2),
            )
        make_survey(owner_id=org.manager, name="Pulse draft", status=SurveyStatus.DRAFT)
        _invitation, token = make_invitation(
            app, csat, email="buyer0@kunde.example", rep_id=org.rep, team_id=org.team
        )
        db.session.add(
            AdhocSend(
                survey_id=results.survey,
                rep_id=org.rep,
                requested_by_id=org.manager,
                addresses=["lead@prospect.example", "second.lead@prospect.example"],
            )
        )
        uploaded = ImportRun(
            kind=ImportKind.DEALS,
            status=ImportStatus.UPLOADED,
            filename="deals-export-2026.csv",
            header=["Opportunity ID", "Account", "Owner", "Amount", "Close Date", "Stage"],
        )
        rejected = ImportRun(
            kind=ImportKind.ACCOUNTS,
            status=ImportStatus.REJECTED,
            filename="accounts.csv",
            header=["external_id", "name"],
            columns={"external_id": "external_id", "name": "name"},
            rows_done=3,
            problem_count=1,
            problems=[Problem(3, "name", "This value is required.").as_dict()],
        )
        db.session.add_all([uploaded, rejected])
        admin = db.session.get(User, org.admin)
        suppress("erased@kunde.example", reason=SuppressionReason.ERASURE, by=admin)
        audit.record(admin, "user.role_changed", "rep@example.com", "rep → manager")
        reset = account_services._issue_token(db.session.get(User, org.rep), datetime.timedelta(1))
        db.session.commit()
        first_question = db.session.get(Survey, results.survey).current_version.questions[0]
        survey = {"survey_id": results.survey}
        args: dict[str, dict[str, object]] = {
            "accounts.team": {"team_id": org.team},
            "accounts.edit_team": {"team_id": org.team},
            "accounts.edit_user": {"user_id": org.other_rep},
            "accounts.edit_product_line": {"line_id": org.product_line},
            "sales.rep": {"rep_id": org.rep},
            "sales.account": {"account_id": accounts[0].id},
            "sales_imports.columns": {"run_id": uploaded.id},
            "sales_imports.show": {"run_id": rejected.id},
            "surveys.edit": survey,
            "surveys.preview": survey,
            "surveys.edit_question": {**survey, "question_id": first_question.id},
            "survey_sending.send": survey,
            "survey_sending.invitations": survey,
            "survey_results.survey": survey,
            "public.answer": {"token": token},
            "public.thanks": {"token": token},
            "public.unsubscribe": {"token": token},
            "auth.reset_link": {"token": reset},
            "dashboards.team": {"team_id": org.team},
        }
        pulse_round = start_pulse(org.manager, [org.team])
        pulse_token = pulse_token_for(pulse_round.id, org.rep)
        args.update(
            {
                "pulse.round_results": {"round_id": pulse_round.id},
                "pulse.trend": {"pulse_id": pulse_round.pulse_id},
                "pulse_answer.answer": {"token": pulse_token},
                "pulse_answer.thanks": {"token": pulse_token},
            }
        )
    issue_token(app, org.hr, name="CRM nightly sync")
    args.update(followup_pages(app, org))
    args.update(coaching_pages(app, org))
    args.update(
        {
            "scorecards.rep": {"rep_id": org.rep},
            "scorecards.team": {"team_id": org.team},
            "scorecard_admin.export": {"export_id": scorecard_export(app, org, {})},
        }
    )
    return args


def urls(app: Flask, role: str, args: dict[str, dict[str, object]]) -> list[str]:
    """Every page ``role`` may open, plus the pages of a state rather than a route. A new page
    with URL arguments and none here fails to build; one missing from the matrix, to look up."""
    with app.test_request_context():
        found = [
            url_for(endpoint, **args.get(endpoint, {}))
            for endpoint in page_endpoints(app)
            if allowed(endpoint, role)
        ]
    if role == "anonymous":
        found.append("/s/not-a-valid-link")  # the page for a broken survey link
    else:
        found.append("/teams/999999")  # the "not found" page
    return found


@pytest.fixture
def crawl_context(browser: Browser, live_server: str, width: str) -> Iterator[BrowserContext]:
    """A context with axe-core in every page; the app's CSP would refuse the injected script."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make axe`")
    context = browser.new_context(base_url=live_server, bypass_csp=True, **WIDTHS[width])
    context.add_init_script(path=AXE)
    yield context
    context.close()


def sign_in(page: Page, role: str) -> None:
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(f"{role}@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/login" not in url)


def problems_on(page: Page, url: str, width: int) -> list[str]:
    """What is wrong with the page at ``url``: no page, sideways scrolling of the page, a table cut
    off on a laptop, a scrolling box that the keyboard cannot reach or that has no name, and
    axe-core's serious and critical findings."""
    response = page.goto(url)
    found = []
    expected = 404 if url.startswith(("/teams/999999", "/s/not-")) else 200
    if response is None or response.status != expected:
        found.append(f"{url}: status {response.status if response else None}")
    size = page.evaluate(MEASURE)
    if size["scroll"] > min(size["client"], width):
        found.append(f"{url} ({page.url}): {size['scroll']} px wide in a {width} px window")
    if width >= LAPTOP and size["cut"]:
        found.append(f"{url}: tables cut off at {width} px: {', '.join(size['cut'])}")
    if size["unnamed"]:
        found.append(f"{url}: boxes that scroll without focus or a name: {size['unnamed']}")
    for finding in page.evaluate(RUN_AXE):
        found.append(
            f"{url}: {finding['impact']} {finding['id']} ({finding['help']}) at "
            + "; ".join(finding["targets"])
        )
    return found


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_or_has_a_serious_accessibility_finding(
    app, org, crawl_context, role, width
):
    args = seed(app, org)
    page = crawl_context.new_page()
    if role != "anonymous":
        sign_in(page, role)
    pixels = WIDTHS[width]["viewport"]["width"]
    visited = urls(app, role, args)
    problems = [problem for url in visited for problem in problems_on(page, url, pixels)]
    assert len(visited) >= 5
    assert not problems, f"{role} at {pixels} px:\n" + "\n".join(problems)

"""The sales pages as each role sees them, on a small data set whose figures are worked by hand.

Q2 2026, team North (rep): Hardware quota 3 × 10,000 monthly = 30,000; Software quota 20,000
for the quarter (its monthly quotas of 5,000 are ignored in a quarter view: the coarser quota
wins). Won: Hardware 12,000 (Apr, repeat) + 9,000 (Jun 30, new) = 21,000 → 70%; Software
15,000 (May, repeat) → 75%; blended 36,000 / 50,000 = 72%. Margin 1,800 + 1,350 + 10,500 =
13,650 / 36,000 = 37.9%. Repeat business 27,000 / 36,000 = 75%. A lost deal, an open one and
a won deal on 1 July do not count.

Team South (other_rep): Hardware quarterly quota 40,000 and a yearly quota of 160,000; won
50,000 at 5,000 margin from a new account → 125%, 10% margin, no repeat business.
"""

from __future__ import annotations

import datetime
import html as html_lib
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from coachflow.accounts.models import ProductLine, Role, Team, User
from coachflow.accounts.policy import visible_sellers
from coachflow.lib.periods import PeriodKind, parse_period
from coachflow.platform.extensions import db
from coachflow.sales import queries
from coachflow.sales.models import Contact, CustomerAccount, Deal, DealStage, Quota
from tests.conftest import login
from tests.factories import ProductLineFactory, TeamFactory, UserFactory
from tests.integration.test_query_counts import counting_queries

D = datetime.date
WON, LOST, OPEN = DealStage.WON, DealStage.LOST, DealStage.OPEN


@dataclass(frozen=True)
class Sales:
    hardware: int
    software: int
    account_a: int  # rep's, bought in January and twice in Q2
    account_b: int  # rep's, first bought on 30 June
    account_d: int  # other_rep's


def _eur(amount: int) -> int:
    return amount * 100


def add_deal(
    n: list[int],
    account: CustomerAccount,
    rep_id: int,
    line: int,
    amount: int,
    stage: DealStage,
    closed_on: D | None,
    margin: int | None = None,
) -> None:
    n[0] += 1
    db.session.add(
        Deal(
            external_id=f"D{n[0]}",
            account_id=account.id,
            rep_id=rep_id,
            product_line_id=line,
            amount_minor=_eur(amount),
            margin_minor=None if margin is None else _eur(margin),
            currency="EUR",
            stage=stage,
            closed_on=closed_on,
        )
    )


def add_quota(
    rep_id: int, line: int, kind: PeriodKind, start: D, revenue: int, bookings: int = 0
) -> None:
    db.session.add(
        Quota(
            rep_id=rep_id,
            product_line_id=line,
            period_kind=kind,
            period_start=start,
            currency="EUR",
            revenue_target_minor=_eur(revenue),
            margin_target_minor=0,
            bookings_target=bookings,
            estimates_target=3 * bookings,
        )
    )


@pytest.fixture
def sales(app, org) -> Sales:
    with app.app_context():
        software = ProductLineFactory(code="SW", name="Software")
        hw, sw = org.product_line, software.id
        a = CustomerAccount(
            external_id="A", name="Alpha GmbH", owner_id=org.rep, territory="Hamburg"
        )
        b = CustomerAccount(external_id="B", name="Beta AG", owner_id=org.rep)
        d = CustomerAccount(external_id="D", name="Delta SARL", owner_id=org.other_rep)
        db.session.add_all([a, b, d])
        db.session.flush()
        db.session.add_all(
            [
                Contact(
                    account_id=a.id, name="Ute Buyer", email="ute@alpha-gmbh.example", language="de"
                ),
                Contact(
                    account_id=a.id,
                    name="Otto Opted",
                    email="otto@alpha-gmbh.example",
                    language="de",
                    opted_out_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
                ),
            ]
        )
        n = [0]
        add_deal(n, a, org.rep, hw, 5_000, WON, D(2026, 1, 15), 750)
        add_deal(n, a, org.rep, hw, 12_000, WON, D(2026, 4, 10), 1_800)
        add_deal(n, a, org.rep, sw, 15_000, WON, D(2026, 5, 20), 10_500)
        add_deal(n, b, org.rep, hw, 50_000, LOST, D(2026, 5, 5))
        add_deal(n, b, org.rep, hw, 9_000, WON, D(2026, 6, 30), 1_350)
        add_deal(n, b, org.rep, sw, 40_000, OPEN, None)
        add_deal(n, b, org.rep, hw, 99_000, WON, D(2026, 7, 1), 9_900)
        add_deal(n, d, org.other_rep, hw, 50_000, WON, D(2026, 5, 10), 5_000)
        for month in (4, 5, 6):
            add_quota(org.rep, hw, PeriodKind.MONTH, D(2026, month, 1), 10_000, bookings=1)
            add_quota(org.rep, sw, PeriodKind.MONTH, D(2026, month, 1), 5_000)
        add_quota(org.rep, sw, PeriodKind.QUARTER, D(2026, 4, 1), 20_000, bookings=2)
        add_quota(org.other_rep, hw, PeriodKind.QUARTER, D(2026, 4, 1), 40_000)
        add_quota(org.other_rep, hw, PeriodKind.YEAR, D(2026, 1, 1), 160_000)
        db.session.commit()
        return Sales(hw, sw, a.id, b.id, d.id)


def _clean(markup: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))).strip()


def text(response) -> str:
    """The page as a reader sees it: tags stripped, whitespace collapsed."""
    return _clean(
        re.sub(r"<(script|svg)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    )


def rows(response) -> list[list[str]]:
    """Every table row of the page, as the text of its cells."""
    return [
        [_clean(cell) for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", tr, flags=re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", response.get_data(as_text=True), flags=re.S)
    ]


def row(response, first: str) -> list[str]:
    """The cells after the first of the first row that starts with ``first``."""
    found = [cells[1:] for cells in rows(response) if cells and cells[0] == first]
    assert found, f"no row for {first!r}"
    return found[0]


def cells(values: list[str]) -> str:
    return " | ".join(values)


@pytest.fixture
def names(app, org) -> dict[str, str]:
    with app.app_context():
        return {
            role: db.session.get(User, getattr(org, role)).name
            for role in ("rep", "other_rep", "manager")
        }


Q2 = "/sales?period=2026-Q2"


# What each role sees ---------------------------------------------------------------------------


def test_manager_sees_their_reps_attainment_margin_and_repeat_share(as_role, sales, names):
    response = as_role("manager").get(Q2)
    # Team; Hardware, Software and blended attainment; revenue, quota, margin %, bookings, repeat.
    assert (
        cells(row(response, names["rep"]))
        == "North | 70% | 75% | 72% | €36,000 | €50,000 | 38% | 3 | 75%"
    )
    page = text(response)
    assert names["other_rep"] not in page
    assert "Delta SARL" not in page


def test_hr_sees_every_team_and_the_totals(as_role, sales, names):
    response = as_role("hr").get(Q2)
    assert (
        cells(row(response, names["other_rep"]))
        == "South | 125% | — | 125% | €50,000 | €40,000 | 10% | 1 | 0%"
    )
    # Totals: 86,000 won of 90,000 quota.
    assert "96% quota attainment €86,000 won revenue of €90,000 quota" in text(response)
    # Teams: reps; Hardware, Software, blended; revenue, quota, margin %, bookings, repeat.
    assert (
        cells(row(response, "North")) == "1 | 70% | 75% | 72% | €36,000 | €50,000 | 38% | 3 | 75%"
    )
    assert cells(row(response, "South")) == "1 | 125% | — | 125% | €50,000 | €40,000 | 10% | 1 | 0%"


def test_a_rep_is_sent_to_their_own_page_with_the_same_filters(as_role, org):
    response = as_role("rep").get(Q2)
    assert response.status_code == 302
    assert response.location.endswith(f"/sales/reps/{org.rep}?period=2026-Q2")


def test_reps_own_page_shows_their_lines_and_accounts_but_nobody_elses(as_role, sales, org, names):
    response = as_role("rep").get(f"/sales/reps/{org.rep}?period=2026-Q2")
    page = text(response)
    assert "Your sales" in page
    # Revenue, quota, attainment, margin, margin %, margin target, bookings / target,
    # estimates target, repeat business.
    assert (
        cells(row(response, "Hardware"))
        == "€21,000 | €30,000 | 70% | €3,150 | 15% | €0 | 2 / 3 | 9 | 57%"
    )
    assert (
        cells(row(response, "Software"))
        == "€15,000 | €20,000 | 75% | €10,500 | 70% | €0 | 1 / 2 | 6 | 100%"
    )
    assert (
        cells(row(response, "All product lines"))
        == "€36,000 | €50,000 | 72% | €13,650 | 38% | €0 | 3 / 5 | 15 | 75%"
    )
    # Accounts, most won in the period first: Alpha 27,000 in two deals, Beta 9,000 in one.
    assert cells(row(response, "Alpha GmbH")) == "Hamburg | €27,000 | 2 | May 20, 2026"
    assert cells(row(response, "Beta AG")) == "— | €9,000 | 1 | Jul 1, 2026"
    assert page.index("Alpha GmbH") < page.index("Beta AG")
    assert "Delta SARL" not in page
    assert names["other_rep"] not in page


def test_reps_cannot_open_a_colleagues_page_or_account(as_role, sales, org):
    client = as_role("rep")
    # A colleague's records answer as an unknown id would, so ids cannot be probed.
    assert client.get(f"/sales/reps/{org.other_rep}").status_code == 404
    assert client.get(f"/sales/accounts/{sales.account_d}").status_code == 404
    assert client.get("/sales/accounts/999999").status_code == 404


def test_manager_cannot_filter_by_another_managers_team(as_role, sales, org):
    client = as_role("manager")
    assert client.get(f"/sales?team={org.other_team}").status_code == 404
    assert client.get(f"/sales?rep={org.other_rep}").status_code == 404


def test_account_history_lists_deals_in_time_order_with_repeat_business(as_role, sales, names):
    response = as_role("manager").get(f"/sales/accounts/{sales.account_a}")
    page = text(response)
    assert "Alpha GmbH" in page
    assert f"Owner {names['rep']}" in page
    assert "Customer since Jan 15, 2026" in page
    deals = [cells for cells in rows(response) if cells and cells[0].endswith(", 2026")]
    # Closed, rep, product line, stage, amount, margin, new or repeat business.
    assert deals == [
        ["Jan 15, 2026", names["rep"], "Hardware", "won", "€5,000.00", "€750.00", "new"],
        ["Apr 10, 2026", names["rep"], "Hardware", "won", "€12,000.00", "€1,800.00", "repeat"],
        ["May 20, 2026", names["rep"], "Software", "won", "€15,000.00", "€10,500.00", "repeat"],
    ]
    # All time: 32,000 won, of which 27,000 repeat business (84%).
    assert "€32,000 won revenue, all time" in page
    assert "84% repeat business" in page
    assert "ute@alpha-gmbh.example" in page
    assert "opted out on Mar 1, 2026" in page


def test_account_with_no_deals_says_so(as_role, app, org):
    with app.app_context():
        account = CustomerAccount(external_id="E", name="Empty Ltd", owner_id=org.rep)
        db.session.add(account)
        db.session.commit()
        account_id = account.id
    page = text(as_role("rep").get(f"/sales/accounts/{account_id}"))
    assert "No deals with this account yet." in page
    assert "No contacts at this account yet" in page


# Filters, sorting, periods ---------------------------------------------------------------------


def test_product_line_filter_narrows_figures_and_deals(as_role, sales, names):
    response = as_role("hr").get(f"{Q2}&line={sales.software}")
    assert (
        cells(row(response, names["rep"]))
        == "North | 75% | 75% | €15,000 | €20,000 | 70% | 1 | 100%"
    )
    page = text(response)
    assert "Hardware attainment" not in page
    assert "Delta SARL" not in page  # other_rep sold no software


def test_stage_filter_lists_only_that_stage(as_role, sales):
    page = text(as_role("manager").get(f"{Q2}&stage=lost"))
    assert "1 deal " in page
    assert "€50,000.00" in page
    assert "€12,000.00" not in page


def test_deals_list_excludes_deals_closed_outside_the_period(as_role, sales):
    page = text(as_role("manager").get(Q2))
    assert "4 deals" in page  # three won and one lost; not January's, not July's, not the open one
    assert "€99,000.00" not in page
    assert "€5,000.00" not in page


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("sort=attainment&dir=desc", "other_rep"),
        ("sort=attainment", "rep"),
        ("sort=revenue&dir=desc", "other_rep"),
        ("sort=repeat_share&dir=desc", "rep"),
        ("sort=line-{sw}&dir=desc", "rep"),  # other_rep has no software quota: last either way
        ("sort=line-{sw}", "rep"),
        ("sort=nonsense&dir=desc", None),  # an unknown column falls back to names, A to Z
    ],
)
def test_sortable_columns(as_role, sales, names, query, first):
    response = as_role("hr").get(f"{Q2}&{query.format(sw=sales.software)}")
    order = [
        cells[0]
        for cells in rows(response)
        if cells and cells[0] in (names["rep"], names["other_rep"])
    ]
    if first is None:
        first = min(("rep", "other_rep"), key=lambda key: names[key].casefold())
    assert order[0] == names[first]


def test_sort_links_keep_the_filters_and_flip_direction(as_role, sales):
    html = as_role("hr").get(f"{Q2}&sort=attainment&line={sales.hardware}").get_data(as_text=True)
    link = re.search(r'class="sort sort-active" href="([^"]+)"', html).group(1)
    assert "period=2026-Q2" in link
    assert f"line={sales.hardware}" in link
    assert "dir=desc" in link.replace("&amp;", "&")
    assert 'aria-sort="ascending"' in html


def test_a_month_view_counts_the_monthly_quotas(as_role, sales, names):
    response = as_role("manager").get("/sales?period=2026-05")
    # May: Software 15,000 against the monthly 5,000; no Hardware won, against 10,000.
    assert cells(row(response, names["rep"])[:6]) == "North | 0% | 300% | 100% | €15,000 | €15,000"


def test_a_year_view_takes_the_yearly_quota_over_the_quarterly_one(app, sales, org):
    with app.app_context():
        year = parse_period("2026")
        ids = select(User.id).where(User.id == org.other_rep)
        figures = queries.figures_by_rep_and_line(year, ids)[(org.other_rep, sales.hardware)]
        assert figures.revenue_target_minor == _eur(160_000)
        assert figures.revenue_minor == _eur(50_000)


def test_a_quarter_view_ignores_a_yearly_quota(app, sales, org):
    with app.app_context():
        q1 = parse_period("2026-Q1")
        ids = select(User.id).where(User.id == org.other_rep)
        assert queries.quota_targets(q1, ids) == {}


def test_a_quarter_mixes_quarterly_and_monthly_quotas_per_quarter_of_a_year(app, org):
    with app.app_context():
        line = org.product_line
        add_quota(org.rep, line, PeriodKind.QUARTER, D(2027, 1, 1), 100)
        add_quota(org.rep, line, PeriodKind.MONTH, D(2027, 2, 1), 7)  # inside Q1: ignored
        add_quota(org.rep, line, PeriodKind.MONTH, D(2027, 4, 1), 10)
        add_quota(org.rep, line, PeriodKind.MONTH, D(2027, 5, 1), 20)
        db.session.commit()
        ids = select(User.id).where(User.id == org.rep)
        year = queries.quota_targets(parse_period("2027"), ids)[(org.rep, line)]
        assert year.revenue_target_minor == _eur(130)
        february = queries.quota_targets(parse_period("2027-02"), ids)[(org.rep, line)]
        assert february.revenue_target_minor == _eur(7)


def test_repeat_business_needs_a_won_deal_on_an_earlier_day(app, org):
    with app.app_context():
        account = CustomerAccount(external_id="S", name="Same Day", owner_id=org.rep)
        db.session.add(account)
        db.session.flush()
        n = [100]
        line = org.product_line
        add_deal(n, account, org.rep, line, 100, LOST, D(2026, 3, 1))  # a loss is not a sale
        add_deal(n, account, org.rep, line, 1_000, WON, D(2026, 4, 2))
        add_deal(n, account, org.rep, line, 2_000, WON, D(2026, 4, 2))  # same day: also new
        add_deal(n, account, org.rep, line, 4_000, WON, D(2026, 4, 3))  # repeat
        # Another rep's earlier sale to the account makes it repeat business too.
        add_deal(n, account, org.other_rep, line, 8_000, WON, D(2026, 4, 20))
        db.session.commit()
        ids = select(User.id)
        figures = queries.won_figures(parse_period("2026-Q2"), ids)
        mine = figures[(org.rep, line)]
        assert (mine.revenue_minor, mine.repeat_revenue_minor) == (_eur(7_000), _eur(4_000))
        assert mine.repeat_bookings == 1
        assert figures[(org.other_rep, line)].repeat_share == 1.0


def test_period_navigation_links_to_the_neighbouring_periods(as_role, sales):
    html = as_role("manager").get(Q2).get_data(as_text=True)
    assert "period=2026-Q1" in html
    assert "period=2026-Q3" in html
    assert "Q2 2026" in html


def test_period_navigation_offers_no_period_after_the_current_one(as_role, sales):
    today = datetime.datetime.now(datetime.UTC).date()
    current = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    html = as_role("manager").get(f"/sales?period={current}").get_data(as_text=True)
    nav = re.search(r'<nav class="period-nav".*?</nav>', html, flags=re.S).group(0)
    assert 'rel="prev"' in nav
    assert 'rel="next"' not in nav


def test_an_unreadable_period_falls_back_to_the_current_quarter(as_role, sales):
    response = as_role("manager").get("/sales?period=someday")
    assert response.status_code == 200
    today = datetime.datetime.now(datetime.UTC).date()
    assert f"Q{(today.month - 1) // 3 + 1} {today.year}" in text(response)


def test_the_chart_is_inline_svg_without_inline_style(as_role, sales, names):
    html = as_role("hr").get(Q2).get_data(as_text=True)
    svg = re.search(r"<svg.*?</svg>", html, flags=re.S).group(0)
    assert 'role="group"' in svg  # its bars link to the reps' pages, so it is no mere image
    assert "style=" not in html  # the CSP allows no inline style, in SVG or HTML
    assert svg.count('<rect class="bar') == 2
    assert f"{html_lib.escape(names['rep'])}: 72%" in svg


# Empty states and language ---------------------------------------------------------------------


def test_empty_sales_page_explains_what_to_do(app, as_role, org):
    manager_html = as_role("manager").get("/sales").get_data(as_text=True)
    assert "No deals yet." in manager_html
    assert "/sales/imports/new" not in manager_html  # a manager may not import
    if "sales_imports.new" in app.view_functions:
        assert "/sales/imports/new" in as_role("admin").get("/sales").get_data(as_text=True)


def test_manager_without_a_team_is_told_why_the_page_is_empty(app, as_role):
    with app.app_context():
        lonely = UserFactory(role=Role.MANAGER, email="lonely@example.com")
        db.session.commit()
        lonely_id = lonely.id
    client = app.test_client()
    login(client, app, lonely_id)
    assert "You do not lead a team yet" in text(client.get("/sales"))


def test_money_and_percentages_follow_the_users_language(app, as_role, sales, org):
    with app.app_context():
        db.session.get(User, org.manager).language = "de"
        db.session.commit()
    page = text(as_role("manager").get(Q2))
    assert "36.000 €" in page
    assert "72 %" in page


def test_navigation_has_a_sales_entry_for_every_role(as_role, org):
    for role in ("rep", "manager", "hr", "admin"):
        html = as_role(role).get("/").get_data(as_text=True)
        assert 'href="/sales"' in html, role


# Query counts ----------------------------------------------------------------------------------


def grow(app, teams: int, reps: int = 3, accounts: int = 4, deals: int = 5) -> None:
    """More teams, reps, accounts, deals and quotas, all in Q2 2026; North gets reps too."""
    with app.app_context():
        lines = list(db.session.scalars(select(ProductLine.id)))
        count = db.session.scalar(select(db.func.count()).select_from(Deal))
        north = db.session.scalar(select(Team).where(Team.name == "North"))
        for t in range(teams):
            team = north if t == 0 else TeamFactory(manager=UserFactory(role=Role.MANAGER))
            for r in range(reps):
                rep = UserFactory(role=Role.REP, team=team)
                for line in lines:
                    add_quota(rep.id, line, PeriodKind.QUARTER, D(2026, 4, 1), 10_000)
                for a in range(accounts):
                    account = CustomerAccount(
                        external_id=f"G{t}-{r}-{a}-{count}", name="Grown", owner_id=rep.id
                    )
                    db.session.add(account)
                    db.session.flush()
                    n = [count + 1000 * (t * reps * accounts + r * accounts + a + 1)]
                    for i in range(deals):
                        add_deal(
                            n,
                            account,
                            rep.id,
                            lines[i % len(lines)],
                            1_000 + i,
                            WON if i % 3 else LOST,
                            D(2026, 4 + i % 3, 1 + i),
                            100,
                        )
        db.session.commit()


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("hr", Q2),
        ("manager", Q2),
        ("hr", f"{Q2}&sort=attainment&dir=desc&stage=won"),
        ("admin", "/sales?period=2026"),
    ],
)
def test_sales_page_query_count_does_not_grow_with_the_data(app, as_role, sales, role, path):
    client = as_role(role)
    with counting_queries(app) as small:
        assert client.get(path).status_code == 200
    grow(app, teams=6)
    with counting_queries(app) as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= 12, "\n".join(small)


@pytest.mark.parametrize("path", ["/sales/reps/{rep}?period=2026-Q2", "/sales/accounts/{account}"])
def test_rep_and_account_pages_query_count_does_not_grow(app, as_role, sales, org, path):
    client = as_role("manager")
    url = path.format(rep=org.rep, account=sales.account_a)
    with counting_queries(app) as small:
        assert client.get(url).status_code == 200
    with app.app_context():
        account = db.session.get(CustomerAccount, sales.account_a)
        n = [5000]
        for i in range(30):
            add_deal(n, account, org.rep, sales.hardware, 100 + i, WON, D(2026, 5, 1 + i % 28), 10)
            db.session.add(CustomerAccount(external_id=f"X{i}", name=f"X{i}", owner_id=org.rep))
        db.session.commit()
    with counting_queries(app) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), "\n".join(large)


def test_scoped_figures_take_a_fixed_number_of_queries(app, sales, org, names):
    with app.app_context():
        manager = db.session.get(User, org.manager)
        scope = visible_sellers(manager)
        with counting_queries(app) as statements:
            report = queries.sales_report(parse_period("2026-Q2"), scope)
        assert len(statements) == 4
        assert [r.name for r in report.reps] == [names["rep"]]

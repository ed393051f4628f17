"""Sales pages: deals and attainment of one's teams, a rep's own figures, an account's history."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from babel.numbers import format_compact_currency
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import format_currency, format_date, format_percent, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.routing import BuildError

from coachflow.accounts.models import ProductLine, Role, Team, User
from coachflow.accounts.policy import visible_sellers, visible_teams
from coachflow.lib import figures
from coachflow.lib.charts.bars import Bar, attainment_bars
from coachflow.lib.money import from_minor
from coachflow.lib.periods import Period, PeriodKind, parse_period
from coachflow.platform.extensions import db
from coachflow.platform.permissions import allowed, get_or_404, requires
from coachflow.platform.time import utcnow
from coachflow.platform.web import int_arg, page_arg
from coachflow.sales import policy, queries
from coachflow.sales.models import CustomerAccount, DealStage

bp = Blueprint("sales", __name__, url_prefix="/sales")


# Formatting for every template: money in the user's locale, ratios as percentages ----------------


@bp.app_template_filter("money")
def money(minor: int | None, whole: bool = False, compact: bool = False) -> str:
    """``123456`` → ``€1,234.56`` in the user's locale; ``€1,235`` when ``whole``; when
    ``compact`` (a figure that must fit a tile) whole, and ``€1.2M`` from a million up."""
    if minor is None:
        return "—"
    currency = current_app.config["SALES_CURRENCY"]
    amount = from_minor(minor, currency)
    if compact and abs(amount) >= 1_000_000:  # below that, not every language abbreviates
        return format_compact_currency(amount, currency, locale=get_locale(), fraction_digits=1)
    if not (whole or compact):
        return format_currency(amount, currency)
    pattern = get_locale().currency_formats["standard"].pattern  # e.g. "#,##0.00 ¤"
    whole_pattern = pattern.replace(".00", "")
    return format_currency(amount, currency, format=whole_pattern, currency_digits=False)


@bp.app_template_filter("percent")
def percent(value: float | None) -> str:
    """``0.953`` → ``95%`` in the user's locale; a dash when there is nothing to show."""
    return "—" if value is None else format_percent(value)


@bp.app_template_global("period_name")
def period_name(period: Period) -> str:
    """``November 2026``, ``Q4 2026`` or ``2026``, in the user's language."""
    if period.kind is PeriodKind.MONTH:
        return format_date(period.start, "LLLL y")
    if period.kind is PeriodKind.QUARTER:
        return _(
            "Q%(quarter)d %(year)d",
            quarter=(period.start.month - 1) // 3 + 1,
            year=period.start.year,
        )
    return str(period.start.year)


@bp.app_template_global("url_here")
def url_here(query: dict[str, object] | None = None, **changes: object) -> str:
    """This page's URL with ``query`` (default: the current one) changed by ``changes``."""
    args = dict(request.args.to_dict() if query is None else query)
    args.update(changes)
    clean = {key: value for key, value in args.items() if value is not None}
    return url_for(request.endpoint, **(request.view_args or {}), **clean)


# Reading the filters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the reader asked for; objects are loaded and permission-checked already."""

    period: Period
    team: Team | None = None
    rep: User | None = None
    line: ProductLine | None = None
    stage: DealStage | None = None
    sort: str = figures.DEFAULT_SORT
    descending: bool = False

    def args(self, **changes: object) -> dict[str, object]:
        """The query string of these filters, with ``changes``: for links that keep them."""
        values: dict[str, object] = {
            "period": self.period.label,
            "team": self.team.id if self.team else None,
            "rep": self.rep.id if self.rep else None,
            "line": self.line.id if self.line else None,
            "stage": self.stage.value if self.stage else None,
            "sort": None if self.sort == figures.DEFAULT_SORT else self.sort,
            "dir": "desc" if self.descending else None,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value is not None}


def _today() -> datetime.date:
    return utcnow().date()


def _int_arg(name: str) -> int | None:
    return int_arg(name)


def _read_filters(*, people: bool) -> Filters:
    """Period (default: the current quarter), product line, stage, sort; team and rep too."""
    try:
        period = parse_period(request.args.get("period", ""))
    except ValueError:
        period = Period.containing(_today(), PeriodKind.QUARTER)
    team_id, rep_id, line_id = _int_arg("team"), _int_arg("rep"), _int_arg("line")
    stage = request.args.get("stage", "")
    return Filters(
        period=period,
        team=get_or_404(Team, team_id, policy.VIEW_SALES) if people and team_id else None,
        rep=get_or_404(User, rep_id, policy.VIEW_SALES) if people and rep_id else None,
        line=db.get_or_404(ProductLine, line_id) if line_id else None,
        stage=DealStage(stage) if stage in DealStage._value2member_map_ else None,
        sort=request.args.get("sort", figures.DEFAULT_SORT),
        descending=request.args.get("dir") == "desc",
    )


def _page(name: str = "page") -> int:
    return page_arg(name)


def _import_url() -> str | None:
    """The import page, when it exists and the current user may use it."""
    view = current_app.view_functions.get("sales_imports.new")
    action = getattr(view, "required_action", None)
    if action is None or not allowed(current_user, action):
        return None
    try:
        return url_for("sales_imports.new")
    except BuildError:
        return None


def _chart(rows: list[figures.SalesRow], link, *, title: str, chart_id: str) -> Markup:
    bars = [
        Bar(
            row.name,
            row.total.attainment,
            percent(row.total.attainment) if row.total.has_quota else _("no quota"),
            link(row),
        )
        for row in rows
    ]
    return attainment_bars(bars, title=title, target_label=_("quota"), chart_id=chart_id)


def _context(filters: Filters, lines: list[queries.LineRef]) -> dict[str, object]:
    """What every sales page's period picker and filters need."""
    today = _today()
    return {
        "filters": filters,
        "period_choices": figures.period_choices(today),
        "previous_period": figures.shifted(filters.period, -1),
        "next_period": figures.following(filters.period, today),
        "elapsed": figures.elapsed_share(filters.period, today),
        "lines": lines,
        "stages": list(DealStage),
        "import_url": _import_url(),
    }


# Pages -----------------------------------------------------------------------------------------


@bp.route("")
@requires(policy.VIEW_SALES)
def overview():
    if current_user.role is Role.REP:  # a rep sees their own figures only: their page
        return redirect(url_for("sales.rep", rep_id=current_user.id, **request.args.to_dict()))
    filters = _read_filters(people=True)
    lines = queries.product_lines()
    page = queries.overview(
        filters.period,
        visible_sellers(current_user),
        today=_today(),
        team_id=filters.team.id if filters.team else None,
        rep_id=filters.rep.id if filters.rep else None,
        line_id=filters.line.id if filters.line else None,
        stage=filters.stage,
        sort=filters.sort,
        descending=filters.descending,
        paging=queries.Paging(
            reps=_page("reps_page"),
            teams=_page("teams_page"),
            deals=_page(),
            per_page=current_app.config["PAGE_SIZE"],
        ),
        lines=lines,
        no_team=_("No team"),
    )
    filters = replace(filters, sort=page.sort, descending=page.descending)
    return render_template(
        "sales/overview.html",
        page=page,
        report=page.report,
        team_choices=db.session.scalars(visible_teams(current_user).order_by(Team.name)).all(),
        rep_choices=page.report.rep_choices
        if filters.team or current_user.role is Role.MANAGER
        else [],
        chart=_chart(
            list(page.reps.items),
            lambda row: url_for("sales.rep", rep_id=row.id, period=filters.period.label),
            title=_("Quota attainment per rep, %(period)s", period=period_name(filters.period)),
            chart_id="reps-chart",
        ),
        **_context(filters, lines),
    )


@bp.route("/reps/<int:rep_id>")
@requires(policy.VIEW_SALES)
def rep(rep_id: int):
    person = get_or_404(User, rep_id, policy.VIEW_SALES)
    filters = _read_filters(people=False)
    lines = queries.product_lines()
    page = queries.rep_page(
        filters.period,
        person,
        today=_today(),
        line_id=filters.line.id if filters.line else None,
        stage=filters.stage,
        paging=queries.Paging(
            accounts=_page("accounts_page"), deals=_page(), per_page=current_app.config["PAGE_SIZE"]
        ),
        lines=lines,
    )
    return render_template(
        "sales/rep.html",
        person=person,
        page=page,
        chart=_chart(
            page.lines,
            lambda _row: None,
            title=_(
                "Quota attainment per product line, %(period)s", period=period_name(filters.period)
            ),
            chart_id="lines-chart",
        ),
        **_context(filters, lines),
    )


@bp.route("/accounts/<int:account_id>")
@requires(policy.VIEW_SALES)
def account(account_id: int):
    customer = get_or_404(CustomerAccount, account_id, policy.VIEW_SALES)
    return render_template(
        "sales/account.html",
        account=customer,
        contacts=queries.contacts_of(customer.id),
        totals=queries.account_totals(customer.id),
        deals=queries.account_deals(customer.id, page=_page()),
    )

"""Demo sales data: customer accounts and contacts, a year of deals, and the quotas behind them.

Built on the demo organisation (``coachflow.accounts.demo``) and deterministic for a seed and a
day. Per rep: about 40 accounts with one to three contacts in the team's language, about 200
deals over the last twelve months (busier at quarter end, quieter in August and December;
Hardware, Software and Services at roughly 15%, 70% and 35% margin; a win rate near 40%; a
quarter of the accounts are key accounts that buy again and again), and a quota per month and
product line from the first of those months to the end of the current year.

Each rep gets a performance factor that the quotas do not know about, so attainment spreads as
it does in a real team: a few reps near 70%, most between 95% and 110%, a few near 130%. Deal
counts and wins are spread evenly over the months (stratified), so a rep's quarterly attainment
follows their factor rather than the luck of the draw.

Rows go in with bulk INSERTs, a batch of reps at a time, so memory stays flat for any ``--reps``.
"""

from __future__ import annotations

import datetime
import math
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import insert, select

from coachflow.accounts.demo import FIRST_NAMES, LAST_NAMES, DemoOrg, language_of
from coachflow.accounts.models import ProductLine, User
from coachflow.lib.figures import shifted
from coachflow.lib.periods import Period, PeriodKind
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.sales.models import Contact, CustomerAccount, Deal, DealStage, Quota

ACCOUNTS_PER_REP = (36, 44)
DEALS_PER_YEAR = 200
WIN_RATE = 0.42
AMOUNT_SPREAD = 0.35  # sigma of the log-normal deal size
BATCH_REPS = 50


@dataclass(frozen=True)
class LineProfile:
    share: float  # of all deals
    mean_amount: int  # in whole currency units
    margin: float


LINES = {
    "HW": LineProfile(0.40, 18_000, 0.15),
    "SW": LineProfile(0.30, 24_000, 0.70),
    "SVC": LineProfile(0.30, 11_000, 0.35),
}
# Deals closed per calendar month, relative: quarter-end pushes, a quiet August and December.
SEASON = {
    1: 0.8,
    2: 0.9,
    3: 1.4,
    4: 0.9,
    5: 1.0,
    6: 1.4,
    7: 0.9,
    8: 0.55,
    9: 1.4,
    10: 1.0,
    11: 1.1,
    12: 0.85,
}
QUARTER_END_MONTHS = {3, 6, 9, 12}

COMPANY_WORDS = {
    "de": (
        [
            "Nord",
            "Alpen",
            "Hansa",
            "Elb",
            "Rhein",
            "Isar",
            "Main",
            "Spree",
            "Weser",
            "Donau",
            "Harz",
            "Eifel",
        ],
        [
            "technik",
            "bau",
            "logistik",
            "werke",
            "systeme",
            "handel",
            "metall",
            "druck",
            "energie",
            "medien",
            "pharma",
            "optik",
        ],
        ["GmbH", "AG", "KG", "GmbH & Co. KG"],
    ),
    "fr": (
        [
            "Atelier",
            "Transports",
            "Solutions",
            "Industries",
            "Bâtiment",
            "Énergie",
            "Logistique",
            "Imprimerie",
            "Conseil",
            "Distribution",
            "Laboratoires",
            "Optique",
        ],
        [
            "Rhône",
            "Provence",
            "Seine",
            "Loire",
            "Alpes",
            "Lumière",
            "Azur",
            "Garonne",
            "Bretagne",
            "Vosges",
            "Jura",
            "Océan",
        ],
        ["SAS", "SARL", "SA"],
    ),
    "en": (
        [
            "Thames",
            "Pennine",
            "Harbour",
            "Northgate",
            "Kestrel",
            "Oakfield",
            "Meridian",
            "Clyde",
            "Avon",
            "Summit",
            "Liffey",
            "Scheldt",
        ],
        [
            "Engineering",
            "Logistics",
            "Foods",
            "Systems",
            "Healthcare",
            "Retail",
            "Print",
            "Energy",
            "Construction",
            "Media",
            "Optics",
            "Labs",
        ],
        ["Ltd", "plc", "LLP", "BV"],
    ),
}
# A second company of the same name is told apart by its town, as branch offices are.
TOWNS = {
    "de": [
        "Hamburg",
        "Kiel",
        "München",
        "Stuttgart",
        "Köln",
        "Düsseldorf",
        "Augsburg",
        "Lübeck",
        "Essen",
        "Freiburg",
    ],
    "fr": [
        "Paris",
        "Lyon",
        "Grenoble",
        "Marseille",
        "Nice",
        "Lille",
        "Nantes",
        "Toulouse",
        "Annecy",
        "Rennes",
    ],
    "en": [
        "London",
        "Manchester",
        "Dublin",
        "Leeds",
        "Bristol",
        "Amsterdam",
        "Brussels",
        "Luxembourg",
        "Glasgow",
        "Cork",
    ],
}


@dataclass
class SalesDemo:
    """How many rows the seed wrote."""

    accounts: int = 0
    contacts: int = 0
    deals: int = 0
    quotas: int = 0

    def summary(self) -> str:
        return (
            f"Demo sales: {self.accounts} accounts, {self.contacts} contacts, "
            f"{self.deals} deals, {self.quotas} quotas."
        )


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in folded if not unicodedata.combining(c)).lower()


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in _ascii(text)).split())


def _round_randomly(value: float, rng: random.Random) -> int:
    """``value`` rounded down or up with the odds of its fraction: unbiased, integer."""
    floor = math.floor(value)
    return floor + (rng.random() < value - floor)


def stratified(
    items: Sequence[str], weights: Sequence[float], n: int, rng: random.Random
) -> list[str]:
    """``n`` draws of ``items`` in proportion to ``weights`` with little spread (systematic
    sampling: one random offset, then evenly spaced points on the cumulative weights), shuffled."""
    total = sum(weights)
    offset = rng.random()
    picks, cumulative, index = [], weights[0] / total, 0
    for i in range(n):
        point = (offset + i) / n
        while point > cumulative and index < len(items) - 1:
            index += 1
            cumulative += weights[index] / total
        picks.append(items[index])
    rng.shuffle(picks)
    return picks


def performance_factors(count: int, rng: random.Random) -> list[float]:
    """Each rep's revenue against an average rep's: ~15% near 0.7, ~12% near 1.3, most ~1.02.

    The low and high groups get at least one rep each once there are four reps, so every demo
    shows the whole spread.
    """
    low = max(1, round(count * 0.15)) if count >= 4 else 0
    high = max(1, round(count * 0.12)) if count >= 4 else 0
    means = [0.78] * low + [1.32] * high + [1.02] * (count - low - high)
    rng.shuffle(means)
    return [max(0.4, rng.gauss(mean, 0.05)) for mean in means]


def _months(first: datetime.date, count: int) -> list[Period]:
    start = Period(first, PeriodKind.MONTH)
    return [shifted(start, n) for n in range(count)]


class _Seeder:
    """Generates one rep's rows at a time; ``flush`` writes what has been generated."""

    def __init__(self, org: DemoOrg, rng: random.Random, today: datetime.date) -> None:
        self.rng = rng
        self.today = today
        self.currency = current_app.config["SALES_CURRENCY"]
        self.lines = dict(
            db.session.execute(
                select(ProductLine.code, ProductLine.id).where(ProductLine.code.in_(LINES))
            ).all()
        )
        missing = LINES.keys() - self.lines.keys()
        if missing:
            raise RuntimeError(f"seed the product lines first: {', '.join(sorted(missing))}")
        this_month = Period.containing(today, PeriodKind.MONTH)
        self.deal_months = _months(shifted(this_month, -11).start, 12)
        quota_end = datetime.date(today.year + 1, 1, 1)
        quota_count = (quota_end.year - self.deal_months[0].start.year) * 12 - (
            self.deal_months[0].start.month - 1
        )
        self.quota_months = _months(self.deal_months[0].start, quota_count)
        self.now = utcnow()
        self.counts = SalesDemo()
        self.names: dict[str, int] = {}
        self.accounts: list[dict] = []
        self.contacts: list[list[dict]] = []  # per account, until the account has its id
        self.deals: list[tuple[int, dict]] = []  # (account index, row)
        self.quotas: list[dict] = []

    # Accounts and contacts ---------------------------------------------------------------------

    def company(self, language: str) -> tuple[str, str]:
        """A company name of the territory's language and a domain no other account has."""
        first, second, legal = COMPANY_WORDS[language]
        a, b, suffix = self.rng.choice(first), self.rng.choice(second), self.rng.choice(legal)
        name = f"{a}{b} {suffix}" if language == "de" else f"{a} {b} {suffix}"
        slug = _slug(name)
        n = self.names.get(slug, 0) + 1
        self.names[slug] = n
        if n > 1:
            towns = TOWNS[language]
            town = towns[(n - 2) % len(towns)]
            name = f"{name}, {town}"
            slug = f"{slug}-{_slug(town)}"
            if n - 1 > len(towns):
                name, slug = f"{name} {(n - 2) // len(towns) + 1}", f"{slug}-{n}"
        return name, f"{slug}.example"

    def account(self, rep: User, territory: str) -> int:
        language = language_of(rep)
        name, domain = self.company(language)
        index = len(self.accounts)
        self.counts.accounts += 1
        self.accounts.append(
            {
                "external_id": f"DEMO-ACC-{self.counts.accounts:07d}",
                "name": name,
                "owner_id": rep.id,
                "territory": territory,
            }
        )
        people: list[dict] = []
        used: set[str] = set()
        for _ in range(self.rng.randint(1, 3)):
            first = self.rng.choice(FIRST_NAMES[language])
            last = self.rng.choice(LAST_NAMES[language])
            local = _slug(f"{first} {last}").replace("-", ".")
            if local in used:
                continue
            used.add(local)
            self.counts.contacts += 1
            people.append(
                {
                    "external_id": f"DEMO-CON-{self.counts.contacts:07d}",
                    "name": f"{first} {last}",
                    "email": f"{local}@{domain}",
                    "language": language,
                    # A few customers asked not to be surveyed.
                    "opted_out_at": self.now if self.rng.random() < 0.04 else None,
                }
            )
        self.contacts.append(people)
        return index

    # Deals -------------------------------------------------------------------------------------

    def deal_day(self, month: Period) -> datetime.date:
        days = (month.end - month.start).days
        if month.start.month in QUARTER_END_MONTHS:  # the push before the quarter closes
            day = days - int(self.rng.triangular(0, days, 0))
        else:
            day = self.rng.randint(1, days)
        return month.start.replace(day=min(max(day, 1), days))

    def rep_deals(self, rep: User, accounts: Sequence[int], factor: float) -> None:
        rng = self.rng
        # Key accounts buy again and again, occasional ones now and then. Half the accounts
        # were customers when the year began; the other half are won over the year, so new
        # business keeps coming in beside the repeat business.
        weights = dict(
            zip(accounts, (rng.choice((5.0, 1.0, 1.0, 0.2, 0.2)) for _ in accounts), strict=True)
        )
        joins = {
            account: 0 if rng.random() < 0.5 else rng.randint(1, len(self.deal_months) - 1)
            for account in accounts
        }
        mix = {code: p.share * rng.uniform(0.8, 1.2) for code, p in LINES.items()}
        codes = list(mix)
        total = DEALS_PER_YEAR * factor**0.4 * rng.uniform(0.92, 1.08)
        win_rate = min(0.8, WIN_RATE * factor**0.3)
        size = factor**0.3
        season = sum(SEASON[m.start.month] for m in self.deal_months)
        for index, month in enumerate(self.deal_months):
            customers = [a for a in accounts if joins[a] <= index]
            newcomers = [a for a in accounts if joins[a] == index]
            rng.shuffle(newcomers)
            count = _round_randomly(total * SEASON[month.start.month] / season, rng)
            # Deals not yet due, and some of the last three weeks', are still being negotiated.
            dated = sorted(self.deal_day(month) for _ in range(count))
            still_open = [
                day > self.today or ((self.today - day).days < 21 and rng.random() < 0.35)
                for day in dated
            ]
            closed = [day for day, is_open in zip(dated, still_open, strict=True) if not is_open]
            won = set(rng.sample(range(len(closed)), _round_randomly(len(closed) * win_rate, rng)))
            stages = [(None, DealStage.OPEN)] * (len(dated) - len(closed)) + [
                (day, DealStage.WON if i in won else DealStage.LOST) for i, day in enumerate(closed)
            ]
            # The won deals' product lines follow the rep's mix closely, month by month.
            won_lines = stratified(codes, [mix[c] for c in codes], len(won), rng)
            for closed_on, stage in stages:
                if stage is DealStage.WON and newcomers:
                    account = newcomers.pop()  # a new customer's first order
                elif stage is DealStage.WON:
                    account = rng.choices(customers, weights=[weights[a] for a in customers])[0]
                else:  # prospects lose deals and negotiate too
                    account = rng.choices(accounts, weights=[weights[a] for a in accounts])[0]
                if stage is DealStage.WON:
                    code = won_lines.pop()
                else:
                    code = rng.choices(codes, weights=[mix[c] for c in codes])[0]
                profile = LINES[code]
                mean = profile.mean_amount * size
                amount = rng.lognormvariate(math.log(mean) - AMOUNT_SPREAD**2 / 2, AMOUNT_SPREAD)
                amount_minor = max(100, round(amount / 10)) * 1000  # whole tens of euros
                rate = min(0.95, max(0.02, rng.gauss(profile.margin, 0.05)))
                self.counts.deals += 1
                self.deals.append(
                    (
                        account,
                        {
                            "external_id": f"DEMO-DEAL-{self.counts.deals:08d}",
                            "rep_id": rep.id,
                            "product_line_id": self.lines[code],
                            "amount_minor": amount_minor,
                            "currency": self.currency,
                            "margin_minor": round(amount_minor * rate),
                            "stage": stage,
                            "closed_on": closed_on,
                        },
                    )
                )

    # Quotas ------------------------------------------------------------------------------------

    def rep_quotas(self, rep: User) -> None:
        """Monthly quotas per line at what an average rep wins: the demo's 100%."""
        season = sum(SEASON[m.start.month] for m in self.deal_months)
        stretch = self.rng.uniform(0.96, 1.04)  # quotas are negotiated, never quite equal
        for month in self.quota_months:
            won_deals = DEALS_PER_YEAR * SEASON[month.start.month] / season * WIN_RATE
            for code, profile in LINES.items():
                bookings = won_deals * profile.share
                revenue = bookings * profile.mean_amount * stretch
                revenue_minor = round(revenue / 1000) * 1000 * 100  # whole thousands
                bookings_target = max(1, round(bookings))
                self.counts.quotas += 1
                self.quotas.append(
                    {
                        "rep_id": rep.id,
                        "product_line_id": self.lines[code],
                        "period_kind": PeriodKind.MONTH,
                        "period_start": month.start,
                        "currency": self.currency,
                        "revenue_target_minor": revenue_minor,
                        "margin_target_minor": round(revenue_minor * profile.margin),
                        "bookings_target": bookings_target,
                        "estimates_target": 3 * bookings_target,
                    }
                )

    # Writing -----------------------------------------------------------------------------------

    def flush(self) -> None:
        if self.accounts:
            ids = db.session.scalars(
                insert(CustomerAccount).returning(CustomerAccount.id, sort_by_parameter_order=True),
                self.accounts,
            ).all()
            contacts = [
                {**c, "account_id": ids[i]}
                for i, people in enumerate(self.contacts)
                for c in people
            ]
            if contacts:
                db.session.execute(insert(Contact), contacts)
            if self.deals:
                db.session.execute(
                    insert(Deal), [{**row, "account_id": ids[i]} for i, row in self.deals]
                )
        if self.quotas:
            db.session.execute(insert(Quota), self.quotas)
        self.accounts, self.contacts, self.deals, self.quotas = [], [], [], []


def seed_sales(
    org: DemoOrg, rng: random.Random, *, today: datetime.date | None = None
) -> SalesDemo:
    """Add the demo's accounts, contacts, deals and quotas for every rep of ``org``.

    The caller commits. ``today`` anchors the twelve months of deals (default: today, UTC).
    """
    seeder = _Seeder(org, rng, today or utcnow().date())
    factors = performance_factors(len(org.reps), rng)
    for index, (rep, factor) in enumerate(zip(org.reps, factors, strict=True)):
        territory = rep.team.territory if rep.team else ""
        first = len(seeder.accounts)
        for _ in range(rng.randint(*ACCOUNTS_PER_REP)):
            seeder.account(rep, territory)
        seeder.rep_deals(rep, range(first, len(seeder.accounts)), factor)
        seeder.rep_quotas(rep)
        if (index + 1) % BATCH_REPS == 0:
            seeder.flush()
    seeder.flush()
    return seeder.counts

"""The demo organisation: admin, HR, managers with teams, reps. Deterministic for a seed."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select

from coachflow.accounts import organisation
from coachflow.accounts.models import OrganisationSettings, ProductLine, Role, Team, User
from coachflow.accounts.services import hash_password
from coachflow.platform.extensions import db

DEMO_PASSWORD = "coachflow-demo"  # noqa: S105 (the documented demo login)
REPS_PER_TEAM = 6

# Teams are named after their main city: the same word in English, German and French.
TERRITORIES = [
    ("Hamburg", "Hamburg & Schleswig-Holstein", "de"),
    ("Paris", "Paris & Île-de-France", "fr"),
    ("Stuttgart", "Stuttgart, Karlsruhe, Freiburg", "de"),
    ("Lyon", "Lyon & Grenoble", "fr"),
    ("Manchester", "Manchester, Leeds, Dublin", "en"),
    ("Amsterdam", "Amsterdam, Rotterdam, Utrecht", "en"),
    ("Düsseldorf", "Düsseldorf, Essen, Dortmund", "de"),
    ("Marseille", "Marseille & Nice", "fr"),
]
FIRST_NAMES = {
    "de": ["Anna", "Jonas", "Lea", "Felix", "Marie", "Lukas", "Sophie", "Paul", "Hannah", "Tim"],
    "fr": ["Camille", "Louis", "Chloé", "Hugo", "Léa", "Jules", "Manon", "Arthur", "Inès", "Nina"],
    "en": ["Olivia", "Jack", "Amelia", "Harry", "Isla", "George", "Ava", "Noah", "Emily", "Leo"],
}
LAST_NAMES = {
    "de": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann"],
    "fr": ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"],
    "en": ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Walsh"],
}
PRODUCT_LINES = [("HW", "Hardware"), ("SW", "Software"), ("SVC", "Services")]
# Who asks the demo's customers: a maker of industrial fans, its customer care, its colour, and
# a small SVG logo (drawn for the demo).
ORGANISATION = "Nordwind Industrial"
SENDER = ("Nordwind Customer Care", "customer-care@nordwind.example")
ACCENT = "#0f5e66"
LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 48" width="200" height="48">'
    b"<title>Nordwind Industrial</title>"
    b'<circle cx="24" cy="24" r="22" fill="#0f5e66"/>'
    b'<path d="M10 30c8-6 16-6 24 0s12 4 14 2M10 22c8-6 16-6 24 0s12 4 14 2M14 14c6-4 12-4 18 0"'
    b' fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round"/>'
    b'<text x="54" y="22" font-family="Arial,Helvetica,sans-serif" font-size="17"'
    b' font-weight="700" fill="#0f5e66">Nordwind</text>'
    b'<text x="54" y="40" font-family="Arial,Helvetica,sans-serif" font-size="12"'
    b' letter-spacing="1.5" fill="#3e4c59">INDUSTRIAL</text>'
    b"</svg>"
)


@dataclass
class DemoOrg:
    """What the seed made, for printing the logins and for later domains to build on."""

    admin: User
    hr: User
    managers: list[User]
    reps: list[User]
    teams: list[Team]


def is_empty() -> bool:
    """Whether the database has no users yet (``make run`` seeds only then)."""
    return db.session.scalar(select(User.id).limit(1)) is None


def seed_org(*, reps: int, seed: int) -> DemoOrg:
    """Create the demo org with ``reps`` reps in teams of six; the caller commits."""
    rng = random.Random(seed)
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo login: fast seeding
    used_emails: set[str] = set()

    def person(role: Role, language: str, email: str | None = None) -> User:
        # The documented logins (given addresses) read the browser's language until the
        # person picks one; the generated people keep their territory's.
        follows_browser = email is not None
        first = rng.choice(FIRST_NAMES[language])
        last = rng.choice(LAST_NAMES[language])
        if email is None:
            base = f"{first}.{last}".lower()
            base = base.translate(str.maketrans("äöüéèëïçô", "aoueeeico")).replace("ß", "ss")
            email, n = f"{base}@example.com", 2
            while email in used_emails:
                email, n = f"{base}{n}@example.com", n + 1
        used_emails.add(email)
        user = User(
            email=email,
            name=f"{first} {last}",
            role=role,
            language=None if follows_browser else language,
            password_hash=password_hash,
        )
        db.session.add(user)
        return user

    admin = person(Role.ADMIN, "en", "admin@example.com")
    hr = person(Role.HR, "en", "hr@example.com")
    team_count = max(1, -(-reps // REPS_PER_TEAM))
    managers, teams, rep_users = [], [], []
    for index in range(team_count):
        name, territory, language = TERRITORIES[index % len(TERRITORIES)]
        if index >= len(TERRITORIES):
            name = f"{name} {index // len(TERRITORIES) + 1}"
        manager = person(Role.MANAGER, language, "manager@example.com" if index == 0 else None)
        team = Team(name=name, territory=territory, manager=manager)
        db.session.add(team)
        managers.append(manager)
        teams.append(team)
    for index in range(reps):
        team = teams[index % team_count]
        language = TERRITORIES[(index % team_count) % len(TERRITORIES)][2]
        rep = person(Role.REP, language, "rep@example.com" if index == 0 else None)
        rep.team = team
        rep_users.append(rep)
    for code, name in PRODUCT_LINES:
        if db.session.scalar(select(ProductLine.id).where(ProductLine.code == code)) is None:
            db.session.add(ProductLine(code=code, name=name))
    seed_branding()
    db.session.flush()
    return DemoOrg(admin=admin, hr=hr, managers=managers, reps=rep_users, teams=teams)


def seed_branding() -> None:
    """Give the demo organisation a name, sender, accent colour and logo (the caller commits)."""
    settings = db.session.get(OrganisationSettings, organisation.SETTINGS_ID)
    if settings is None:
        settings = OrganisationSettings(id=organisation.SETTINGS_ID, company_domains=[])
        db.session.add(settings)
    settings.name = ORGANISATION
    settings.sender_name, settings.sender_address = SENDER
    settings.accent_colour = organisation.parse_accent(ACCENT)
    organisation.set_logo(settings, organisation.check_logo(LOGO))


def language_of(user: User) -> str:
    """The language a demo person's customers speak: their own, or for a login that follows
    the browser, their (or their managed) team's territory's; English without a team."""
    if user.language:
        return user.language
    team = user.team or db.session.scalar(select(Team).where(Team.manager_id == user.id).limit(1))
    territory = team.territory if team is not None else None
    return next((lang for _n, place, lang in TERRITORIES if place == territory), "en")

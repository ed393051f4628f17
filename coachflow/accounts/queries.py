"""Set-based reads for pages: each answers in a fixed number of queries, whatever the size."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from coachflow.accounts.models import ProductLine, Role, Team, User
from coachflow.accounts.policy import visible_teams
from coachflow.platform.audit import AuditEvent
from coachflow.platform.extensions import db


@dataclass(frozen=True)
class TeamRow:
    id: int
    name: str
    territory: str
    manager_name: str | None
    reps: int


@dataclass
class HomeOverview:
    """What the home page shows; which parts are filled depends on the role."""

    teams: list[TeamRow] = field(default_factory=list)
    users_by_role: dict[str, int] = field(default_factory=dict)
    product_lines: int = 0
    teams_without_manager: int = 0


def team_rows(teams: Select[tuple[Team]]) -> Select:
    """Teams of ``teams`` with their manager's name and number of active reps, in one query."""
    manager = aliased(User)
    member = aliased(User)
    scoped = teams.subquery()
    return (
        select(
            scoped.c.id,
            scoped.c.name,
            scoped.c.territory,
            manager.name.label("manager_name"),
            func.count(member.id).label("reps"),
        )
        .outerjoin(manager, manager.id == scoped.c.manager_id)
        .outerjoin(
            member,
            (member.team_id == scoped.c.id) & member.active.is_(True) & (member.role == Role.REP),
        )
        .group_by(scoped.c.id, scoped.c.name, scoped.c.territory, manager.name)
        .order_by(scoped.c.name)
    )


def home_overview(user: User) -> HomeOverview:
    """The home page's figures for ``user``'s role."""
    overview = HomeOverview(
        teams=[
            TeamRow(**row._mapping) for row in db.session.execute(team_rows(visible_teams(user)))
        ]
    )
    if user.role is Role.ADMIN:
        counts = dict(
            db.session.execute(
                select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)
            ).all()
        )
        overview.users_by_role = {role.value: counts.get(role, 0) for role in Role}
        overview.product_lines = db.session.scalar(
            select(func.count()).select_from(ProductLine).where(ProductLine.active.is_(True))
        )
        overview.teams_without_manager = sum(1 for t in overview.teams if t.manager_name is None)
    return overview


def user_list(
    *,
    search: str = "",
    role: Role | None = None,
    team_id: int | None = None,
    active: bool | None = None,
) -> Select[tuple[User]]:
    """Users filtered as the admin's list asks, ordered by name."""
    query = select(User).order_by(User.name, User.id)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern), User.email.like(pattern)))
    if role is not None:
        query = query.where(User.role == role)
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    if active is not None:
        query = query.where(User.active.is_(active))
    return query


def team_members(team: Team) -> list[User]:
    """A team's people, reps first, then by name."""
    return list(
        db.session.scalars(
            select(User).where(User.team_id == team.id).order_by(User.active.desc(), User.name)
        )
    )


def managers() -> list[User]:
    """Active managers, for choosing a team's manager."""
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.MANAGER, User.active.is_(True)).order_by(User.name)
        )
    )


def all_teams() -> list[Team]:
    """Every team by name, for choosing a user's team."""
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def product_lines() -> list[ProductLine]:
    """Every product line, active first, then by name."""
    return list(
        db.session.scalars(
            select(ProductLine).order_by(ProductLine.active.desc(), ProductLine.name)
        )
    )


def audit_events() -> Select[tuple[AuditEvent]]:
    """The audit log, newest first, with each actor loaded alongside."""
    return (
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )

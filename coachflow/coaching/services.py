"""Coaching use cases: one function each; they check the rules, own the transaction, audit,
and send the calendar invitations and reminders through the mail job."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from coachflow.accounts.models import Role, User
from coachflow.accounts.organisation import organisation_settings
from coachflow.accounts.policy import may_see_person
from coachflow.coaching import calendar, metrics, policy, queries
from coachflow.coaching.labels import SESSION_KINDS
from coachflow.coaching.models import (
    ActionItem,
    AgendaItem,
    Assessment,
    AssessmentKind,
    CoachingCycle,
    CoachingSession,
    Competency,
    CompetencyList,
    CycleState,
    Debrief,
    Goal,
    GoalUpdate,
    KeyAccount,
    Metric,
    Rating,
    SessionKind,
    SessionState,
    TerritoryPlan,
)
from coachflow.followups import queries as followup_queries
from coachflow.platform import audit, mailing
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.templates_library import COMPETENCIES
from coachflow.sales.models import CustomerAccount

T = TypeVar("T")
MAX_TEXT = 500
REMIND_ACTION_ITEMS = "coachflow.coaching.remind_action_items"


class NotFound(DomainError):
    """The record does not exist or lies outside the person's scope (the same to them)."""

    status_code = 404

    def __init__(self) -> None:
        super().__init__(_("Not found."))


class NotAllowed(DomainError):
    """The person may see the record but this rule refuses them the change."""

    status_code = 403


def _commit(work: Callable[[], T]) -> T:
    try:
        result = work()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def _text(value: str | None, limit: int | None = None) -> str:
    text = (value or "").strip()
    return text[:limit] if limit else text


def time_zone() -> zoneinfo.ZoneInfo:
    """The organisation's time zone, in which sessions are shown and entered."""
    return zoneinfo.ZoneInfo(organisation_settings().time_zone or "Europe/Berlin")


def to_utc(local: datetime.datetime) -> datetime.datetime:
    """A wall-clock time in the organisation's zone (naive) as an aware UTC time."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=time_zone())
    return local.astimezone(datetime.UTC)


# Cycles ----------------------------------------------------------------------------------------


def create_cycle(
    rep_id: int, start: datetime.date, end: datetime.date, *, by: User
) -> CoachingCycle:
    """Open a planned cycle for a rep over ``[start, end)``; the rep's team manager runs it.
    A rep outside ``by``'s teams is ``NotFound``, as if there were none."""
    rep = db.session.get(User, rep_id)
    if rep is None or rep.role is not Role.REP or not may_see_person(by, rep) or rep.id == by.id:
        raise NotFound()
    if end <= start:
        raise DomainError(_("The period must end after it starts."), field="end")
    manager_id = rep.team.manager_id if rep.team is not None else None
    if by.role is Role.MANAGER:
        manager_id = by.id

    def work() -> CoachingCycle:
        cycle = CoachingCycle(
            rep_id=rep.id, manager_id=manager_id, period_start=start, period_end=end
        )
        cycle.plan = TerritoryPlan()
        db.session.add(cycle)
        db.session.flush()
        audit.record(by, "coaching.cycle_created", f"cycle {cycle.id}", f"rep={rep.email}")
        return cycle

    return _commit(work)


def start_cycle(cycle: CoachingCycle, *, by: User) -> None:
    """Planned → active."""
    if cycle.state is not CycleState.PLANNED:
        raise DomainError(_("Only a planned cycle can start."))

    def work() -> None:
        cycle.state = CycleState.ACTIVE
        audit.record(by, "coaching.cycle_started", f"cycle {cycle.id}")

    _commit(work)


def close_cycle(cycle: CoachingCycle, summary: str, *, by: User) -> None:
    """Active → closed, with the manager's closing summary."""
    if cycle.state is not CycleState.ACTIVE:
        raise DomainError(_("Only an active cycle can be closed."))
    if not _text(summary):
        raise DomainError(_("Write a closing summary."), field="summary")

    def work() -> None:
        cycle.state = CycleState.CLOSED
        cycle.summary = _text(summary)
        cycle.closed_at = utcnow()
        audit.record(by, "coaching.cycle_closed", f"cycle {cycle.id}")

    _commit(work)


# Territory plan --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInput:
    key_accounts: Sequence[tuple[int, str]] = ()  # (account id, strategy)
    new_business_percent: int = 30
    channel_partners: str = ""
    targets: str = ""


def save_plan(cycle: CoachingCycle, data: PlanInput, *, by: User, submit: bool = False) -> None:
    """The rep fills their plan (and hands it to the manager with ``submit``). Key accounts
    are the rep's own; an approved plan is not changed."""
    plan = cycle.plan
    if plan is None or plan.approved_at is not None:
        raise DomainError(_("The plan is approved and no longer changes."))
    if not 0 <= data.new_business_percent <= 100:
        raise DomainError(
            _("The share of new business is between 0 and 100 per cent."),
            field="new_business_percent",
        )
    ids = [account_id for account_id, _strategy in data.key_accounts]
    own = set(
        db.session.scalars(
            select(CustomerAccount.id).where(
                CustomerAccount.id.in_(ids), CustomerAccount.owner_id == cycle.rep_id
            )
        )
    )
    if len(own) != len(set(ids)):
        raise DomainError(_("Pick key accounts among the rep's own accounts."), field="accounts")

    def work() -> None:
        plan.key_accounts = [
            KeyAccount(account_id=account_id, strategy=_text(strategy))
            for account_id, strategy in dict(data.key_accounts).items()
        ]
        plan.new_business_percent = data.new_business_percent
        plan.channel_partners = _text(data.channel_partners)
        plan.targets = _text(data.targets)
        if submit:
            plan.submitted_at = utcnow()
        audit.record(by, "coaching.plan_saved", f"cycle {cycle.id}", f"submitted={submit}")

    _commit(work)


def review_plan(cycle: CoachingCycle, comment: str, *, approve: bool, by: User) -> None:
    """The manager comments the plan and, with ``approve``, approves it (once submitted)."""
    plan = cycle.plan
    if plan is None or plan.approved_at is not None:
        raise DomainError(_("The plan is approved and no longer changes."))
    if approve and plan.submitted_at is None:
        raise DomainError(_("The rep has not handed in the plan yet."))

    def work() -> None:
        plan.manager_comment = _text(comment)
        if approve:
            plan.approved_at = utcnow()
            plan.approved_by_id = by.id
        audit.record(by, "coaching.plan_reviewed", f"cycle {cycle.id}", f"approved={approve}")

    _commit(work)


# Goals -----------------------------------------------------------------------------------------


def add_goal(
    cycle: CoachingCycle,
    *,
    title: str,
    metric: Metric | str,
    target: float | None,
    due_on: datetime.date | None,
    by: User,
) -> Goal:
    """A goal of the cycle; refused without a title, a target or a due date in the cycle."""
    if cycle.state is CycleState.CLOSED:
        raise DomainError(_("The cycle is closed."))
    if not _text(title):
        raise DomainError(_("Give the goal a title."), field="title")
    if target is None:
        raise DomainError(_("A goal needs a target."), field="target")
    if due_on is None or not cycle.period_start <= due_on < cycle.period_end:
        raise DomainError(_("The due date lies within the cycle's period."), field="due_on")
    try:
        chosen = Metric(metric)
    except ValueError:
        raise DomainError(_("Choose a metric."), field="metric") from None
    if chosen.is_bound and chosen not in metrics.BOUND:
        raise DomainError(_("This metric cannot be computed yet."), field="metric")

    def work() -> Goal:
        goal = Goal(
            cycle=cycle, title=_text(title, 200), metric=chosen, target=target, due_on=due_on
        )
        db.session.add(goal)
        db.session.flush()
        audit.record(by, "coaching.goal_added", f"goal {goal.id}", f"{chosen}={target}")
        return goal

    return _commit(work)


def update_manual_goal(goal: Goal, value: float | None, comment: str, *, by: User) -> None:
    """Set a manual goal's value by hand, saying why; a bound goal's value is never typed."""
    if goal.metric.is_bound:
        raise DomainError(_("This goal's progress comes from the data."))
    if value is None:
        raise DomainError(_("Enter the value reached."), field="value")
    if not _text(comment):
        raise DomainError(_("Say in a comment what changed."), field="comment")

    def work() -> None:
        goal.manual_value = value
        goal.updates.append(GoalUpdate(value=value, comment=_text(comment), by_id=by.id))
        audit.record(by, "coaching.goal_updated", f"goal {goal.id}", f"value={value}")

    _commit(work)


# Sessions --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInput:
    kind: SessionKind | str
    starts_at: datetime.datetime  # aware, or naive in the organisation's time zone
    duration_minutes: int = 60
    place: str = ""
    account_id: int | None = None
    objective: str = ""
    customer_needs: str = ""
    objections: str = ""
    questions: str = ""
    agenda: Sequence[str] = field(default_factory=tuple)


def _upcoming(starts_at: datetime.datetime) -> datetime.datetime:
    moment = to_utc(starts_at)
    if moment <= utcnow():
        local = moment.astimezone(time_zone()).strftime("%Y-%m-%d %H:%M")
        raise DomainError(
            _(
                "%(when)s is in the past: a session is scheduled for a time still to come.",
                when=local,
            ),
            field="starts_at",
        )
    return moment


def schedule_session(cycle: CoachingCycle, data: SessionInput, *, by: User) -> CoachingSession:
    """Schedule a session still to come and send both people the invitation (``.ics``)."""
    if cycle.state is CycleState.CLOSED:
        raise DomainError(_("The cycle is closed."))
    try:
        kind = SessionKind(data.kind)
    except ValueError:
        raise DomainError(_("Choose the kind of session."), field="kind") from None
    starts_at = _upcoming(data.starts_at)
    if not 0 < data.duration_minutes <= 24 * 60:
        raise DomainError(_("A session lasts up to a day."), field="duration_minutes")
    account_id = _rep_account(cycle, data.account_id)

    def work() -> CoachingSession:
        session = CoachingSession(
            cycle=cycle,
            kind=kind,
            starts_at=starts_at,
            duration_minutes=data.duration_minutes,
            place=_text(data.place, 200),
            account_id=account_id,
            objective=_text(data.objective),
            customer_needs=_text(data.customer_needs),
            objections=_text(data.objections),
            questions=_text(data.questions),
            sequence=0,
        )
        session.agenda = [
            AgendaItem(text=_text(point, MAX_TEXT), added_by_id=by.id)
            for point in data.agenda
            if _text(point)
        ]
        db.session.add(session)
        db.session.flush()
        audit.record(by, "coaching.session_scheduled", f"session {session.id}", str(kind))
        return session

    session = _commit(work)
    send_invitations(session, calendar.REQUEST)
    return session


def _rep_account(cycle: CoachingCycle, account_id: int | None) -> int | None:
    if account_id is None:
        return None
    account = db.session.get(CustomerAccount, account_id)
    if account is None or account.owner_id != cycle.rep_id:
        raise DomainError(_("Pick one of the rep's accounts."), field="account_id")
    return account_id


def move_session(
    session: CoachingSession,
    starts_at: datetime.datetime,
    *,
    by: User,
    duration_minutes: int | None = None,
    place: str | None = None,
) -> None:
    """Move a session to another time still to come; both get the updated invitation (its
    SEQUENCE raised)."""
    if session.state is SessionState.CANCELLED:
        raise DomainError(_("The session is cancelled."))
    moment = _upcoming(starts_at)

    def work() -> None:
        session.starts_at = moment
        if duration_minutes:
            session.duration_minutes = duration_minutes
        if place is not None:
            session.place = _text(place, 200)
        session.sequence += 1
        audit.record(by, "coaching.session_moved", f"session {session.id}", moment.isoformat())

    _commit(work)
    send_invitations(session, calendar.REQUEST)


def cancel_session(session: CoachingSession, *, by: User) -> None:
    """Cancel a session; both get the cancellation (METHOD:CANCEL)."""
    if session.state is SessionState.CANCELLED:
        raise DomainError(_("The session is cancelled already."))

    def work() -> None:
        session.state = SessionState.CANCELLED
        session.sequence += 1
        audit.record(by, "coaching.session_cancelled", f"session {session.id}")

    _commit(work)
    send_invitations(session, calendar.CANCEL)


def add_agenda_item(session_id: int, text: str, by: User) -> None:
    """Add a point to a session's agenda. Only the rep and the manager of its cycle (or HR
    and admin) may; a session they may not see is ``NotFound``; a cancelled or past session
    takes no more points (``DomainError``)."""
    session = db.session.get(CoachingSession, session_id)
    if session is None or not policy.may_see_cycle(by, session):
        raise NotFound()
    if not policy.takes_part(by, session):
        raise NotAllowed(_("Only the rep and their manager set the agenda."))
    point = _text(text)
    if not point:
        raise DomainError(_("Write the agenda point."), field="text")
    if len(point) > MAX_TEXT:
        raise DomainError(
            _("Keep an agenda point under %(max)d characters.", max=MAX_TEXT), field="text"
        )
    if session.state is SessionState.CANCELLED:
        raise DomainError(_("The session is cancelled."))

    def work() -> None:
        db.session.add(AgendaItem(session_id=session.id, text=point, added_by_id=by.id))
        audit.record(by, "coaching.agenda_item_added", f"session {session.id}")

    _commit(work)


def pull_agenda(session: CoachingSession, *, by: User, today: datetime.date | None = None) -> int:
    """Add to the agenda the cycle's goals behind pace, the rep's open follow-up cases and the
    open action items of the cycle's previous session; returns how many points were added
    (none twice)."""
    cycle = session.cycle
    today = today or utcnow().date()
    behind = [
        shown.goal.title
        for shown in queries.progress_of(queries.goal_rows(Goal.cycle_id == cycle.id), today)
        if shown.pace.behind
    ]
    earlier = [s for s in cycle.sessions if s.starts_at < session.starts_at and s.id != session.id]
    previous = earlier[-1] if earlier else None
    open_items = [
        item.text
        for item in cycle.action_items
        if previous is not None and item.session_id == previous.id and item.done_at is None
    ]
    cases = followup_queries.open_cases_of(cycle.rep_id)
    present = {point.text for point in session.agenda}
    points = [_("Goal behind pace: %(title)s", title=title) for title in behind]
    points += [
        _(
            "Open follow-up case: %(customer)s, due %(day)s",
            customer=case.customer or _("a customer"),
            day=case.due_at.date().isoformat(),
        )
        for case in cases
    ]
    points += [_("Open action item: %(text)s", text=text) for text in open_items]
    new = [point[:MAX_TEXT] for point in points if point[:MAX_TEXT] not in present]

    def work() -> int:
        for point in new:
            session.agenda.append(AgendaItem(text=point, added_by_id=by.id))
        audit.record(by, "coaching.agenda_pulled", f"session {session.id}", f"added={len(new)}")
        return len(new)

    return _commit(work)


# Calendar invitations --------------------------------------------------------------------------


def ics_of(session: CoachingSession, method: str | None = None) -> bytes:
    """The session's ``.ics``: a request, or a cancellation once cancelled."""
    cycle = session.cycle
    if method is None:
        method = calendar.CANCEL if session.state is SessionState.CANCELLED else calendar.REQUEST
    manager = cycle.manager or cycle.rep
    agenda = "\n".join(f"- {point.text}" for point in session.agenda)
    return calendar.invitation(
        uid=session.uid,
        sequence=session.sequence,
        method=method,
        summary=f"{SESSION_KINDS[session.kind]}: {cycle.rep.name} / {manager.name}",
        description=agenda,
        location=session.place,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        organizer=(manager.email, manager.name),
        attendee=(cycle.rep.email, cycle.rep.name),
        stamp=utcnow(),
    )


def send_invitations(session: CoachingSession, method: str) -> None:
    """Mail the rep and the manager the session with its ``.ics`` attached."""
    cycle = session.cycle
    people = [cycle.rep] + ([cycle.manager] if cycle.manager is not None else [])
    ics = ics_of(session, method).decode()
    zone = time_zone()
    local = session.starts_at.astimezone(zone)
    if method == calendar.CANCEL:
        subject = _l("Cancelled: coaching session on %(day)s", day=local.strftime("%Y-%m-%d"))
    elif session.sequence:
        subject = _l("Moved: coaching session on %(day)s", day=local.strftime("%Y-%m-%d"))
    else:
        subject = _l("Coaching session on %(day)s", day=local.strftime("%Y-%m-%d"))
    for person in people:
        message = mailing.prepare(
            person.email,
            subject,
            "mail/coaching_session",
            language=person.language or "en",
            person=person,
            session=session,
            kind=SESSION_KINDS[session.kind],
            when=local.strftime("%Y-%m-%d %H:%M"),
            zone=zone.key,
            cancelled=method == calendar.CANCEL,
            moved=bool(session.sequence) and method != calendar.CANCEL,
            other=cycle.manager if person.id == cycle.rep_id else cycle.rep,
        )
        message["attachments"] = [
            {
                "filename": "invite.ics",
                "content": ics,
                "subtype": "calendar",
                "params": {"method": method},
            }
        ]
        mailing.enqueue(message)


# Debriefs and action items ---------------------------------------------------------------------


@dataclass(frozen=True)
class NextStep:
    text: str
    owner_id: int
    due_on: datetime.date


@dataclass(frozen=True)
class DebriefInput:
    what_happened: str
    went_well: str = ""
    do_differently: str = ""
    next_steps: Sequence[NextStep] = ()


def save_debrief(session: CoachingSession, data: DebriefInput, *, by: User) -> Debrief:
    """Debrief a session that took place; its next steps become action items of either person.
    Only the two who attended (the cycle's rep and manager) debrief it."""
    cycle = session.cycle
    if by.id not in (cycle.rep_id, cycle.manager_id):
        raise NotAllowed(_("Only the two people who attended the session debrief it."))
    if session.state is SessionState.CANCELLED:
        raise DomainError(_("The session is cancelled."))
    if session.starts_at > utcnow():
        raise DomainError(_("The session has not taken place yet."))
    if session.debrief is not None:
        raise DomainError(_("The session is debriefed already."))
    if not _text(data.what_happened):
        raise DomainError(_("Say what happened."), field="what_happened")
    people = {cycle.rep_id, cycle.manager_id}
    for step in data.next_steps:
        if step.owner_id not in people:
            raise DomainError(_("A next step belongs to the rep or the manager."), field="owner")
        if not _text(step.text):
            raise DomainError(_("Describe each next step."), field="next_steps")

    def work() -> Debrief:
        debrief = Debrief(
            session=session,
            what_happened=_text(data.what_happened),
            went_well=_text(data.went_well),
            do_differently=_text(data.do_differently),
            author_id=by.id,
        )
        db.session.add(debrief)
        for step in data.next_steps:
            db.session.add(
                ActionItem(
                    cycle_id=cycle.id,
                    session_id=session.id,
                    text=_text(step.text, MAX_TEXT),
                    owner_id=step.owner_id,
                    due_on=step.due_on,
                )
            )
        audit.record(
            by, "coaching.debriefed", f"session {session.id}", f"steps={len(data.next_steps)}"
        )
        return debrief

    return _commit(work)


def complete_action_item(item: ActionItem, *, by: User) -> None:
    """Mark an action item done (either of the two people may)."""
    if item.done_at is not None:
        return

    def work() -> None:
        item.done_at = utcnow()
        audit.record(by, "coaching.action_item_done", f"action item {item.id}")

    _commit(work)


def remind_action_items(today: datetime.date | None = None) -> int:
    """Mail each open action item's owner once when it falls due; returns how many went out."""
    today = today or utcnow().date()
    due = db.session.scalars(
        select(ActionItem)
        .where(
            ActionItem.done_at.is_(None),
            ActionItem.reminded_at.is_(None),
            ActionItem.due_on <= today,
        )
        .order_by(ActionItem.id)
        .limit(500)
    ).all()
    for item in due:
        owner = item.owner
        mailing.enqueue(
            mailing.prepare(
                owner.email,
                _l("Action item due: %(text)s", text=item.text[:60]),
                "mail/coaching_action_item",
                language=owner.language or "en",
                person=owner,
                item=item,
            )
        )
        item.reminded_at = utcnow()
    db.session.commit()
    return len(due)


# Assessments -----------------------------------------------------------------------------------


def current_competencies() -> CompetencyList:
    """The latest version of the competency list; the sales performance standard's list is the
    first version, made on first use."""
    latest = db.session.scalars(
        select(CompetencyList).order_by(CompetencyList.version.desc()).limit(1)
    ).first()
    if latest is not None:
        return latest
    first = standard_competencies()
    db.session.add(first)
    db.session.commit()
    return first


def standard_competencies() -> CompetencyList:
    """Version 1: the sales performance standard's competencies, named as the manager
    assessment template of the questionnaires names them (the caller adds and commits)."""
    first = CompetencyList(version=1)
    first.competencies = [
        Competency(position=index, key=item.key, names=dict(item.manager_texts))
        for index, item in enumerate(COMPETENCIES)
    ]
    return first


def save_competencies(names: Sequence[str], *, by: User, language: str = "en") -> CompetencyList:
    """A new version of the competency list (the old one stays for the assessments made on
    it): one competency per line; names kept from the previous version keep their other
    languages."""
    lines = [_text(name, 200) for name in names if _text(name)]
    if not lines:
        raise DomainError(_("List at least one competency."), field="names")
    if len(set(lines)) != len(lines):
        raise DomainError(_("Each competency appears once."), field="names")
    previous = current_competencies()
    known = {c.name_in(language): c for c in previous.competencies}

    def work() -> CompetencyList:
        made = CompetencyList(version=previous.version + 1, created_by_id=by.id)
        made.competencies = [
            Competency(
                position=index,
                key=known[line].key if line in known else f"custom_{index}",
                names=dict(known[line].names) if line in known else {language: line},
            )
            for index, line in enumerate(lines)
        ]
        db.session.add(made)
        audit.record(by, "coaching.competencies_saved", f"version {made.version}")
        return made

    return _commit(work)


def latest_assessment(cycle: CoachingCycle, kind: AssessmentKind) -> Assessment | None:
    return db.session.scalars(
        select(Assessment)
        .where(Assessment.cycle_id == cycle.id, Assessment.kind == kind)
        .order_by(Assessment.version.desc())
        .limit(1)
    ).first()


def assessment_kind_of(cycle: CoachingCycle, by: User) -> AssessmentKind:
    """Which assessment ``by`` writes in ``cycle``: the rep their own, the manager theirs."""
    if by.id == cycle.rep_id:
        return AssessmentKind.SELF
    if by.id == cycle.manager_id or (by.role is Role.MANAGER and policy.may_run_cycle(by, cycle)):
        return AssessmentKind.MANAGER
    raise NotAllowed(_("Only the rep and their manager assess."))


def save_assessment(
    cycle: CoachingCycle,
    ratings: dict[int, tuple[int | None, str]],
    *,
    by: User,
    submit: bool = False,
) -> Assessment:
    """Save (and with ``submit`` hand in) ``by``'s assessment: competency id → (1–5, comment).
    A submitted assessment is final; ``correct_assessment`` starts a new version. The manager
    writes theirs once the rep has handed in the self-assessment."""
    kind = assessment_kind_of(cycle, by)
    if kind is AssessmentKind.MANAGER:
        rep_first = latest_assessment(cycle, AssessmentKind.SELF)
        if rep_first is None or _first_submitted(cycle, AssessmentKind.SELF) is None:
            raise DomainError(_("The rep answers first: wait for their self-assessment."))
    current = latest_assessment(cycle, kind)
    if current is not None and current.submitted_at is not None:
        raise DomainError(
            _("A submitted assessment cannot be edited: start a correction, a new version.")
        )
    competency_list = current.competency_list if current else current_competencies()
    allowed = {c.id for c in competency_list.competencies}
    for competency_id, (rating, _comment) in ratings.items():
        if competency_id not in allowed:
            raise DomainError(_("Rate the competencies of the list."))
        if rating is not None and not 1 <= rating <= 5:
            raise DomainError(_("Rate each competency from 1 to 5."))
    if submit and any(ratings.get(c, (None, ""))[0] is None for c in allowed):
        raise DomainError(_("Rate every competency before handing in."))

    def work() -> Assessment:
        assessment = current
        if assessment is None:
            assessment = Assessment(
                cycle_id=cycle.id,
                kind=kind,
                version=1,
                list_id=competency_list.id,
                author_id=by.id,
            )
            db.session.add(assessment)
        # Changed in place: replacing the rows would insert before the old ones are deleted.
        existing = {r.competency_id: r for r in assessment.ratings}
        for cid, (rating, comment) in ratings.items():
            row = existing.pop(cid, None)
            if rating is None:
                if row is not None:
                    assessment.ratings.remove(row)
                continue
            if row is None:
                assessment.ratings.append(Rating(competency_id=cid, rating=rating))
                row = assessment.ratings[-1]
            row.rating, row.comment = rating, _text(comment)
        if submit:
            assessment.submitted_at = utcnow()
        db.session.flush()
        audit.record(
            by, "coaching.assessment_saved", f"cycle {cycle.id}", f"{kind} v{assessment.version}"
        )
        return assessment

    return _commit(work)


def _first_submitted(cycle: CoachingCycle, kind: AssessmentKind) -> Assessment | None:
    return db.session.scalars(
        select(Assessment)
        .where(
            Assessment.cycle_id == cycle.id,
            Assessment.kind == kind,
            Assessment.submitted_at.is_not(None),
        )
        .limit(1)
    ).first()


def correct_assessment(cycle: CoachingCycle, *, by: User) -> Assessment:
    """A new draft version of ``by``'s submitted assessment, its ratings copied; the submitted
    one is kept as it was."""
    kind = assessment_kind_of(cycle, by)
    current = latest_assessment(cycle, kind)
    if current is None or current.submitted_at is None:
        raise DomainError(_("Only a submitted assessment is corrected."))

    def work() -> Assessment:
        draft = Assessment(
            cycle_id=cycle.id,
            kind=kind,
            version=current.version + 1,
            list_id=current.list_id,
            author_id=by.id,
        )
        draft.ratings = [
            Rating(competency_id=r.competency_id, rating=r.rating, comment=r.comment)
            for r in current.ratings
        ]
        db.session.add(draft)
        db.session.flush()
        audit.record(by, "coaching.assessment_corrected", f"cycle {cycle.id}", f"{kind}")
        return draft

    return _commit(work)

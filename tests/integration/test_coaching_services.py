"""Coaching use cases and the bad input they refuse: agenda points, sessions with calendar
invitations, goals, debriefs and action items, assessments."""

from __future__ import annotations

import datetime

import pytest
from icalendar import Calendar

from coachflow.coaching import services
from coachflow.coaching.models import (
    ActionItem,
    AgendaItem,
    AssessmentKind,
    CoachingSession,
    Metric,
    SessionKind,
    SessionState,
)
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from tests.integration.coaching_data import account_of, cycle_of, goal_of, session_at, user


def _later(days: int = 2) -> datetime.datetime:
    return (utcnow() + datetime.timedelta(days=days)).replace(microsecond=0)


# Agenda ----------------------------------------------------------------------------------------


def test_either_person_adds_an_agenda_point(app, org):
    with app.app_context():
        session = session_at(cycle_of(org), _later())
        db.session.commit()
        services.add_agenda_item(session.id, "  Pipeline review ", user(org.rep))
        services.add_agenda_item(session.id, "Ride-along debrief", user(org.manager))
        points = db.session.scalars(db.select(AgendaItem.text).order_by(AgendaItem.id)).all()
    assert points == ["Pipeline review", "Ride-along debrief"]


@pytest.mark.parametrize(
    ("who", "error"),
    [("other_manager", services.NotFound), ("other_rep", services.NotFound)],
)
def test_an_agenda_point_for_someone_elses_session_is_not_found(app, org, who, error):
    with app.app_context():
        session = session_at(cycle_of(org), _later())
        db.session.commit()
        with pytest.raises(error) as raised:
            services.add_agenda_item(session.id, "Sneak in", user(getattr(org, who)))
    assert raised.value.status_code == 404


def test_an_unknown_session_is_not_found(app, org):
    with app.app_context(), pytest.raises(services.NotFound):
        services.add_agenda_item(999_999, "Anything", user(org.manager))


@pytest.mark.parametrize("text", ["", "   ", "x" * 501])
def test_an_empty_or_overlong_agenda_point_is_refused(app, org, text):
    with app.app_context():
        session = session_at(cycle_of(org), _later())
        db.session.commit()
        with pytest.raises(DomainError):
            services.add_agenda_item(session.id, text, user(org.manager))
        assert db.session.scalar(db.select(db.func.count(AgendaItem.id))) == 0


def test_a_cancelled_session_takes_no_agenda_point(app, org):
    with app.app_context():
        session = session_at(cycle_of(org), _later(), state=SessionState.CANCELLED)
        db.session.commit()
        with pytest.raises(DomainError, match="cancelled"):
            services.add_agenda_item(session.id, "Too late", user(org.rep))


def test_pulling_the_agenda_adds_goals_behind_and_last_sessions_open_items(app, org):
    today = utcnow().date()
    with app.app_context():
        cycle = cycle_of(org, start=today - datetime.timedelta(days=30))
        goal_of(cycle, Metric.REVENUE, 10_000, today + datetime.timedelta(days=30), title="Q rev")
        previous = session_at(cycle, utcnow() - datetime.timedelta(days=7))
        db.session.add(
            ActionItem(
                cycle_id=cycle.id,
                session_id=previous.id,
                owner_id=org.rep,
                due_on=today,
                text="Send the quote",
            )
        )
        upcoming = session_at(cycle, _later())
        db.session.commit()
        added = services.pull_agenda(upcoming, by=user(org.manager))
        again = services.pull_agenda(upcoming, by=user(org.manager))
        points = [p.text for p in upcoming.agenda]
    assert added == 2
    assert again == 0
    assert points == ["Goal behind pace: Q rev", "Open action item: Send the quote"]


# Sessions and their calendar invitations -------------------------------------------------------


def _ics(message) -> Calendar:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == message_method(parts[0])
    return Calendar.from_ical(parts[0].get_content())


def message_method(part) -> str:
    return Calendar.from_ical(part.get_content())["METHOD"]


def test_a_scheduled_session_mails_both_an_invitation_that_parses(app, org, mailbox):
    starts = _later(3)
    with app.app_context():
        cycle = cycle_of(org)
        session = services.schedule_session(
            cycle,
            services.SessionInput(
                kind=SessionKind.FIELD_VISIT, starts_at=starts, place="Acme, Berlin"
            ),
            by=user(org.manager),
        )
        uid = session.uid
    for address in ("rep@example.com", "manager@example.com"):
        [message] = mailbox.to(address)
        calendar = _ics(message)
        [event] = calendar.walk("VEVENT")
        assert calendar["METHOD"] == "REQUEST"
        assert str(event["UID"]) == uid
        assert int(event["SEQUENCE"]) == 0
        assert event.decoded("DTSTART") == starts
        assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
        assert "manager@example.com" in str(event["ORGANIZER"])
        assert "rep@example.com" in str(event["ATTENDEE"])
        assert "Acme, Berlin" in message.get_body(("plain",)).get_content()


def test_moving_raises_the_sequence_and_cancelling_sends_a_cancel(app, org, mailbox):
    with app.app_context():
        session = services.schedule_session(
            cycle_of(org),
            services.SessionInput(kind=SessionKind.ONE_ON_ONE, starts_at=_later(3)),
            by=user(org.manager),
        )
        services.move_session(session, _later(4), by=user(org.manager))
        services.cancel_session(session, by=user(org.manager))
        uid = session.uid
    events = [_ics(m) for m in mailbox.to("rep@example.com")]
    assert [(c["METHOD"], int(c.walk("VEVENT")[0]["SEQUENCE"])) for c in events] == [
        ("REQUEST", 0),
        ("REQUEST", 1),
        ("CANCEL", 2),
    ]
    assert {str(c.walk("VEVENT")[0]["UID"]) for c in events} == {uid}
    assert str(events[-1].walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


def test_a_session_in_the_past_is_refused_with_the_reason(app, org, mailbox):
    with app.app_context():
        cycle = cycle_of(org)
        db.session.commit()
        with pytest.raises(DomainError, match="in the past") as raised:
            services.schedule_session(
                cycle,
                services.SessionInput(
                    kind=SessionKind.ONE_ON_ONE, starts_at=utcnow() - datetime.timedelta(hours=1)
                ),
                by=user(org.manager),
            )
        assert db.session.scalar(db.select(db.func.count(CoachingSession.id))) == 0
    assert raised.value.field == "starts_at"
    assert mailbox.messages == []


def test_a_naive_time_is_read_in_the_organisations_time_zone(app, org, mailbox):
    local = (utcnow() + datetime.timedelta(days=10)).replace(
        hour=9, minute=0, second=0, microsecond=0, tzinfo=None
    )
    with app.app_context():
        session = services.schedule_session(
            cycle_of(org),
            services.SessionInput(kind=SessionKind.TRAINING, starts_at=local),
            by=user(org.manager),
        )
        zone = services.time_zone()
        starts_at = session.starts_at
    assert zone.key == "Europe/Berlin"
    assert starts_at == local.replace(tzinfo=zone)
    assert starts_at.utcoffset() == datetime.timedelta(0)


# Cycles and goals ------------------------------------------------------------------------------


def test_a_cycle_for_a_rep_outside_the_managers_teams_is_not_found(app, org):
    start = datetime.date(2026, 1, 1)
    with app.app_context():
        with pytest.raises(services.NotFound):
            services.create_cycle(
                org.other_rep, start, datetime.date(2026, 4, 1), by=user(org.manager)
            )
        cycle = services.create_cycle(
            org.rep, start, datetime.date(2026, 4, 1), by=user(org.manager)
        )
        assert (cycle.manager_id, cycle.plan is not None) == (org.manager, True)


def test_a_goal_without_a_target_is_refused(app, org):
    with app.app_context():
        cycle = cycle_of(org)
        with pytest.raises(DomainError, match="target") as raised:
            services.add_goal(
                cycle,
                title="More revenue",
                metric=Metric.REVENUE,
                target=None,
                due_on=cycle.period_start,
                by=user(org.manager),
            )
    assert raised.value.field == "target"


def test_a_bound_goals_value_is_never_typed(app, org):
    with app.app_context():
        goal = goal_of(cycle_of(org), Metric.REVENUE, 100, utcnow().date())
        with pytest.raises(DomainError, match="from the data"):
            services.update_manual_goal(goal, 50, "typed", by=user(org.manager))


# Debriefs, action items and reminders ----------------------------------------------------------


def test_a_debrief_turns_next_steps_into_action_items(app, org):
    today = utcnow().date()
    with app.app_context():
        cycle = cycle_of(org)
        session = session_at(cycle, utcnow() - datetime.timedelta(hours=3))
        db.session.commit()
        services.save_debrief(
            session,
            services.DebriefInput(
                what_happened="Met the buyer",
                went_well="Discovery questions",
                do_differently="Talk less",
                next_steps=[
                    services.NextStep("Send the proposal", org.rep, today),
                    services.NextStep("Call their CFO", org.manager, today),
                ],
            ),
            by=user(org.rep),
        )
        items = db.session.execute(
            db.select(ActionItem.text, ActionItem.owner_id).order_by(ActionItem.id)
        ).all()
    assert items == [("Send the proposal", org.rep), ("Call their CFO", org.manager)]


def test_a_debrief_by_someone_who_did_not_attend_is_refused(app, org):
    with app.app_context():
        session = session_at(cycle_of(org), utcnow() - datetime.timedelta(hours=3))
        db.session.commit()
        for outsider in (org.hr, org.other_manager):
            with pytest.raises(DomainError, match="attended"):
                services.save_debrief(
                    session,
                    services.DebriefInput(what_happened="I was not there"),
                    by=user(outsider),
                )
        assert session.debrief is None


def test_a_due_action_item_is_reminded_once(app, org, mailbox):
    today = utcnow().date()
    with app.app_context():
        cycle = cycle_of(org)
        db.session.add(ActionItem(cycle_id=cycle.id, owner_id=org.rep, due_on=today, text="Quote"))
        db.session.add(
            ActionItem(
                cycle_id=cycle.id,
                owner_id=org.rep,
                due_on=today + datetime.timedelta(days=3),
                text="Later",
            )
        )
        db.session.commit()
        assert services.remind_action_items() == 1
        assert services.remind_action_items() == 0
    [message] = mailbox.to("rep@example.com")
    assert "Quote" in message["Subject"]


# Assessments -----------------------------------------------------------------------------------


def _all(rating: int) -> dict[int, tuple[int, str]]:
    return {c.id: (rating, "") for c in services.current_competencies().competencies}


def test_the_rep_answers_first_and_a_submitted_assessment_is_final(app, org):
    with app.app_context():
        cycle = cycle_of(org)
        db.session.commit()
        with pytest.raises(DomainError, match="first"):
            services.save_assessment(cycle, _all(3), by=user(org.manager), submit=True)
        mine = services.save_assessment(cycle, _all(4), by=user(org.rep), submit=True)
        assert mine.kind is AssessmentKind.SELF
        with pytest.raises(DomainError, match="cannot be edited"):
            services.save_assessment(cycle, _all(2), by=user(org.rep))
        correction = services.correct_assessment(cycle, by=user(org.rep))
        services.save_assessment(cycle, _all(2), by=user(org.rep), submit=True)
        theirs = services.save_assessment(cycle, _all(5), by=user(org.manager), submit=True)
        assert (correction.version, theirs.kind) == (2, AssessmentKind.MANAGER)
        assert {r.rating for r in mine.ratings} == {4}  # the first version is kept as it was
        assert {r.rating for r in correction.ratings} == {2}


def test_a_new_competency_list_keeps_the_old_one(app, org):
    with app.app_context():
        first = services.current_competencies()
        names = [*[c.name_in("en") for c in first.competencies][:2], "Uses the new CRM"]
        second = services.save_competencies(names, by=user(org.hr))
        assert (first.version, second.version) == (1, 2)
        assert len(first.competencies) == 14
        assert second.competencies[0].names["de"] == first.competencies[0].names["de"]
        assert second.competencies[2].names == {"en": "Uses the new CRM"}


def test_an_account_outside_the_reps_is_refused_for_a_call_preparation(app, org):
    with app.app_context():
        cycle = cycle_of(org)
        foreign = account_of(org.other_rep, "Other Co")
        db.session.commit()
        with pytest.raises(DomainError, match="rep's accounts"):
            services.schedule_session(
                cycle,
                services.SessionInput(
                    kind=SessionKind.CALL_PREPARATION, starts_at=_later(), account_id=foreign.id
                ),
                by=user(org.manager),
            )


# Follow-ups: the resolution-rate goal and the agenda ------------------------------------------


def test_a_resolution_rate_goal_reads_the_follow_up_cases(app, org):
    from coachflow.coaching import queries
    from coachflow.followups.models import CaseState
    from tests.followup_factories import make_case

    start = datetime.date(2026, 1, 1)
    opened = datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.UTC)
    with app.app_context():
        cycle = cycle_of(org, start=start, end=datetime.date(2026, 4, 1))
        for state in (CaseState.RESOLVED, CaseState.RESOLVED, CaseState.COULD_NOT_RESOLVE):
            make_case(
                org.rep,
                org.team,
                opened_at=opened,
                state=state,
                closed_after=datetime.timedelta(days=1),
            )
        make_case(org.rep, org.team, opened_at=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC))
        goal_of(cycle, Metric.RESOLUTION_RATE, 60, datetime.date(2026, 3, 31))
        db.session.commit()
        [shown] = queries.progress_of(queries.goal_rows(), datetime.date(2026, 3, 31))
    assert shown.pace.value == pytest.approx(200 / 3)
    assert shown.pace.met


def test_pulling_the_agenda_adds_the_reps_open_follow_up_cases(app, org):
    from tests.followup_factories import make_case

    with app.app_context():
        cycle = cycle_of(org)
        make_case(org.rep, org.team, opened_at=utcnow(), account="Kunde GmbH")
        make_case(org.other_rep, org.other_team, opened_at=utcnow(), account="Not ours")
        upcoming = session_at(cycle, _later())
        db.session.commit()
        services.pull_agenda(upcoming, by=user(org.manager))
        points = [p.text for p in upcoming.agenda]
    assert len(points) == 1
    assert points[0].startswith("Open follow-up case: Kunde GmbH, due ")


def test_hr_reads_the_assessments_but_writes_neither(app, org):
    with app.app_context():
        cycle = cycle_of(org)
        db.session.commit()
        with pytest.raises(DomainError, match="assess") as raised:
            services.save_assessment(cycle, _all(3), by=user(org.hr))
    assert raised.value.status_code == 403

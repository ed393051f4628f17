"""Forms of the coaching pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from coachflow.coaching.labels import METRICS, SESSION_KINDS
from coachflow.coaching.models import CoachingCycle, Competency, Metric
from coachflow.coaching.services import DebriefInput, NextStep, PlanInput, SessionInput
from coachflow.platform.errors import DomainError

MAX = 5000


class NewCycleForm(FlaskForm):
    # The service decides: a rep outside one's teams is not found (404), as an unknown id is.
    rep = SelectField(_l("Rep"), coerce=int, validators=[InputRequired()], validate_choice=False)
    start = DateField(_l("First day"), validators=[InputRequired()])
    end = DateField(_l("Last day"), validators=[InputRequired()])
    submit = SubmitField(_l("Open the cycle"))


class KeyAccountForm(FlaskForm):
    class Meta:
        csrf = False

    account = SelectField(_l("Key account"), coerce=int, validators=[Optional()])
    strategy = TextAreaField(_l("Strategy for this account"), validators=[Length(max=MAX)])


class PlanForm(FlaskForm):
    key_accounts = FieldList(FormField(KeyAccountForm), min_entries=5, max_entries=5)
    new_business_percent = IntegerField(
        _l("New business, in per cent of the effort (the rest is account management)"),
        validators=[InputRequired(), NumberRange(0, 100)],
    )
    channel_partners = TextAreaField(_l("Channel partners"), validators=[Length(max=MAX)])
    targets = TextAreaField(_l("The plan's targets"), validators=[Length(max=MAX)])
    save = SubmitField(_l("Save the plan"))
    submit = SubmitField(_l("Hand the plan to my manager"))

    def offer(self, accounts: list[tuple[int, str]]) -> None:
        for entry in self.key_accounts:
            entry.form.account.choices = [SelectChoice(0, "—")] + [
                SelectChoice(account_id, name) for account_id, name in accounts
            ]


class PlanReviewForm(FlaskForm):
    comment = TextAreaField(_l("Your comment"), validators=[Length(max=MAX)])
    save = SubmitField(_l("Save the comment"))
    approve = SubmitField(_l("Approve the plan"))


class GoalForm(FlaskForm):
    title = StringField(_l("Goal"), validators=[InputRequired(), Length(max=200)])
    metric = SelectField(_l("Metric"))
    # Checked by the service, which says why a goal without a target is refused.
    target = DecimalField(_l("Target"), validators=[Optional()])
    due_on = DateField(_l("Due date"), validators=[Optional()])
    submit = SubmitField(_l("Add the goal"))

    def __init__(self, *args: object, offered: frozenset[Metric], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.metric.choices = [
            SelectChoice(m.value, label) for m, label in METRICS.items() if m in offered
        ]


class GoalValueForm(FlaskForm):
    value = DecimalField(_l("Value reached"), validators=[InputRequired()])
    comment = StringField(_l("What changed"), validators=[InputRequired(), Length(max=500)])
    submit = SubmitField(_l("Update"))


class SessionForm(FlaskForm):
    kind = SelectField(_l("Kind"))
    starts_at = DateTimeLocalField(
        _l("Date and time"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    duration_minutes = IntegerField(
        _l("Duration in minutes"), default=60, validators=[InputRequired(), NumberRange(5, 1440)]
    )
    place = StringField(_l("Place"), validators=[Length(max=200)])
    agenda = TextAreaField(_l("Agenda (one point per line)"), validators=[Length(max=MAX)])
    account = SelectField(_l("Account (call preparation)"), coerce=int, validators=[Optional()])
    objective = TextAreaField(_l("Objective of the call"), validators=[Length(max=MAX)])
    customer_needs = TextAreaField(_l("The customer's likely needs"), validators=[Length(max=MAX)])
    objections = TextAreaField(_l("Likely objections"), validators=[Length(max=MAX)])
    questions = TextAreaField(_l("Questions to ask"), validators=[Length(max=MAX)])
    submit = SubmitField(_l("Schedule and send the invitation"))

    def offer(self, accounts: list[tuple[int, str]]) -> None:
        self.kind.choices = [SelectChoice(k.value, v) for k, v in SESSION_KINDS.items()]
        self.account.choices = [SelectChoice(0, "—")] + [
            SelectChoice(account_id, name) for account_id, name in accounts
        ]


class MoveForm(FlaskForm):
    starts_at = DateTimeLocalField(
        _l("New date and time"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    submit = SubmitField(_l("Move and send the update"))


class AgendaForm(FlaskForm):
    text = StringField(_l("Agenda point"), validators=[InputRequired(), Length(max=500)])
    submit = SubmitField(_l("Add"))


class NextStepForm(FlaskForm):
    class Meta:
        csrf = False

    text = StringField(_l("Next step"), validators=[Length(max=500)])
    owner = SelectField(_l("Owner"), coerce=int, validators=[Optional()])
    due_on = DateField(_l("Due date"), validators=[Optional()])


class DebriefForm(FlaskForm):
    what_happened = TextAreaField(
        _l("What happened"), validators=[InputRequired(), Length(max=MAX)]
    )
    went_well = TextAreaField(_l("What went well"), validators=[Length(max=MAX)])
    do_differently = TextAreaField(_l("What to do differently"), validators=[Length(max=MAX)])
    next_steps = FieldList(FormField(NextStepForm), min_entries=3, max_entries=3)
    submit = SubmitField(_l("Save the debrief"))

    def offer(self, people: list[tuple[int, str]]) -> None:
        for entry in self.next_steps:
            entry.form.owner.choices = [SelectChoice(pid, name) for pid, name in people]


class CloseForm(FlaskForm):
    summary = TextAreaField(_l("Closing summary"), validators=[InputRequired(), Length(max=MAX)])
    submit = SubmitField(_l("Close the cycle"))


class CompetenciesForm(FlaskForm):
    names = TextAreaField(
        _l("Competencies, one per line"), validators=[InputRequired(), Length(max=MAX)]
    )
    submit = SubmitField(_l("Save as a new version"))


class ConfirmForm(FlaskForm):
    """An empty form for one-click actions, so they carry a CSRF token."""

    token = HiddenField()
    submit = SubmitField(_l("Confirm"))


def plan_form(cycle: CoachingCycle) -> PlanForm:
    """The plan form filled in with the saved plan."""
    plan = cycle.plan
    keys = [{"account": k.account_id, "strategy": k.strategy} for k in plan.key_accounts]
    keys += [{"account": 0, "strategy": ""}] * (5 - len(keys))
    return PlanForm(
        formdata=None,
        data={
            "key_accounts": keys[:5],
            "new_business_percent": plan.new_business_percent,
            "channel_partners": plan.channel_partners,
            "targets": plan.targets,
        },
    )


def plan_input(form: PlanForm) -> PlanInput:
    return PlanInput(
        key_accounts=[
            (entry.form.account.data, entry.form.strategy.data or "")
            for entry in form.key_accounts
            if entry.form.account.data
        ],
        new_business_percent=form.new_business_percent.data,
        channel_partners=form.channel_partners.data or "",
        targets=form.targets.data or "",
    )


def session_input(form: SessionForm) -> SessionInput:
    return SessionInput(
        kind=form.kind.data,
        starts_at=form.starts_at.data,
        duration_minutes=form.duration_minutes.data,
        place=form.place.data or "",
        account_id=form.account.data or None,
        objective=form.objective.data or "",
        customer_needs=form.customer_needs.data or "",
        objections=form.objections.data or "",
        questions=form.questions.data or "",
        agenda=(form.agenda.data or "").splitlines(),
    )


def debrief_input(form: DebriefForm) -> DebriefInput:
    steps = []
    for entry in form.next_steps:
        text = (entry.form.text.data or "").strip()
        if text:
            if entry.form.due_on.data is None:
                raise DomainError(_("Give each next step a due date."), field="next_steps")
            steps.append(NextStep(text, entry.form.owner.data, entry.form.due_on.data))
    return DebriefInput(
        what_happened=form.what_happened.data,
        went_well=form.went_well.data or "",
        do_differently=form.do_differently.data or "",
        next_steps=steps,
    )


def ratings_from(
    data: Mapping[str, str], competencies: Sequence[Competency]
) -> dict[int, tuple[int | None, str]]:
    """Competency id → (rating or None, comment) from the assessment form's fields."""
    ratings: dict[int, tuple[int | None, str]] = {}
    for competency in competencies:
        raw = data.get(f"rating-{competency.id}", "")
        rating = int(raw) if raw.isdigit() else None
        ratings[competency.id] = (rating, data.get(f"comment-{competency.id}", "")[:MAX])
    return ratings

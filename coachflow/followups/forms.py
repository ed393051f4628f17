"""Forms of the follow-up pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from coachflow.followups.labels import EVENT_NAMES, STATE_NAMES, label_of
from coachflow.followups.models import CONTACT_KINDS, CaseState, EventKind, RootCause


class EventForm(FlaskForm):
    kind = SelectField(
        _l("What happened"),
        choices=[
            SelectChoice(kind.value, EVENT_NAMES[kind]) for kind in (*CONTACT_KINDS, EventKind.NOTE)
        ],
        default=EventKind.CALL.value,
    )
    text = TextAreaField(_l("What was said or agreed"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Add to the timeline"))


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class CloseForm(FlaskForm):
    outcome = RadioField(
        _l("How it ended"),
        choices=[
            SelectChoice(state.value, STATE_NAMES[state])
            for state in (CaseState.RESOLVED, CaseState.COULD_NOT_RESOLVE)
        ],
        default=CaseState.RESOLVED.value,
    )
    root_cause = SelectField(_l("Root cause"), coerce=_int_or_none, validate_choice=False)
    note = TextAreaField(_l("Closing note"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Close the case"))

    def __init__(self, *args: object, causes: list[RootCause], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.root_cause.choices = [SelectChoice("", _l("— choose —"))] + [
            SelectChoice(cause.id, label_of(cause)) for cause in causes
        ]


class ReassignForm(FlaskForm):
    rep = SelectField(_l("Give the case to"), coerce=_int_or_none, validate_choice=False)
    submit = SubmitField(_l("Reassign"))


class RuleForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    team = SelectField(_l("Team"), coerce=_int_or_none, validate_choice=False)
    nps_max = IntegerField(
        _l("Open a case for NPS scores up to"),
        validators=[Optional()],
        description=_l("0 to 9; 6 takes every detractor. Leave empty to ignore NPS."),
    )
    csat_max = IntegerField(
        _l("Open a case for satisfaction ratings up to"),
        validators=[Optional()],
        description=_l("1 to 4 on the 1–5 scale. Leave empty to ignore ratings."),
    )
    keywords_en = TextAreaField(_l("Watched words in English comments"))
    keywords_de = TextAreaField(_l("Watched words in German comments"))
    keywords_fr = TextAreaField(_l("Watched words in French comments"))
    due_workdays = IntegerField(_l("Due in working days"), default=2, validators=[InputRequired()])
    resurvey = BooleanField(_l("Ask the customer “Has your concern been resolved?” when resolved"))
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save the rule"))


class RootCauseForm(FlaskForm):
    name = StringField(_l("New root cause"), validators=[InputRequired(), Length(max=120)])
    submit = SubmitField(_l("Add"))


class TriggerForm(FlaskForm):
    survey = SelectField(_l("CSAT survey to send"), coerce=_int_or_none, validate_choice=False)
    delay_days = IntegerField(
        _l("Days after the deal is won"), default=3, validators=[InputRequired()]
    )
    submit = SubmitField(_l("Add the trigger"))


class ToggleForm(FlaskForm):
    submit = SubmitField(_l("Switch"))

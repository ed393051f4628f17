"""Forms of pulse: start a pulse, and the thresholds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from coachflow.pulse.models import Schedule
from coachflow.pulse.services import PulseInput

SCHEDULE_LABELS = {
    Schedule.ONCE: _l("Once"),
    Schedule.WEEKLY: _l("Every week"),
    Schedule.FORTNIGHTLY: _l("Every two weeks"),
    Schedule.MONTHLY: _l("Every month"),
    Schedule.QUARTERLY: _l("Every quarter"),
}


class StartPulseForm(FlaskForm):
    survey_id = SelectField(_l("Questionnaire"), coerce=int, validators=[InputRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    # Any id is accepted here: the service answers a team outside the person's scope with 404.
    teams = SelectMultipleField(_l("Teams"), coerce=int, validate_choice=False)
    everyone = BooleanField(_l("Everyone (every team)"))
    schedule = SelectField(
        _l("Repeat"),
        choices=[SelectChoice(s.value, label) for s, label in SCHEDULE_LABELS.items()],
        default=Schedule.MONTHLY.value,
    )
    starts_on = DateField(_l("First round opens on"), validators=[InputRequired()])
    days_open = IntegerField(
        _l("Days each round stays open"),
        default=7,
        validators=[InputRequired(), NumberRange(min=1, max=60)],
    )
    submit = SubmitField(_l("Start the pulse"))

    def data_input(self) -> PulseInput:
        return PulseInput(
            survey_id=self.survey_id.data,
            name=self.name.data or "",
            team_ids=list(self.teams.data or []),
            everyone=bool(self.everyone.data),
            schedule=Schedule(self.schedule.data),
            starts_on=self.starts_on.data,
            days_open=self.days_open.data,
        )


class ThresholdsForm(FlaskForm):
    minimum = IntegerField(
        _l("Answers needed before a group's scores show"),
        validators=[InputRequired(), NumberRange(min=3, max=1000)],
    )
    comment_minimum = IntegerField(
        _l("Answers needed before a group's comments show"),
        validators=[InputRequired(), NumberRange(min=3, max=1000)],
    )
    submit = SubmitField(_l("Save"))

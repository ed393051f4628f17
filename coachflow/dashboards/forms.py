"""The home pages' forms: recognition, a team's leaderboard switch, the weekly digest switch."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from coachflow.dashboards.models import REASON_MAX


class RecognitionForm(FlaskForm):
    rep = SelectField(_l("Colleague"), coerce=int, validators=[InputRequired()])
    reason = TextAreaField(
        _l("What do you recognise?"), validators=[InputRequired(), Length(max=REASON_MAX)]
    )
    submit = SubmitField(_l("Give recognition"))

    def __init__(self, *args, people=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rep.choices = [(line.id, line.name) for line in people]
        # A posted id need not be among the choices: the service and policy decide.
        self.rep.validate_choice = False


class AgendaForm(FlaskForm):
    submit = SubmitField(_l("Put on the next sales meeting's agenda"))


class LeaderboardForm(FlaskForm):
    enabled = HiddenField()
    submit = SubmitField(_l("Save"))


class DigestForm(FlaskForm):
    weekly_digest = BooleanField(_l("Send me the weekly digest on Mondays"))
    submit = SubmitField(_l("Save digest setting"))

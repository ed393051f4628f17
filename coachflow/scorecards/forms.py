"""Forms of the scorecard pages: the index settings, closing a period, a bulk export."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FloatField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange

from coachflow.lib.scoring.index import Caps, Weights
from coachflow.scorecards.queries import Settings
from coachflow.scorecards.services import SettingsChange


def _weight(label: object) -> FloatField:
    return FloatField(label, validators=[InputRequired(), NumberRange(min=0, max=100)])


class SettingsForm(FlaskForm):
    weight_attainment = _weight(_l("Weight of quota attainment"))
    weight_margin = _weight(_l("Weight of margin against target"))
    weight_repeat = _weight(_l("Weight of repeat-business share"))
    weight_nps = _weight(_l("Weight of NPS"))
    weight_csat = _weight(_l("Weight of CSAT"))
    weight_followups = _weight(_l("Weight of follow-up resolution"))
    attainment_cap = FloatField(
        _l("Attainment cap"), validators=[InputRequired(), NumberRange(min=0.1, max=10)]
    )
    margin_cap = FloatField(
        _l("Margin attainment cap"), validators=[InputRequired(), NumberRange(min=0.1, max=10)]
    )
    few_answers = IntegerField(
        _l("Few answers below"), validators=[InputRequired(), NumberRange(min=1, max=1000)]
    )
    estimates_multiple = IntegerField(
        _l("Estimates per booking aimed at"),
        validators=[InputRequired(), NumberRange(min=0, max=100)],
    )
    submit = SubmitField(_l("Save settings"))

    @classmethod
    def showing(cls, saved: Settings) -> SettingsForm:
        values = {f"weight_{k}": v for k, v in saved.weights.as_dict().items()}
        return cls(
            data={
                **values,
                "attainment_cap": saved.caps.attainment,
                "margin_cap": saved.caps.margin,
                "few_answers": saved.few_answers,
                "estimates_multiple": saved.estimates_multiple,
            }
        )

    def change(self) -> SettingsChange:
        return SettingsChange(
            weights=Weights(
                self.weight_attainment.data,
                self.weight_margin.data,
                self.weight_repeat.data,
                self.weight_nps.data,
                self.weight_csat.data,
                self.weight_followups.data,
            ),
            caps=Caps(self.attainment_cap.data, self.margin_cap.data),
            few_answers=self.few_answers.data,
            estimates_multiple=self.estimates_multiple.data,
        )


class PeriodForm(FlaskForm):
    period = HiddenField(validators=[DataRequired()])


class ExportForm(FlaskForm):
    period = StringField(_l("Period"), validators=[DataRequired()])
    teams = SelectMultipleField(_l("Teams (none chosen: every team)"), coerce=int)
    submit = SubmitField(_l("Prepare the ZIP"))

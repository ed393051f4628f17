"""Forms of the survey builder: start a survey, a question, the survey's texts and settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from coachflow.platform.i18n import LANGUAGE_NAMES, LANGUAGES
from coachflow.questionnaires.models import Question, QuestionType, SurveyKind, SurveyStatus
from coachflow.questionnaires.services import (
    MAX_OPTIONS,
    OptionInput,
    QuestionInput,
    SurveySettings,
)

BLANK = "blank"
BLANK_OPTION_ROWS = 3  # empty option rows offered below the filled ones
MIN_OPTION_ROWS = 4

KIND_LABELS = {
    SurveyKind.CUSTOMER_NPS: _l("Customer NPS"),
    SurveyKind.CUSTOMER_CSAT: _l("Customer satisfaction (CSAT)"),
    SurveyKind.EMPLOYEE_PULSE: _l("Pulse survey"),
    SurveyKind.SELF_ASSESSMENT: _l("Self-assessment"),
    SurveyKind.MANAGER_ASSESSMENT: _l("Manager assessment"),
}
TYPE_LABELS = {
    QuestionType.NPS: _l("NPS (0–10)"),
    QuestionType.RATING: _l("Satisfaction rating (1–5)"),
    QuestionType.AGREEMENT: _l("Agreement (1–5)"),
    QuestionType.SINGLE_CHOICE: _l("Single choice"),
    QuestionType.MULTIPLE_CHOICE: _l("Multiple choice"),
    QuestionType.TEXT: _l("Free text"),
}
STATUS_LABELS = {
    SurveyStatus.DRAFT: _l("draft"),
    SurveyStatus.ACTIVE: _l("active"),
    SurveyStatus.CLOSED: _l("closed"),
}


def language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]


def kind_choices(*, blank_label: object | None = None) -> list[SelectChoice]:
    first = [SelectChoice("", blank_label)] if blank_label is not None else []
    return first + [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()]


class NewSurveyForm(FlaskForm):
    start = RadioField(_l("Start from"), validators=[InputRequired()])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind of survey"), validators=[Optional()])
    default_language = SelectField(_l("Default language"), choices=language_choices())
    company = StringField(_l("Your company's name"), validators=[Optional(), Length(max=120)])
    submit = SubmitField(_l("Create survey"))

    def __init__(self, *args: object, templates: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.start.choices = [SelectChoice(BLANK, _l("Blank survey"))] + [
            SelectChoice(key, name) for key, name in templates
        ]
        self.kind.choices = kind_choices(blank_label=_l("Choose…"))


class OptionForm(Form):
    """One option of a choice question: its label per language (the value is kept hidden)."""

    value = HiddenField()
    label_en = StringField(
        "English", validators=[Optional(), Length(max=200)], render_kw={"lang": "en"}
    )
    label_de = StringField(
        "Deutsch", validators=[Optional(), Length(max=200)], render_kw={"lang": "de"}
    )
    label_fr = StringField(
        "Français", validators=[Optional(), Length(max=200)], render_kw={"lang": "fr"}
    )


class QuestionForm(FlaskForm):
    type = SelectField(_l("Question type"), validators=[DataRequired()])
    required = BooleanField(_l("An answer is required"), default=True)
    text_en = TextAreaField(
        "English", validators=[Optional(), Length(max=1000)], render_kw={"lang": "en", "rows": 2}
    )
    text_de = TextAreaField(
        "Deutsch", validators=[Optional(), Length(max=1000)], render_kw={"lang": "de", "rows": 2}
    )
    text_fr = TextAreaField(
        "Français", validators=[Optional(), Length(max=1000)], render_kw={"lang": "fr", "rows": 2}
    )
    options = FieldList(
        FormField(OptionForm),
        min_entries=MIN_OPTION_ROWS,
        max_entries=MAX_OPTIONS + BLANK_OPTION_ROWS,
    )
    submit = SubmitField(_l("Save question"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "question")
        super().__init__(*args, **kwargs)
        self.type.choices = [SelectChoice(t.value, label) for t, label in TYPE_LABELS.items()]

    def load(self, question: Question) -> None:
        """Fill the form from a saved question (on the first GET of its edit page)."""
        self.process(
            data={
                "type": question.type.value,
                "required": question.required,
                **{f"text_{lang}": (question.texts or {}).get(lang, "") for lang in LANGUAGES},
                "options": [
                    {
                        "value": option["value"],
                        **{
                            f"label_{lang}": option.get("labels", {}).get(lang, "")
                            for lang in LANGUAGES
                        },
                    }
                    for option in question.options or []
                ],
            }
        )
        self.add_blank_option_rows()

    def add_blank_option_rows(self) -> None:
        """Offer a few empty rows after the filled ones, so options can be added without script."""
        filled = sum(
            1 for entry in self.options if any(entry[f"label_{lang}"].data for lang in LANGUAGES)
        )
        while len(self.options) < max(MIN_OPTION_ROWS, filled + BLANK_OPTION_ROWS) and (
            len(self.options) < self.options.max_entries
        ):
            self.options.append_entry()

    def to_input(self) -> QuestionInput:
        return QuestionInput(
            type=self.type.data,
            required=self.required.data,
            texts={lang: self[f"text_{lang}"].data or "" for lang in LANGUAGES},
            options=[
                OptionInput(
                    labels={lang: entry[f"label_{lang}"].data or "" for lang in LANGUAGES},
                    value=entry["value"].data or "",
                )
                for entry in self.options
            ],
        )


class TextsForm(FlaskForm):
    """The survey's title, introduction and thank-you text in every language."""

    title_en = StringField(
        "English", validators=[Optional(), Length(max=200)], render_kw={"lang": "en"}
    )
    intro_en = TextAreaField(
        "English", validators=[Optional(), Length(max=2000)], render_kw={"lang": "en", "rows": 3}
    )
    thanks_en = TextAreaField(
        "English", validators=[Optional(), Length(max=1000)], render_kw={"lang": "en", "rows": 2}
    )
    title_de = StringField(
        "Deutsch", validators=[Optional(), Length(max=200)], render_kw={"lang": "de"}
    )
    intro_de = TextAreaField(
        "Deutsch", validators=[Optional(), Length(max=2000)], render_kw={"lang": "de", "rows": 3}
    )
    thanks_de = TextAreaField(
        "Deutsch", validators=[Optional(), Length(max=1000)], render_kw={"lang": "de", "rows": 2}
    )
    title_fr = StringField(
        "Français", validators=[Optional(), Length(max=200)], render_kw={"lang": "fr"}
    )
    intro_fr = TextAreaField(
        "Français", validators=[Optional(), Length(max=2000)], render_kw={"lang": "fr", "rows": 3}
    )
    thanks_fr = TextAreaField(
        "Français", validators=[Optional(), Length(max=1000)], render_kw={"lang": "fr", "rows": 2}
    )
    submit = SubmitField(_l("Save texts"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "texts")
        super().__init__(*args, **kwargs)

    @staticmethod
    def data_of(texts: dict) -> dict[str, str]:
        return {
            f"{key}_{lang}": ((texts or {}).get(lang) or {}).get(key, "")
            for lang in LANGUAGES
            for key in ("title", "intro", "thanks")
        }

    def to_input(self) -> dict[str, dict[str, str]]:
        return {
            lang: {key: self[f"{key}_{lang}"].data or "" for key in ("title", "intro", "thanks")}
            for lang in LANGUAGES
        }


class SettingsForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    default_language = SelectField(_l("Default language"), choices=language_choices())
    invitation_days = IntegerField(_l("Links work for (days)"), validators=[InputRequired()])
    reminder_days = IntegerField(_l("Send a reminder after (days)"), validators=[InputRequired()])
    max_reminders = IntegerField(_l("Reminders at most"), validators=[InputRequired()])
    submit = SubmitField(_l("Save settings"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "settings")
        super().__init__(*args, **kwargs)

    def to_input(self) -> SurveySettings:
        return SurveySettings(
            name=self.name.data or "",
            default_language=self.default_language.data,
            invitation_days=self.invitation_days.data,
            reminder_days=self.reminder_days.data,
            max_reminders=self.max_reminders.data,
        )


class ActionForm(FlaskForm):
    """An empty form for one-click actions (activate, close, delete), so they carry a CSRF token."""

    submit = SubmitField(_l("Confirm"))


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["up", "down"])])

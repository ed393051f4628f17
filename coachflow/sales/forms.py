"""Forms of the CSV import pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from coachflow.sales.models import ImportKind
from coachflow.sales.records import FIELDS


def kind_choices() -> list[SelectChoice]:
    return [
        SelectChoice(ImportKind.DEALS.value, _l("Deals")),
        SelectChoice(ImportKind.ACCOUNTS.value, _l("Customer accounts")),
        SelectChoice(ImportKind.CONTACTS.value, _l("Contacts")),
        SelectChoice(ImportKind.QUOTAS.value, _l("Quotas")),
    ]


class UploadForm(FlaskForm):
    kind = SelectField(_l("What the file holds"))
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a file to import."))])
    mapping = SelectField(_l("Saved column mapping"), validators=[Optional()])
    submit = SubmitField(_l("Upload and continue"))

    def __init__(self, *args: object, mappings: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = kind_choices()
        kinds = {choice.value: choice.label for choice in self.kind.choices}
        self.mapping.choices = [SelectChoice("", _l("Recognise the columns by their names"))] + [
            SelectChoice(f"{m.kind.value}:{m.name}", f"{m.name} ({kinds[m.kind.value]})")
            for m in mappings
        ]


def columns_form(kind: str, header: list[str], chosen: dict[str, str]) -> type[FlaskForm]:
    """A form with one column select per CoachFlow field of ``kind``."""

    class ColumnsForm(FlaskForm):
        remember_as = StringField(
            _l("Remember this mapping as"), validators=[Optional(), Length(max=120)]
        )
        submit = SubmitField(_l("Check the file"))

    choices = [SelectChoice("", _l("— not in this file —"))] + [
        SelectChoice(column, column) for column in header
    ]
    for spec in FIELDS[kind]:
        field = SelectField(
            spec.name,
            choices=choices,
            default=chosen.get(spec.name, ""),
            description=spec.help,
            validators=[Optional()],
        )
        setattr(ColumnsForm, f"field_{spec.name}", field)
    return ColumnsForm

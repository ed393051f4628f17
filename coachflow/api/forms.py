"""The admin's form for issuing an API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


def scope_choices() -> list[SelectChoice]:
    return [
        SelectChoice("read", _l("Read")),
        SelectChoice("read,write", _l("Read and write (admins only)")),
    ]


class ApiTokenForm(FlaskForm):
    user_id = SelectField(_l("User"), coerce=int, validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    scopes = SelectField(_l("Scopes"), default="read")
    submit = SubmitField(_l("Create token"))

    def __init__(self, *args: object, users: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user_id.choices = [SelectChoice(u.id, f"{u.name} <{u.email}>") for u in users]
        self.scopes.choices = scope_choices()

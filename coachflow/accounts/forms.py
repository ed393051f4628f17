"""Forms for the admin's pages and a user's own account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from coachflow.accounts.models import OrganisationSettings, Role
from coachflow.accounts.organisation import BrandingChange
from coachflow.platform.i18n import LANGUAGE_NAMES, LANGUAGES
from coachflow.platform.web import EmailAddress

LANGUAGE_CHOICES = [
    SelectChoice("", _l("As the browser says")),
    *(SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES),
]


def role_choices() -> list[SelectChoice]:
    return [
        SelectChoice(Role.REP.value, _l("Sales rep")),
        SelectChoice(Role.MANAGER.value, _l("Sales manager")),
        SelectChoice(Role.HR.value, _l("HR")),
        SelectChoice(Role.ADMIN.value, _l("Admin")),
    ]


def _optional_int(value: object) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress(), Length(max=254)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    team_id = SelectField(_l("Team"), coerce=_optional_int, validators=[Optional()])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: object, teams: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()
        self.team_id.choices = [SelectChoice("", _l("No team"))] + [
            SelectChoice(str(t.id), t.name) for t in teams
        ]


class TeamForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    territory = StringField(_l("Territory"), validators=[Optional(), Length(max=120)])
    manager_id = SelectField(_l("Manager"), coerce=_optional_int, validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: object, managers: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.manager_id.choices = [SelectChoice("", _l("No manager yet"))] + [
            SelectChoice(str(m.id), m.name) for m in managers
        ]


class ProductLineForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save language"))


class ConfirmForm(FlaskForm):
    """An empty form for one-click actions, so they carry a CSRF token."""

    submit = SubmitField(_l("Confirm"))


class OrganisationSettingsForm(FlaskForm):
    company_domains = TextAreaField(
        _l("The company's email domains"), validators=[Optional(), Length(max=5000)]
    )
    adhoc_needs_approval = BooleanField(_l("Sends to pasted addresses need HR's approval"))
    # Checked by the settings service (an IANA name such as Europe/Berlin).
    time_zone = StringField(_l("Time zone"), validators=[Optional(), Length(max=64)])
    name = StringField(_l("Organisation name"), validators=[Optional(), Length(max=120)])
    sender_name = StringField(_l("Sender name"), validators=[Optional(), Length(max=120)])
    # Checked by the settings service, which explains what is wrong.
    sender_address = StringField(_l("Sender address"), validators=[Optional(), Length(max=254)])
    accent_colour = StringField(_l("Accent colour"), validators=[Optional(), Length(max=32)])
    logo = FileField(_l("Logo (PNG or SVG)"))
    remove_logo = BooleanField(_l("Remove the logo"))
    submit = SubmitField(_l("Save settings"))

    @classmethod
    def showing(cls, saved: OrganisationSettings) -> OrganisationSettingsForm:
        """The form filled in with the saved settings (the domains one per line)."""
        return cls(
            data={
                "company_domains": "\n".join(saved.company_domains or []),
                "adhoc_needs_approval": saved.adhoc_needs_approval,
                "time_zone": saved.time_zone,
                "name": saved.name,
                "sender_name": saved.sender_name,
                "sender_address": saved.sender_address,
                "accent_colour": saved.accent_colour,
            }
        )

    def branding_change(self) -> BrandingChange:
        """Who is asking, as entered; the logo's bytes when a file was chosen."""
        upload = self.logo.data
        return BrandingChange(
            name=self.name.data or "",
            sender_name=self.sender_name.data or "",
            sender_address=self.sender_address.data or "",
            accent_colour=self.accent_colour.data or "",
            logo=upload.read() if upload else None,
            remove_logo=self.remove_logo.data,
        )


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

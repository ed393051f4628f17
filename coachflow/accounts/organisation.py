"""The organisation's settings: read with their defaults, saved by an admin.

One row (``organisation_settings``, id 1) holds them; before an admin saves any, the defaults
apply. Besides the company's domains and the approval switch it says who is asking: the name,
sender, accent colour and logo that survey mails and pages show.
"""

from __future__ import annotations

import hashlib
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, replace
from email.utils import formataddr, parseaddr

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _

from coachflow.accounts.models import OrganisationSettings, User
from coachflow.lib import colours, images
from coachflow.platform import audit
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.web import external_url

SETTINGS_ID = 1
MAX_DOMAINS = 50
DEFAULT_TIME_ZONE = "Europe/Berlin"
DEFAULT_ACCENT = "#1d5fbf"  # static/css: --accent
# A logo travels with the first view of every survey link, which should stay under 10 KB: a
# small SVG or PNG does; a photograph does not belong there.
LOGO_MAX_BYTES = 50 * 1024
LOGO_MAX_SIDE = 1000  # pixels, either side of a PNG
LOGO_ENDPOINT = "branding.logo"
LOGO_EXTENSIONS = {images.PNG: "png", images.SVG: "svg"}
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"^(?=.{{1,253}}$)(?:{_LABEL}\.)+[a-z][a-z0-9-]{{1,62}}$")


def organisation_settings() -> OrganisationSettings:
    """The saved settings, or the defaults (not added to the session) when none are saved."""
    saved = db.session.get(OrganisationSettings, SETTINGS_ID)
    if saved is not None:
        return saved
    return OrganisationSettings(
        id=SETTINGS_ID,
        company_domains=[],
        adhoc_needs_approval=False,
        name="",
        sender_name="",
        sender_address="",
        accent_colour="",
        time_zone=DEFAULT_TIME_ZONE,
    )


@dataclass(frozen=True)
class Branding:
    """Who is asking, as mails and survey pages show it."""

    name: str  # "" when not set
    accent: str  # #rrggbb, white text on it readable
    logo_file: str | None  # "logo-<hash>.png" or ".svg": its URL changes with its content
    logo_url: str | None = None  # set by whoever renders: relative on pages, absolute in mail

    @property
    def custom_accent(self) -> bool:
        return self.accent != DEFAULT_ACCENT


def branding() -> Branding:
    """The organisation's name, accent colour and logo file name (or the defaults)."""
    settings = organisation_settings()
    return Branding(
        name=settings.name or "",
        accent=settings.accent_colour or DEFAULT_ACCENT,
        logo_file=logo_file(settings.logo_hash, settings.logo_type),
    )


def logo_file(digest: str | None, media_type: str | None) -> str | None:
    """The logo's file name in its URL: part of its SHA-256 and its extension."""
    if not digest or media_type not in LOGO_EXTENSIONS:
        return None
    return f"logo-{digest[:16]}.{LOGO_EXTENSIONS[media_type]}"


def mail_branding() -> Branding:
    """``branding()`` with the logo's absolute URL on ``PUBLIC_BASE_URL``, for mail."""
    found = branding()
    if found.logo_file is None:
        return found
    return replace(found, logo_url=external_url(LOGO_ENDPOINT, filename=found.logo_file))


def sender() -> tuple[str, str]:
    """The name and address mail comes from: the settings', else ``MAIL_DEFAULT_SENDER``'s; the
    organisation's name stands in for a sender name not set."""
    configured = current_app.config["MAIL_DEFAULT_SENDER"]
    if isinstance(configured, tuple | list):
        default_name, default_address = configured[0], configured[1]
    else:
        default_name, default_address = parseaddr(configured)
    settings = organisation_settings()
    name = settings.sender_name or settings.name or default_name
    return name, settings.sender_address or default_address


def sender_header() -> str:
    """``sender()`` as a From header (a name beyond ASCII encoded as RFC 2047 asks)."""
    return formataddr(sender(), charset="utf-8")


def logo() -> tuple[bytes, str, str] | None:
    """The logo's bytes, media type and SHA-256, or None when there is none."""
    row = db.session.execute(
        db.select(
            OrganisationSettings.logo,
            OrganisationSettings.logo_type,
            OrganisationSettings.logo_hash,
        ).where(OrganisationSettings.id == SETTINGS_ID)
    ).first()
    if row is None or row.logo is None:
        return None
    return bytes(row.logo), row.logo_type, row.logo_hash


def parse_domains(text: str) -> list[str]:
    """The domains in a list separated by commas, spaces or line breaks, lower case, without a
    leading ``@``, each once. Raises ``DomainError`` naming the first one that is not a domain."""
    found: list[str] = []
    for piece in re.split(r"[\s,;]+", text or ""):
        domain = piece.strip().lstrip("@").rstrip(".").lower()
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise DomainError(
                _("“%(value)s” is not a mail domain such as example.com.", value=piece),
                field="company_domains",
            )
        if domain not in found:
            found.append(domain)
    if len(found) > MAX_DOMAINS:
        raise DomainError(
            _("List at most %(max)d domains.", max=MAX_DOMAINS), field="company_domains"
        )
    return found


def in_domains(address: str, domains: Iterable[str]) -> bool:
    """Whether ``address`` (lower case) is at one of ``domains`` or a subdomain of one."""
    host = address.rpartition("@")[2]
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def parse_accent(text: str) -> str:
    """``text`` as a ``#rrggbb`` accent colour ("" for the default). Raises ``DomainError`` when it
    is no colour, or when white text on it would be hard to read."""
    if not (text or "").strip():
        return ""
    colour = colours.parse_hex_colour(text)
    if colour is None:
        raise DomainError(
            _("“%(value)s” is not a colour such as #1d5fbf.", value=text.strip()),
            field="accent_colour",
        )
    ratio = colours.contrast_ratio(colour, colours.WHITE)
    if ratio < colours.MIN_TEXT_CONTRAST:
        raise DomainError(
            _(
                "White text on %(colour)s has a contrast of only %(ratio)s to 1; buttons need "
                "at least 4.5 to 1 to stay readable. Choose a darker colour.",
                colour=colour,
                ratio=format_decimal(int(ratio * 10) / 10, format="0.0"),
            ),
            field="accent_colour",
        )
    return colour


def parse_sender_address(text: str) -> str:
    """``text`` as a mail address ("" for the configured default); raises ``DomainError``."""
    text = (text or "").strip()
    if not text:
        return ""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise DomainError(
            _("“%(value)s” is not an email address.", value=text), field="sender_address"
        ) from error


def check_logo(data: bytes) -> images.Logo:
    """``data`` as a logo: a PNG or a safe SVG within the limits; raises ``DomainError`` saying
    what is wrong."""
    try:
        return images.check_logo(data, max_bytes=LOGO_MAX_BYTES, max_side=LOGO_MAX_SIDE)
    except images.LogoRefused as refused:
        raise DomainError(_logo_problem(refused), field="logo") from refused


def _logo_problem(refused: images.LogoRefused) -> str:
    if refused.reason == refused.TOO_LARGE:
        return _(
            "The logo is %(size)s KB; it may be at most %(max)s KB.",
            size=format_decimal(-(-int(refused.detail) // 1024)),
            max=format_decimal(LOGO_MAX_BYTES // 1024),
        )
    if refused.reason == refused.TOO_WIDE:
        return _(
            "The logo is %(size)s pixels; it may be at most %(max)s pixels on either side.",
            size=refused.detail,
            max=format_decimal(LOGO_MAX_SIDE),
        )
    if refused.reason == refused.UNSAFE:
        return _(
            "This SVG contains %(what)s, which a logo may not hold (scripts, event handlers, "
            "embedded documents or links to other files). Export it as plain SVG, or upload "
            "a PNG.",
            what=refused.detail,
        )
    if refused.reason == refused.DAMAGED:
        return _("This file is not a readable PNG or SVG image.")
    return _("The logo must be a PNG or an SVG file.")


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


@dataclass(frozen=True)
class BrandingChange:
    """What an admin entered for who is asking; ``logo`` the uploaded file's bytes, if any."""

    name: str = ""
    sender_name: str = ""
    sender_address: str = ""
    accent_colour: str = ""
    logo: bytes | None = None
    remove_logo: bool = False


def parse_time_zone(text: str) -> str:
    """An IANA time zone name (``Europe/Berlin``), else ``DomainError``."""
    name = text.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise DomainError(
            _("%(name)s is not a time zone: write one like Europe/Berlin.", name=name or '""'),
            field="time_zone",
        ) from None
    return name


def save_organisation_settings(
    *,
    company_domains: str,
    adhoc_needs_approval: bool,
    by: User,
    branding: BrandingChange | None = None,
    time_zone: str | None = None,
) -> OrganisationSettings:
    """Save the company's mail domains, whether ad-hoc sends need HR's approval and, when given,
    who is asking (name, sender, accent colour, logo). Nothing is saved when any of it is
    refused (``DomainError`` naming the field)."""
    domains = parse_domains(company_domains)
    zone = parse_time_zone(time_zone) if time_zone is not None else None
    if branding is not None:
        accent = parse_accent(branding.accent_colour)
        address = parse_sender_address(branding.sender_address)
        new_logo = check_logo(branding.logo) if branding.logo else None
    try:
        settings = db.session.get(OrganisationSettings, SETTINGS_ID)
        if settings is None:
            settings = OrganisationSettings(id=SETTINGS_ID)
            db.session.add(settings)
        settings.company_domains = domains
        settings.adhoc_needs_approval = adhoc_needs_approval
        details = f"company_domains={','.join(domains)} adhoc_needs_approval={adhoc_needs_approval}"
        if zone is not None:
            settings.time_zone = zone
            details += f" time_zone={zone}"
        if branding is not None:
            settings.name = _one_line(branding.name)[:120]
            settings.sender_name = _one_line(branding.sender_name)[:120]
            settings.sender_address = address
            settings.accent_colour = accent
            if new_logo is not None:
                set_logo(settings, new_logo)
            elif branding.remove_logo:
                set_logo(settings, None)
            details += (
                f" name={settings.name} sender={settings.sender_name} <{address}>"
                f" accent={accent} logo={settings.logo_hash or 'none'}"
            )
        audit.record(by, "settings.updated", "organisation", details)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return settings


def set_logo(settings: OrganisationSettings, logo: images.Logo | None) -> None:
    """Put a checked logo (or none) on the settings row; the caller commits."""
    settings.logo = logo.data if logo else None
    settings.logo_type = logo.media_type if logo else None
    settings.logo_size = len(logo.data) if logo else None
    settings.logo_hash = hashlib.sha256(logo.data).hexdigest() if logo else None

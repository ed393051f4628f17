"""The organisation's settings: read with their defaults, saved by an admin.

One row (``organisation_settings``, id 1) holds them; before an admin saves any, the defaults
apply. Later settings (name, sender, logo) join the same row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext as _

from coachflow.accounts.models import OrganisationSettings, User
from coachflow.platform import audit
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db

SETTINGS_ID = 1
MAX_DOMAINS = 50
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"^(?=.{{1,253}}$)(?:{_LABEL}\.)+[a-z][a-z0-9-]{{1,62}}$")


def organisation_settings() -> OrganisationSettings:
    """The saved settings, or the defaults (not added to the session) when none are saved."""
    saved = db.session.get(OrganisationSettings, SETTINGS_ID)
    if saved is not None:
        return saved
    return OrganisationSettings(id=SETTINGS_ID, company_domains=[], adhoc_needs_approval=False)


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


def save_organisation_settings(
    *, company_domains: str, adhoc_needs_approval: bool, by: User
) -> OrganisationSettings:
    """Save the company's mail domains and whether ad-hoc sends need HR's approval."""
    domains = parse_domains(company_domains)
    try:
        settings = db.session.get(OrganisationSettings, SETTINGS_ID)
        if settings is None:
            settings = OrganisationSettings(id=SETTINGS_ID)
            db.session.add(settings)
        settings.company_domains = domains
        settings.adhoc_needs_approval = adhoc_needs_approval
        audit.record(
            by,
            "settings.updated",
            "organisation",
            f"company_domains={','.join(domains)} adhoc_needs_approval={adhoc_needs_approval}",
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return settings

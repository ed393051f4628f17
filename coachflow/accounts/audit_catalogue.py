"""The audit log in words: every action's name and the details' keys and values, translated.

Services write events as ``audit.record(actor, "survey.created", subject, "kind=deals
bytes=342")``: a stable action code and details as ``key=value`` pairs (older events also as
``key value`` or ``key: old → new`` parts). The stored rows stay as written; this catalogue only
renders them for the reader. An action or key it does not know is shown as stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coachflow.platform.audit import described

ACTIONS = {
    "user.created": _l("User created"),
    "user.updated": _l("User changed"),
    "user.activated": _l("User reactivated"),
    "user.deactivated": _l("User deactivated"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset": _l("Password reset by link"),
    "user.password_link_sent": _l("Password link sent"),
    "user.signed_out_everywhere": _l("Signed out on every device"),
    "team.created": _l("Team created"),
    "team.updated": _l("Team changed"),
    "product_line.saved": _l("Product line saved"),
    "settings.updated": _l("Organisation settings changed"),
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
    "import.uploaded": _l("File uploaded for import"),
    "import.done": _l("File imported"),
    "import.deleted": _l("Import deleted"),
    "import.purged": _l("Old uploads deleted"),
    "import.deleted_for_erasure": _l("Uploads deleted for an erasure"),
    "contact.exported": _l("Contact's data exported"),
    "contact.erased": _l("Contact erased"),
    "contact.suppression_lifted": _l("Address allowed again"),
    "survey.created": _l("Survey created"),
    "survey.question_added": _l("Question added"),
    "survey.question_edited": _l("Question changed"),
    "survey.question_removed": _l("Question removed"),
    "survey.question_moved": _l("Question moved"),
    "survey.texts_changed": _l("Survey texts changed"),
    "survey.settings_changed": _l("Survey settings changed"),
    "survey.activated": _l("Survey activated"),
    "survey.closed": _l("Survey closed"),
    "survey.version_created": _l("New survey version"),
    "surveys.invitations.created": _l("Invitations sent"),
    "surveys.invitations.resent": _l("Failed invitations sent again"),
    "surveys.adhoc_send.requested": _l("Pasted addresses await approval"),
    "surveys.adhoc_send.approved": _l("Pasted addresses approved"),
    "surveys.adhoc_send.rejected": _l("Pasted addresses rejected"),
}
# The API writes one action per kind of record: ``api.deals.upserted``.
_API_WRITE = re.compile(r"^api\.(\w+)\.upserted$")

KEYS = {
    "kind": _l("Kind"),
    "bytes": _l("Size in bytes"),
    "created": _l("New"),
    "updated": _l("Updated"),
    "deleted": _l("Deleted"),
    "rows": _l("Rows"),
    "status": _l("Status"),
    "runs": _l("Imports"),
    "token": _l("Token"),
    "name": _l("Name"),
    "prefix": _l("Prefix"),
    "scopes": _l("Scopes"),
    "role": _l("Role"),
    "team": _l("Team"),
    "manager": _l("Manager"),
    "code": _l("Code"),
    "active": _l("Active"),
    "invitations": _l("Invitations"),
    "responses_kept": _l("Answers kept"),
    "comments_removed": _l("Comments removed"),
    "company_domains": _l("Company domains"),
    "adhoc_needs_approval": _l("Pasted addresses need approval"),
    "version": _l("Version"),
    "question": _l("Question"),
    "template": _l("Template"),
    "default_language": _l("Language"),
    "invitation_days": _l("Days a link works"),
    "reminder_days": _l("Days before a reminder"),
    "max_reminders": _l("Reminders at most"),
}

VALUES = {
    "accounts": _l("Customer accounts"),
    "contacts": _l("Contacts"),
    "deals": _l("Deals"),
    "quotas": _l("Quotas"),
    "rep": _l("Sales rep"),
    "manager": _l("Sales manager"),
    "hr": _l("HR"),
    "admin": _l("Admin"),
    "True": _l("yes"),
    "False": _l("no"),
    "None": _l("none"),
    "customer_csat": _l("Customer CSAT"),
    "customer_nps": _l("Customer NPS"),
    "employee_pulse": _l("Employee pulse"),
    "self_assessment": _l("Self-assessment"),
    "manager_assessment": _l("Manager assessment"),
    "uploaded": _l("uploaded"),
    "mapped": _l("columns chosen"),
    "checked": _l("checked"),
    "done": _l("imported"),
    "rejected": _l("rejected, nothing written"),
    "failed": _l("failed, nothing written"),
}

_PAIR = re.compile(r"(?:^|\s)([a-z_]+)=")
_SPACED = re.compile(r"^([a-z_]+)(?::\s*|\s+)(.+)$")


@dataclass(frozen=True)
class Detail:
    """One detail of an event: a translated label (empty for free text) and its value."""

    label: str
    value: str


def action_label(action: str) -> str:
    """The action in the reader's words, or the stored code when it is not in the catalogue."""
    if action in ACTIONS:
        return str(ACTIONS[action])
    if action in (registered := described("actions")):
        return str(registered[action])
    if match := _API_WRITE.match(action):
        return _("%(kind)s written through the API", kind=value_label(match[1]))
    return action


def value_label(value: str) -> str:
    """A stored value in words (kinds, roles, yes/no), else as stored; ``a->b`` both sides."""
    for arrow in ("->", " → "):
        if arrow in value:
            before, after = value.split(arrow, 1)
            return f"{value_label(before.strip())} → {value_label(after.strip())}"
    if value in VALUES:
        return str(VALUES[value])
    registered = described("values")
    return str(registered[value]) if value in registered else value


def _keys() -> dict[str, object]:
    """The catalogue's detail keys and those the later domains registered."""
    return {**described("keys"), **KEYS}


def details(text: str) -> list[Detail]:
    """The stored details as labelled values: ``kind=deals bytes=342`` → Kind: Deals, Size in
    bytes: 342. Parts in another form are kept as free text."""
    text = text.strip()
    if not text:
        return []
    keys = _keys()
    pairs = list(_PAIR.finditer(text))
    if pairs and pairs[0].start() == 0 and all(m[1] in keys for m in pairs):
        found = []
        for index, match in enumerate(pairs):
            end = pairs[index + 1].start() if index + 1 < len(pairs) else len(text)
            found.append(Detail(str(keys[match[1]]), value_label(text[match.end() : end].strip())))
        return found
    found = []
    for part in re.split(r";\s*|,\s+", text):
        match = _SPACED.match(part.strip())
        if match and match[1] in keys:
            found.append(Detail(str(keys[match[1]]), value_label(match[2].strip())))
        elif part.strip():
            found.append(Detail("", value_label(part.strip())))
    return found

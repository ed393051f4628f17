"""Words people read for the follow-ups' states, reasons, timeline entries and root causes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from coachflow.followups.models import CaseReason, CaseState, EventKind, RootCause

# The root causes every installation starts with, in their order (the migration seeds them).
SEEDED_ROOT_CAUSES = (
    "product",
    "price",
    "delivery",
    "service",
    "marketing",
    "training",
    "sales_conversation",
    "other",
)

ROOT_CAUSE_NAMES = {
    "product": _l("Product"),
    "price": _l("Price"),
    "delivery": _l("Delivery"),
    "service": _l("Service"),
    "marketing": _l("Marketing"),
    "training": _l("Training"),
    "sales_conversation": _l("The sales conversation"),
    "other": _l("Other"),
}

STATE_NAMES = {
    CaseState.OPEN: _l("Open"),
    CaseState.CONTACTED: _l("Contacted"),
    CaseState.RESOLVED: _l("Resolved"),
    CaseState.COULD_NOT_RESOLVE: _l("Could not resolve"),
}

REASON_NAMES = {
    CaseReason.NPS: _l("Detractor score"),
    CaseReason.CSAT: _l("Low satisfaction rating"),
    CaseReason.KEYWORD: _l("Comment with a watched word"),
}

EVENT_NAMES = {
    EventKind.NOTE: _l("Note"),
    EventKind.CALL: _l("Call"),
    EventKind.EMAIL: _l("Email"),
    EventKind.MEETING: _l("Meeting"),
    EventKind.STATE_CHANGE: _l("State changed"),
    EventKind.REASSIGNMENT: _l("Reassigned"),
    EventKind.RESURVEY: _l("Customer asked again"),
}


def root_cause_label(code: str, name: str = "") -> str:
    """A root cause's name to show: the translated seeded name, else the admin's own."""
    if code in ROOT_CAUSE_NAMES:
        return str(ROOT_CAUSE_NAMES[code])
    return name or code


def label_of(cause: RootCause) -> str:
    return root_cause_label(cause.code, cause.name)

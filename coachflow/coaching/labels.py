"""What people read for the coaching enums, in their language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from coachflow.coaching.models import AssessmentKind, CycleState, Metric, SessionKind

METRICS = {
    Metric.REVENUE: _l("Revenue"),
    Metric.MARGIN_RATE: _l("Margin %"),
    Metric.BOOKINGS: _l("Bookings (won deals)"),
    Metric.ESTIMATES: _l("Number of estimates"),
    Metric.NPS: _l("Customer NPS"),
    Metric.CSAT: _l("Customer CSAT %"),
    Metric.RESOLUTION_RATE: _l("Follow-up resolution rate %"),
    Metric.MANUAL: _l("Manual (updated by hand)"),
}
SESSION_KINDS = {
    SessionKind.ONE_ON_ONE: _l("1:1"),
    SessionKind.FIELD_VISIT: _l("Field visit"),
    SessionKind.CALL_PREPARATION: _l("Call preparation"),
    SessionKind.CALL_DEBRIEF: _l("Call debrief"),
    SessionKind.SALES_MEETING: _l("Sales meeting"),
    SessionKind.TRAINING: _l("Training"),
}
CYCLE_STATES = {
    CycleState.PLANNED: _l("planned"),
    CycleState.ACTIVE: _l("active"),
    CycleState.CLOSED: _l("closed"),
}
ASSESSMENT_KINDS = {
    AssessmentKind.SELF: _l("Self-assessment"),
    AssessmentKind.MANAGER: _l("Manager assessment"),
}

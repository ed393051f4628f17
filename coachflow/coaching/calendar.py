"""A session as an iCalendar invitation (RFC 5545, RFC 5546 methods), built with ``icalendar``.

The UID is the session's own and never changes; SEQUENCE rises with each move, so calendars
replace the old event; a cancellation is METHOD:CANCEL with STATUS:CANCELLED. Times are UTC.
"""

from __future__ import annotations

import datetime

from icalendar import Calendar, Event, vCalAddress, vText

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def _person(address: str, name: str, role: str | None = None) -> vCalAddress:
    person = vCalAddress(f"mailto:{address}")
    person.params["CN"] = vText(name)
    if role:
        person.params["ROLE"] = vText(role)
        person.params["PARTSTAT"] = vText("NEEDS-ACTION")
        person.params["RSVP"] = vText("TRUE")
    return person


def invitation(
    *,
    uid: str,
    sequence: int,
    method: str,
    summary: str,
    description: str,
    location: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    organizer: tuple[str, str],
    attendee: tuple[str, str],
    stamp: datetime.datetime,
) -> bytes:
    """The ``.ics`` text of one event: ``organizer`` and ``attendee`` are (address, name)."""
    calendar = Calendar()
    calendar.add("prodid", "-//CoachFlow//Coaching sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.astimezone(datetime.UTC))
    event.add("dtstart", starts_at.astimezone(datetime.UTC))
    event.add("dtend", ends_at.astimezone(datetime.UTC))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("organizer", _person(*organizer))
    event.add("attendee", _person(*attendee, role="REQ-PARTICIPANT"))
    calendar.add_component(event)
    return calendar.to_ical()

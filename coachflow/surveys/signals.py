"""The surveys domain's signals, for later domains to learn of its events without an import
of theirs here (follow-ups open a case from an unhappy answer, and erase or export the copies
they keep of a person's answers)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent after an answer's commit, with ``response_id``: the stored response's id. Receivers must
# not hold up the answer: they start a job and return.
response_stored = _signals.signal("response-stored")

# Sent by a person's erasure INSIDE its transaction, before the commit, with ``email`` (the
# normalised address), ``contact_id`` (None for invitations to an address without a contact),
# ``response_ids`` (the person's responses, listed before their invitations were detached) and
# ``by`` (the admin, or None from the command line). Receivers erase their own copies of the
# person's data in the same session and never commit: the erasure commits once, or, when a
# receiver raises, rolls everything back, so nothing is half-erased.
contact_erased = _signals.signal("contact-erased")

# Sent by a person's export with ``email``, ``contact_id`` and ``response_ids`` as above. Each
# receiver returns a dict of sections, ``{name: JSON-ready value}``, that the export adds to
# what the surveys domain holds (a name may be used by one domain only).
contact_exported = _signals.signal("contact-exported")

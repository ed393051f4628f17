"""The surveys domain's signals, for later domains to learn of its events without an import
of theirs here (follow-ups open a case from an unhappy answer)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent after an answer's commit, with ``response_id``: the stored response's id. Receivers must
# not hold up the answer: they start a job and return.
response_stored = _signals.signal("response-stored")

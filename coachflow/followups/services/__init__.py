"""The follow-ups' use cases: evaluating answers, working cases, rules, root causes, deal
triggers, the re-survey and the periodic tick."""

from __future__ import annotations

from types import SimpleNamespace

from coachflow.accounts.models import Role

# Who sends the invitations follow-ups start (deal triggers, re-surveys): the organisation
# itself, which sees every customer; the audit log shows them without a person.
ORGANISATION = SimpleNamespace(id=None, role=Role.ADMIN, user=None)

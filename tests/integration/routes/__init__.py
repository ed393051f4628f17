"""Each domain's rows of the route matrix (tests/integration/test_route_matrix.py), in one module
per domain of ``coachflow.app.DOMAINS`` plus ``platform``; the outcome letters they use."""

from __future__ import annotations

ROLES = ("anonymous", "rep", "other_rep", "manager", "other_manager", "hr", "admin")

# Outcome letters, in ROLES order: A = allowed, D = 403 refused (the role may not do this),
# N = 404 (the role may, but this record is outside the person's scope: it looks like an unknown
# id), L = sent to sign in, T = 401 with a Bearer challenge (the REST API: a session never
# authenticates it).
PUBLIC = "AAAAAAA"
SIGNED_IN = "LAAAAAA"
ADMIN_ONLY = "LDDDDDA"
BEARER_ONLY = "TTTTTTT"
SURVEY_BUILDERS = "LDDAAAA"  # MANAGE_SURVEYS: managers, HR and admin
SURVEY_OWNER = "LDDANAA"  # one survey: its owner (the org's manager), HR and admin
APPROVERS = "LDDDDAA"  # APPROVE_ADHOC_SENDS: HR and admin

"""The follow-ups' use cases: evaluating answers, working cases, rules, root causes, deal
triggers and the periodic tick."""

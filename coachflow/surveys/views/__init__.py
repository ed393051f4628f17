"""The customer-survey pages: the public answer page, sending and invitations, results, privacy."""

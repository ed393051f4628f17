"""The customer-survey use cases: choosing recipients and inviting them (distribution), the
mail-out (sending), storing an answer (answering), a contact's data on request (privacy)."""

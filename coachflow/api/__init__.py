"""The REST API (``/api/v1``), its bearer tokens, the admin's token page and commands."""

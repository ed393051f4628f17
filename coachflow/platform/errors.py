"""Domain errors that services raise and views or the API turn into messages and status codes."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request; ``message`` is shown to the person."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(DomainError):
    """The request clashes with existing data (a duplicate email, a name already taken)."""

    status_code = 409


class InvalidToken(DomainError):
    """A link's token is unknown, tampered, expired or already used."""

    def __init__(self, message: str, *, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code

"""Request bodies of the API: JSON parsed exactly, checked against a pydantic schema, and every
problem named by a JSON pointer (RFC 6901) with a message of our own to translate.

No domain here: a domain's ``api.py`` declares its schemas with these types and validators. The
messages are English, marked with ``N_`` for the catalogues; the error handler translates them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

Model = TypeVar("Model", bound=BaseModel)
# What pydantic's own error types say: by type, or by type and where (() is the body itself).
Messages = dict[str | tuple[str, tuple[str | int, ...]], tuple[str, dict[str, Any]]]


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it here."""
    return message


NOT_KNOWN = N_("This field is not known.")


class MalformedJson(ValueError):
    """The body is not JSON at all."""


@dataclass(frozen=True)
class PayloadProblem:
    """One thing wrong in a request body: where (a JSON pointer) and why."""

    pointer: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


class InvalidPayload(Exception):
    """The body is JSON but not what the schema asks for; nothing was checked further."""

    def __init__(self, problems: list[PayloadProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the request body")
        self.problems = problems


def parse_json(body: bytes) -> Any:
    """The JSON value of ``body``, with numbers as ``Decimal`` or ``int`` (never float)."""
    if not body.strip():
        raise MalformedJson("the body is empty")
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_refuse_constant)
    except RecursionError as error:
        raise MalformedJson("the body is nested too deeply") from error
    except ValueError as error:  # JSONDecodeError, bad UTF-8, an integer with too many digits
        raise MalformedJson(str(error)) from error


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def pointer(*parts: str | int) -> str:
    """A JSON pointer to ``parts`` (``pointer("records", 3, "amount")`` → ``/records/3/amount``)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def refuse(message: str, **params: Any) -> PydanticCustomError:
    """The error a validator raises: ``message`` (an ``N_`` text) is both its type and its text."""
    return PydanticCustomError(message, message, params or None)


def validate(
    model: type[Model],
    body: Any,
    *,
    messages: Messages | None = None,
    first: Iterable[PayloadProblem] = (),
    unknown_first: bool = True,
    later: frozenset[str] = frozenset(),
) -> Model:
    """``body`` checked against ``model``; ``InvalidPayload`` with every problem otherwise.

    ``messages`` gives the text for pydantic's own error types (``model_type``, ``list_type``,
    ``too_short``, …). A problem with the body's shape hides the problems inside its items; for
    each object, unknown fields come first (unless not ``unknown_first``), then the others, then
    those whose message is in ``later``, each in the order the body has them. ``first`` are
    problems found before, listed first.
    """
    problems = list(first)
    try:
        result = model.model_validate(body)
    except ValidationError as error:
        problems.extend(_problems(error.errors(), body, messages or {}, unknown_first, later))
        raise InvalidPayload(problems) from None
    if problems:
        raise InvalidPayload(problems)
    return result


def _problems(
    errors: list[Any], body: Any, messages: Messages, unknown_first: bool, later: frozenset[str]
) -> list[PayloadProblem]:
    if min(len(e["loc"]) for e in errors) <= 1:
        errors = [e for e in errors if len(e["loc"]) <= 1]
    ranked = []
    for error in errors:
        loc, kind = tuple(error["loc"]), error["type"]
        known = messages.get((kind, loc)) or messages.get(kind)
        if kind == "extra_forbidden":
            message, params, rank = NOT_KNOWN, {}, 0 if unknown_first else 1
        elif known is not None:
            (message, params), rank = known, 1
        else:
            message, params = kind, dict(error.get("ctx") or {})
            rank = 2 if kind in later else 1
        item = loc if loc and isinstance(loc[-1], int) else loc[:-1]
        ranked.append(
            (
                _sortable(item),
                rank,
                _position(body, loc),
                PayloadProblem(pointer(*loc), message, params),
            )
        )
    ranked.sort(key=lambda r: r[:3])
    return [r[3] for r in ranked]


def _position(body: Any, loc: tuple[Any, ...]) -> int:
    """Where the field at ``loc`` stands in its object, to list problems in body order."""
    container = body
    for part in loc[:-1]:
        try:
            container = container[part]
        except (KeyError, IndexError, TypeError):
            return 0
    if isinstance(container, dict) and loc and loc[-1] in container:
        return list(container).index(loc[-1])
    return 0


def _sortable(parts: tuple[Any, ...]) -> tuple[tuple[int, Any], ...]:
    return tuple((0, p) if isinstance(p, int) else (1, str(p)) for p in parts)

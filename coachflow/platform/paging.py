"""One way to page a list, for pages and the API alike: a ``Page`` with what a pager needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from coachflow.platform.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with what the pager needs."""

    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _clamp(page: int, total: int, per_page: int) -> int:
    return min(max(1, page), max(1, -(-total // per_page)))


def page_of(items: Sequence[T], page: int, per_page: int) -> Page[T]:
    """A page of a list already in memory (the rows of a computed table)."""
    page = _clamp(page, len(items), per_page)
    start = (page - 1) * per_page
    return Page(items[start : start + per_page], page, per_page, len(items))


def paginate(
    rows: Select[Any], page: int, per_page: int, *, count: Select[Any] | None = None
) -> Page[Any]:
    """Two queries: how many rows there are (``count``, or counted from ``rows``), then one page
    of ``rows``. A one-entity select pages its objects, any other its rows."""
    if count is None:
        count = select(func.count()).select_from(rows.order_by(None).subquery())
    total = db.session.scalar(count) or 0
    page = _clamp(page, total, per_page)
    result = db.session.execute(rows.limit(per_page).offset((page - 1) * per_page))
    single = len(rows.column_descriptions) == 1 and rows.column_descriptions[0]["entity"]
    items = result.unique().scalars().all() if single else result.all()
    return Page(items, page, per_page, total)

"""Who may see and change sales records: whoever may see the person who sells them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, true

from coachflow.accounts.models import Role, User
from coachflow.accounts.policy import ADMIN, EVERYONE, may_see_person, visible_sellers
from coachflow.platform.permissions import action
from coachflow.sales.models import Contact, CustomerAccount, Deal, Quota


def seller_of(record: object) -> object:
    """Whose sales a record is: an account's or a contact's owner, a deal's or a quota's rep."""
    if isinstance(record, Contact):
        return record.account.owner
    if isinstance(record, CustomerAccount):
        return record.owner
    if isinstance(record, Deal | Quota):
        return record.rep
    return record


def may_see_sales(user: Any, target: object) -> bool:
    """An account is seen by whoever may see its owner's sales; a person or team by the rule
    for people."""
    return may_see_person(user, seller_of(target))


VIEW_SALES = action("sales.view", EVERYONE, rule=may_see_sales)
IMPORT_SALES_DATA = action("sales.import", ADMIN)
# REST API with a bearer token: read the records one may see; create and update them.
API_READ = action("api.read", EVERYONE, scope="read", rule=may_see_sales)
API_WRITE = action("api.write", ADMIN, scope="write")


def visible_sales(user: User, seller: Any) -> ColumnElement[bool]:
    """SQL: the records whose ``seller`` column (a rep or owner id) ``user`` may see."""
    if user.role in (Role.ADMIN, Role.HR):
        return true()  # including accounts nobody owns
    return seller.in_(visible_sellers(user))

"""Use cases behind the API's writes. Each owns its transaction."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from coachflow.accounts.models import ApiToken
from coachflow.platform import audit
from coachflow.platform.errors import Conflict
from coachflow.platform.extensions import db
from coachflow.sales.importing import ImportResult, import_records
from coachflow.sales.records import ParseOptions

# JSON writes numbers with a decimal point, always; dates are ISO first.
API_PARSE_OPTIONS = ParseOptions(decimal_hint=".")


def upsert_records(
    kind: str, rows: list[tuple[int, dict[str, str]]], *, token: ApiToken
) -> ImportResult:
    """Create or update sales records sent through the API, all or nothing, validated exactly as
    a CSV import is; raises ``ImportRejected`` naming each problem's record and field."""
    try:
        result = import_records(kind, rows, options=API_PARSE_OPTIONS)
        audit.record(
            token.user,
            f"api.{kind}.upserted",
            f"{kind} ({token.prefix})",
            f"token={token.name} created={result.created} updated={result.updated}",
        )
        db.session.commit()
    except IntegrityError as error:
        # Two requests created the same new record at the same moment; the other one won.
        db.session.rollback()
        raise Conflict(
            _("Another request changed the same records at the same time. Send this one again.")
        ) from error
    return result

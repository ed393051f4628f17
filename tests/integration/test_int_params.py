"""Numbers too large for the database in a URL are a 404 (an id) or a 400 (a filter or a page),
never a server error: every GET route, each of its whole-number path arguments and every query
argument a view reads, as an admin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import url_for

from tests.integration.test_api_support import issue_token
from tests.integration.test_route_matrix import MATRIX, ROUTES, _url_args

HUGE = "99999999999999999999"
SOURCE = Path(__file__).resolve().parents[2] / "coachflow"
# Every query argument any view or API reads by name.
QUERY_NAMES = sorted(
    {
        name
        for path in SOURCE.rglob("*.py")
        for name in re.findall(
            r"(?:args\.get|_int_arg|_page|int_arg|_date_arg|_parsed)\(\s*\"(\w+)\"",
            path.read_text(),
        )
    }
    | {"page", "per_page", "team", "rep", "line", "level", "account"}
)
GET_ROUTES = [(endpoint, rule) for endpoint, method, rule in ROUTES if method == "GET"]


def _int_arguments(app, endpoint: str) -> list[str]:
    [rule] = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    return [name for name, converter in rule._converters.items() if converter.regex == r"\d+"]


@pytest.mark.parametrize(("endpoint", "rule"), GET_ROUTES)
def test_a_too_large_number_in_a_get_url_is_never_a_server_error(app, org, as_role, endpoint, rule):
    client = as_role("admin")
    headers = {"Authorization": f"Bearer {issue_token(app, org.admin, 'read')}"}
    args = _url_args(app, org, MATRIX[endpoint][1])
    with app.test_request_context():
        url = url_for(endpoint, **args)
        too_large = {
            name: url_for(endpoint, **{**args, name: 424242}).replace("424242", HUGE)
            for name in _int_arguments(app, endpoint)
        }
    for name, path in too_large.items():
        response = client.get(path, headers=headers)
        assert response.status_code == 404, f"{path} ({name}): {response.status_code}"
    separator = "&" if "?" in url else "?"
    for name in QUERY_NAMES:
        response = client.get(f"{url}{separator}{name}={HUGE}", headers=headers)
        response.close()
        assert response.status_code < 500, f"{url} ?{name}=: {response.status_code}"

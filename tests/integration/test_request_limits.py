"""Forms the app cannot read are refused with a reason: bytes that are not UTF-8 (a 400 that
says so, not an empty form), and more fields or bytes than a form may have (a 413)."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from coachflow.platform.extensions import db
from coachflow.questionnaires.models import Question, QuestionType
from coachflow.surveys.models import Response
from tests.survey_factories import make_invitation, make_survey


def _answer_link(app, org) -> tuple[str, str]:
    """A survey link's token and the form field of its NPS question."""
    with app.app_context():
        survey = make_survey(owner_id=org.manager)
        _invitation, token = make_invitation(app, survey, email="c@example.com", rep_id=org.rep)
        db.session.commit()
        nps = db.session.scalar(select(Question.id).where(Question.type == QuestionType.NPS))
        return token, f"q{nps}"


def _responses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def test_an_answer_with_a_raw_invalid_byte_is_refused_saying_so_not_called_missing(
    app, client, org
):
    token, nps = _answer_link(app, org)
    body = f"{nps}=9&q999=".encode() + b"caf\xe9"

    response = client.post(
        f"/s/{token}", data=body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    page = response.data.decode()
    assert "not valid UTF-8 text" in page
    assert "Please answer" not in page
    assert _responses(app) == 0
    # Sent again as a browser sends it, the answer is taken.
    assert client.post(f"/s/{token}", data={nps: "9"}).status_code in (200, 303)
    assert _responses(app) == 1


def test_a_percent_encoded_invalid_byte_is_refused_too(app, client, org):
    token, nps = _answer_link(app, org)
    response = client.post(
        f"/s/{token}", data=f"{nps}=9%FF", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "not valid UTF-8 text" in response.data.decode()


def test_a_multipart_form_with_bytes_that_are_not_utf8_is_refused(app, client, org):
    body = (
        b'--cf\r\nContent-Disposition: form-data; name="email"\r\n\r\nhr\xff@example.com\r\n'
        b"--cf--\r\n"
    )
    response = client.post("/login", data=body, content_type="multipart/form-data; boundary=cf")
    assert response.status_code == 400
    assert "not valid UTF-8 text" in response.data.decode()


def test_a_form_with_more_fields_than_allowed_is_refused_with_413_before_it_is_read(
    app, client, org
):
    token, nps = _answer_link(app, org)
    body = f"{nps}=9&" + "&".join(f"x{n}=" for n in range(app.config["MAX_FORM_PARTS"]))

    response = client.post(
        f"/s/{token}", data=body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert "larger than this server accepts" in response.data.decode()
    assert _responses(app) == 0


def test_a_form_larger_than_allowed_is_refused_with_413(app, client, org):
    app.config["MAX_FORM_MEMORY_SIZE"] = 1000
    token, nps = _answer_link(app, org)
    response = client.post(f"/s/{token}", data={nps: "9", "comment": "x" * 2000})
    assert response.status_code == 413


def test_a_multipart_form_with_too_many_parts_is_refused_with_413(app, client):
    app.config["MAX_FORM_PARTS"] = 10
    data = {f"f{n}": "v" for n in range(20)}
    data["file"] = (io.BytesIO(b"a"), "a.csv")
    response = client.post("/login", data=data, content_type="multipart/form-data")
    assert response.status_code == 413


def test_ordinary_forms_stay_within_the_limits(app, client, org):
    token, nps = _answer_link(app, org)
    response = client.post(f"/s/{token}", data={nps: "10"})
    assert response.status_code in (200, 303)
    assert _responses(app) == 1


def test_a_range_of_a_stylesheet_is_sent_as_the_bytes_it_names(client):
    response = client.get(
        "/static/css/public.css", headers={"Range": "bytes=0-99", "Accept-Encoding": "gzip"}
    )
    assert response.status_code == 206
    assert "Content-Encoding" not in response.headers
    assert len(response.get_data()) == 100
    response.close()

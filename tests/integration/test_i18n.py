"""Languages: the user's setting, then the browser; every message translated in de and fr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from coachflow.accounts.models import User
from coachflow.platform.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def test_signed_in_user_reads_their_own_language(app, as_role, org):
    with app.app_context():
        db.session.get(User, org.manager).language = "de"
        db.session.commit()
    page = as_role("manager").get("/", headers={"Accept-Language": "fr"}).data.decode()
    assert '<html lang="de">' in page
    assert ">Start</a>" in page
    assert ">Abmelden</button>" in page


def test_visitor_reads_the_browsers_language(client):
    page = client.get("/login", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"})
    assert '<html lang="fr">' in page.data.decode()
    assert "Se connecter" in page.data.decode()


def test_unsupported_browser_language_falls_back_to_english(client):
    page = client.get("/login", headers={"Accept-Language": "ja"}).data.decode()
    assert '<html lang="en">' in page
    assert "Sign in to CoachFlow" in page


@pytest.fixture(scope="module")
def extracted_messages(tmp_path_factory) -> set[str]:
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            Path(sys.executable).parent / "pybabel",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "lazy_gettext",
            "-k",
            "_l",
            "-k",
            "N_",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.mark.parametrize("language", ["de", "fr"])
def test_every_message_is_translated(extracted_messages, language):
    path = ROOT / "coachflow" / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    missing = sorted(extracted_messages - translated)
    assert missing == [], f"untranslated in {language} (run `make extract-messages`): {missing}"


def test_a_user_who_picks_the_browsers_language_reads_what_the_browser_asks_for(app, as_role, org):
    from tests.helpers import csrf_token

    with app.app_context():
        db.session.get(User, org.manager).language = "de"
        db.session.commit()
    client = as_role("manager")
    client.post(
        "/account",
        data={
            "lang-language": "",
            "lang-submit": "1",
            "lang-csrf_token": csrf_token(client, "/account"),
        },
    )
    with app.app_context():
        assert db.session.get(User, org.manager).language is None
    page = client.get("/", headers={"Accept-Language": "fr"}).data.decode()
    assert '<html lang="fr">' in page

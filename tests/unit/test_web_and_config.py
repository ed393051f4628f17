"""Pure helpers: safe redirects and configuration from the environment."""

from __future__ import annotations

import stat

import pytest

from coachflow.app import create_app
from coachflow.platform.extensions import db
from coachflow.platform.web import is_safe_next
from config import Config, load_or_create_secret_key, normalise_database_url


@pytest.mark.parametrize("url", ["/", "/teams", "/teams/3?tab=people"])
def test_same_site_paths_are_safe_after_sign_in(url):
    assert is_safe_next(url)


@pytest.mark.parametrize(
    "url", ["", "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_other_sites_are_not(url):
    assert not is_safe_next(url)


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = load_or_create_secret_key(tmp_path)
    assert len(first) == 64
    assert load_or_create_secret_key(tmp_path) == first
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_the_psycopg_driver(given, used):
    assert normalise_database_url(given) == used


def test_configuration_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db/coachflow")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.com")
    monkeypatch.setenv("DATABASE_POOL_SIZE", "8")
    monkeypatch.setenv("DATABASE_POOL_RECYCLE", "120")
    config = Config()
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://app@db/coachflow"
    # Checked before use and replaced before a proxy's idle timeout drops it.
    assert config.SQLALCHEMY_ENGINE_OPTIONS == {
        "pool_pre_ping": True,
        "pool_size": 8,
        "pool_recycle": 120,
    }
    assert config.REDIS_URL == "redis://cache:6379/0"
    assert config.RATELIMIT_STORAGE_URI == "redis://cache:6379/0"
    assert config.SECRET_KEY == "from-the-environment"
    assert config.MAIL_SUPPRESS_SEND is False


def test_embedded_default_needs_no_services(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "DATABASE_POOL_SIZE", "REDIS_URL", "MAIL_SERVER", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("config.INSTANCE_DIR", tmp_path)
    config = Config()
    assert f"sqlite:///{tmp_path / 'coachflow.sqlite'}" == config.SQLALCHEMY_DATABASE_URI
    assert config.REDIS_URL is None
    assert config.SQLALCHEMY_ENGINE_OPTIONS["pool_size"] == 5
    assert config.MAIL_SUPPRESS_SEND is True
    assert (tmp_path / "secret_key").read_text() == config.SECRET_KEY


def test_only_the_service_user_can_read_the_instance_folder_and_the_database(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    instance = tmp_path / "instance"
    monkeypatch.setattr("config.INSTANCE_DIR", instance)
    app = create_app(Config())
    with app.app_context():
        db.session.execute(db.text("CREATE TABLE t (x INTEGER)"))
        db.session.commit()
        db.engine.dispose()
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600
    database = instance / "coachflow.sqlite"
    assert database.stat().st_size > 0
    assert stat.S_IMODE(database.stat().st_mode) == 0o600

"""Languages: the user's setting first, then the browser's, then the default."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_login import current_user

from coachflow.platform.extensions import babel

# The languages CoachFlow speaks, English first: catalogues under coachflow/translations, survey
# texts, contacts' and users' languages all take their values from here.
LANGUAGES = ("en", "de", "fr")
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français"}


def languages_check(column: str) -> str:
    """SQL for a check constraint that keeps ``column`` to the supported languages."""
    return f"{column} IN ({', '.join(repr(code) for code in LANGUAGES)})"


def select_locale() -> str:
    """The language to render this request in."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands and jobs choose with force_locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

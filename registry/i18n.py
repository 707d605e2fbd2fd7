"""Language and time-zone selection: the user's pick, then their profile, then the browser."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import current_app, has_request_context, redirect, request, session
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from registry.common.urls import safe_next


def select_locale() -> Locale:
    """Flask-Babel locale selector.

    Returns a ``Locale`` parsed once per language (Flask-Babel would parse the code again on every request, a look-up
    on disk each time), and matches each distinct ``Accept-Language`` header once per process.
    """
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return _locale(default)
    if request.cookies:  # without cookies there is no session and nobody signed in (a QR scan): skip both
        chosen = session.get("lang")
        if chosen in languages:
            return _locale(chosen)
        if getattr(current_user, "is_authenticated", False) and current_user.language in languages:
            return _locale(current_user.language)
    return _locale(browser_language(request.headers.get("Accept-Language", ""), tuple(languages), default))


@lru_cache(maxsize=8)
def _locale(code: str) -> Locale:
    return Locale.parse(code)


@lru_cache(maxsize=512)
def browser_language(header: str, languages: tuple[str, ...], default: str) -> str:
    """The best of ``languages`` for an ``Accept-Language`` header (browsers send a handful of distinct values)."""
    return parse_accept_header(header, LanguageAccept).best_match(languages) or default


def select_timezone() -> str:
    """Every user sees times in the city's time zone."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_language() -> str:
    """The language of the current request ("vi" or "en")."""
    from flask_babel import get_locale

    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def remember_language():
    """Handle the language switch form: store the choice in the session and go back."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or "/")

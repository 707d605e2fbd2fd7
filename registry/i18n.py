"""Language and time-zone selection: the user's pick, then their profile, then the browser."""
from __future__ import annotations

from flask import current_app, has_request_context, redirect, request, session
from flask_login import current_user

from registry.common.urls import safe_next


def select_locale() -> str:
    """Flask-Babel locale selector."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.cookies:  # without cookies there is no session and nobody signed in (a QR scan): skip both
        chosen = session.get("lang")
        if chosen in languages:
            return chosen
        if getattr(current_user, "is_authenticated", False) and current_user.language in languages:
            return current_user.language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


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

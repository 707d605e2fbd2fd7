"""Error pages: one handler renders ``errors/<code>.html`` in the user's language, or JSON for API calls."""
from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from registry.extensions import db

TITLES = {
    400: lambda: _("The request could not be understood"),
    403: lambda: _("You do not have permission to do this"),
    404: lambda: _("Page not found"),
    405: lambda: _("This action is not allowed here"),
    409: lambda: _("Someone else changed this record"),
    413: lambda: _("The file is too large"),
    429: lambda: _("Too many attempts"),
    500: lambda: _("Something went wrong on our side"),
    503: lambda: _("The service is temporarily unavailable"),
}

MESSAGES = {
    400: lambda: _("Please go back, check what you entered and try again."),
    403: lambda: _("Your role does not allow this action. Ask an administrator if you need access."),
    404: lambda: _("The address may be mistyped, or the record no longer exists."),
    405: lambda: _("Please use the buttons on the page instead of typing the address."),
    409: lambda: _("Your changes were not saved because the record was changed by someone else after you "
                   "opened it. Reload the page to see the current version, then make your change again."),
    413: lambda: _("The uploaded file is larger than allowed. Please choose a smaller file."),
    429: lambda: _("Please wait a few minutes before trying again."),
    500: lambda: _("The error has been logged. Please try again; if it happens again, quote the reference "
                   "below to your administrator."),
    503: lambda: _("Please try again in a few minutes."),
}


def wants_json() -> bool:
    """True for API or JSON clients."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.path.endswith(".json") or best == "application/json" or request.path.startswith("/api/")


def render_error(code: int, message: str | None = None, headers=None):
    """Render the error page for ``code``."""
    title = TITLES.get(code, TITLES[500])()
    body = message or MESSAGES.get(code, MESSAGES[500])()
    if wants_json():
        response = jsonify(error=title, message=body, status=code, request_id=g.get("request_id"))
    else:
        response = render_template("errors/error.html", code=code, title=title, message=body,
                                   request_id=g.get("request_id"))
    response = (response, code) if headers is None else (response, code, headers)
    return response


def install(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 500
        kept = {405: "allow", 429: "retry-after"}.get(code)
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() == kept] if kept else None
        description = None
        if code == 400 and exc.description and not isinstance(exc, CSRFError):
            description = None
        return render_error(code, description, headers)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(400, _("The form had expired or was sent from elsewhere. Reload the page and "
                                   "submit it again."))

    @app.errorhandler(StaleDataError)
    def stale(exc: StaleDataError):
        db.session.rollback()
        return render_error(409)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        db.session.rollback()
        app.logger.exception("unhandled error (request %s)", g.get("request_id"))
        return render_error(500)

    @app.errorhandler(InternalServerError)
    def internal(exc):
        db.session.rollback()
        return render_error(500)

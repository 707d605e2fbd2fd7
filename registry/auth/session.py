"""Loading the signed-in user: the session carries ``"<id>:<session_version>"``."""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface

from registry.extensions import db


def load_user(login_id: str):
    """Flask-Login user loader; a stale session version or a deactivated account loads nobody."""
    from registry.auth.models import User

    try:
        user_id, version = (int(part) for part in login_id.split(":", 1))
    except (ValueError, AttributeError):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


class LeanCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without building the signing serializer for a request that sends no session
    cookie (every public QR scan): it is only needed to read a cookie, or to write one (``save_session`` builds its
    own), and without settling the cookie's settings for a response that has no session to save."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        """An empty session nobody changed has no cookie to write or delete: only ``Vary: Cookie`` if it was read
        (what Flask's own does, after settling seven cookie settings)."""
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)

"""Loading the signed-in user: the session carries ``"<id>:<session_version>"``."""
from __future__ import annotations

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

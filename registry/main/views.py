"""``/``: the sign-in form for visitors; each role's home page for staff."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from registry.auth.forms import LoginForm
from registry.common.permissions import Role, public

bp = Blueprint("main", __name__)

#: Endpoint that renders each role's home page, when that feature is installed.
HOME_VIEWS = {
    Role.MANAGER: "oversight.dashboard",
    Role.INSPECTOR: "inspections.today",
    Role.CLERK: "licences.clerk_home",
}


@bp.get("/")
@public
def home():
    """Visitors see the sign-in form; staff see the start page of their role."""
    if not current_user.is_authenticated:
        return render_template("auth/login.html", form=LoginForm())
    endpoint = HOME_VIEWS.get(current_user.role)
    if endpoint and endpoint in current_app.view_functions:
        return current_app.view_functions[endpoint]()
    return render_template("main/home.html")

"""The venue licensing and inspection registry: application factory.

``create_app`` reads as a table of contents; each ``register_*`` step is a short function below.
"""
from __future__ import annotations

import logging
import os

from flask import Flask, g, has_request_context, jsonify, request, session
from sqlalchemy import text

from registry.common.modules import import_optional
from registry.config import PROJECT_ROOT, ProductionConfig, config_from_env
from registry.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

#: Feature packages whose ``views.bp`` blueprint is registered, in this order (those present are loaded).
BLUEPRINT_MODULES = (
    "registry.main.views",
    "registry.auth.views",
    "registry.auth.admin_views",
    "registry.venues.views",
    "registry.venues.operator_views",
    "registry.venues.import_views",
    "registry.reference.views",
    "registry.audit_views",
    "registry.licences.views",
    "registry.licences.application_views",
    "registry.licences.config_views",
    "registry.documents.views",
    "registry.inspections.views",
    "registry.oversight.views",
    "registry.public.views",
)


def create_app(config_object=None) -> Flask:
    """Build the Flask application.

    :param config_object: a config class or object; defaults to the one named by ``REGISTRY_ENV``.
    """
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "registry" / "static"), instance_relative_config=False)
    app.config.from_object(config_object or config_from_env())
    check_production_settings(app)
    register_proxy(app)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def check_production_settings(app: Flask) -> None:
    """Refuse to start in production with a default secret, DEBUG, or no database URL."""
    if app.config.get("ENV_NAME") == "production":
        ProductionConfig.check(app.config)
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)


def register_proxy(app: Flask) -> None:
    """Trust X-Forwarded-* only from the configured number of reverse proxies."""
    count = app.config.get("PROXY_FIX_COUNT", 0)
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_extensions(app: Flask) -> None:
    """Bind the extension singletons and the SQLite connection settings."""
    from registry import sqlite_tuning
    from registry.auth.session import LeanCookieSessionInterface, load_user
    from registry.i18n import select_locale, select_timezone

    sqlite_tuning.install()
    sqlite_tuning.ensure_folder(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    app.session_interface = LeanCookieSessionInterface()
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    bootstrap.init_app(app)
    limiter.init_app(app)
    # Every limit is declared on its view, and the decorators enforce them; with no default or application-wide
    # limits, the evaluation Flask-Limiter also runs before every request only costs time (a tenth of a QR scan).
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # absent when RATELIMIT_ENABLED is off
        hooks.remove(limiter._check_request_limit)


def register_request_hooks(app: Flask) -> None:
    """Request id, deny-by-default access check and security headers on every response."""
    from registry.common.permissions import enforce_declared_access
    from registry.security import set_security_headers

    @app.before_request
    def assign_request_id():
        g.request_id = request.headers.get("X-Request-ID", "")[:40] or os.urandom(8).hex()

    app.before_request(enforce_declared_access)
    app.after_request(set_security_headers)


def register_blueprints(app: Flask) -> None:
    """Register each feature's blueprint (``bp`` in its views module)."""
    for name in BLUEPRINT_MODULES:
        module = import_optional(name)
        if module is not None:
            app.register_blueprint(module.bp)

    from registry.common.permissions import public

    @app.get("/healthz")
    @public
    def healthz():
        try:
            db.session.execute(text("SELECT 1"))
            database = "ok"
        except Exception:  # report, don't crash: this is what monitoring polls
            database = "unavailable"
        status = 200 if database == "ok" else 503
        return jsonify(status="ok" if status == 200 else "degraded", database=database), status

    @app.post("/language")
    @public
    def set_language():
        from registry.i18n import remember_language

        return remember_language()


def register_errorhandlers(app: Flask) -> None:
    """One handler renders ``errors/<code>.html`` (or JSON for API clients)."""
    from registry.errors import install

    install(app)


def register_template_helpers(app: Flask) -> None:
    """Filters and globals shared by every template."""
    import registry.models  # noqa: F401  (labels of every feature's enums)
    from registry.common.formatting import FILTERS
    from registry.common.labels import action_label, label
    from registry.common.permissions import Permission, can
    from registry.i18n import current_language

    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.filters["label"] = label
    app.jinja_env.globals.update(can=can, Permission=Permission, current_language=current_language,
                                 languages=app.config["LANGUAGES"], label=label, role_label=label,
                                 has_endpoint=lambda name: name in app.view_functions,
                                 action_label=action_label)
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def inject_session_flags():
        return {"session_lang": session.get("lang") if has_request_context() else None}


def register_commands(app: Flask) -> None:
    """``flask users …``, ``flask demo``, ``flask audit verify`` and the other CLI groups."""
    from registry.cli import register

    register(app)

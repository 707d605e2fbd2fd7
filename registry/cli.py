"""Command-line interface: ``flask --app wsgi <command>``. Commands call services and commit."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app, g
from flask.cli import AppGroup
from sqlalchemy import func, select

from registry.common.audit import Actor
from registry.common.modules import import_optional
from registry.extensions import db

users_cli = AppGroup("users", help="Manage staff accounts.")
audit_cli = AppGroup("audit", help="Check the audit trail.")
preset_cli = AppGroup("preset", help="Jurisdiction configuration shipped as data.")

#: Extra command modules contributed by features: each exposes ``register(app)``.
FEATURE_COMMANDS = (
    "registry.demo.cli",
    "registry.licences.cli",
    "registry.documents.cli",
    "registry.inspections.cli",
    "registry.oversight.cli",
    "registry.backup",
)


def cli_actor() -> None:
    """Attribute audit events of this command to the operating-system user running it."""
    import getpass

    try:
        name = getpass.getuser()
    except Exception:  # no passwd entry in some containers
        name = "cli"
    g.audit_actor = Actor(None, f"cli:{name}"[:80], None)


def fail(message: str) -> None:
    """Print an error and exit with status 1."""
    click.secho(message, fg="red", err=True)
    sys.exit(1)


# ---------------------------------------------------------------- users
@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "manager", "clerk", "inspector"]), required=True)
@click.option("--name", "full_name", required=True, help="Full name shown in the app and on documents.")
@click.option("--email", default=None)
@click.password_option(help="At least 12 characters; asked for if not given.")
def users_create(username, role, full_name, email, password):
    """Create an account."""
    from registry.auth import services

    cli_actor()
    try:
        services.create_user(username=username, full_name=full_name, role=role, password=password, email=email)
    except services.AccountError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"created {username} ({role})")


@users_cli.command("list")
def users_list():
    """List accounts."""
    from registry.auth.models import User

    for user in db.session.execute(select(User).order_by(User.username)).scalars():
        state = "active" if user.active else "inactive"
        click.echo(f"{user.username:20} {user.role.value:10} {state:8} {user.full_name}")


def _get_user(username):
    from registry.auth import services

    user = services.find_user(username)
    if user is None:
        fail(f"no user {username!r}")
    return user


@users_cli.command("deactivate")
@click.argument("username")
def users_deactivate(username):
    """Deactivate an account and end its sessions."""
    from registry.auth import services

    cli_actor()
    try:
        services.set_active(_get_user(username), False)
    except services.AccountError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"deactivated {username}")


@users_cli.command("activate")
@click.argument("username")
def users_activate(username):
    """Reactivate an account."""
    from registry.auth import services

    cli_actor()
    services.set_active(_get_user(username), True)
    db.session.commit()
    click.echo(f"activated {username}")


@users_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(["admin", "manager", "clerk", "inspector"]))
def users_set_role(username, role):
    """Change an account's role (its sessions end)."""
    from registry.auth import services

    cli_actor()
    try:
        services.change_role(_get_user(username), role)
    except services.AccountError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"{username} is now {role}")


@users_cli.command("reset-password")
@click.argument("username")
@click.password_option(help="At least 12 characters; asked for if not given.")
def users_reset_password(username, password):
    """Set a new password (sessions end)."""
    from registry.auth import notices, services

    cli_actor()
    user = _get_user(username)
    try:
        services.set_password(user, password, by_admin=True)
    except services.AccountError as exc:
        fail(str(exc))
    db.session.commit()
    delivered = notices.notify(user, notices.CredentialChange.PASSWORD_RESET)
    click.echo(f"password of {username} reset" + {True: "; the account holder was told by e-mail",
                                                   False: "; the e-mail to the account holder was not delivered",
                                                   None: ""}[delivered])


# ---------------------------------------------------------------- audit
@audit_cli.command("verify")
def audit_verify():
    """Recompute the hash chain and name the first broken event."""
    from registry.common.audit import verify_chain

    result = verify_chain()
    if result.ok:
        click.echo(f"audit chain OK: {result.checked} events verified")
        return
    fail(f"audit chain BROKEN at event {result.first_bad_id}: {result.reason} "
         f"({result.checked} events verified before it)")


# ---------------------------------------------------------------- preset and first run
@preset_cli.command("load")
@click.option("--name", default=None, help="Preset folder (default: PRESET, i.e. haiphong).")
def preset_load(name):
    """Load or update the jurisdiction preset (idempotent)."""
    from registry.presets.loader import load_preset

    cli_actor()
    counts = load_preset(name or current_app.config["PRESET"])
    db.session.commit()
    for section, n in counts.items():
        click.echo(f"{section:20} {n}")


@click.command("setup")
@click.option("--demo/--no-demo", default=True, help="Load demo data when the database is empty.")
def setup_command(demo):
    """First-run set-up used by ``make run``: preset, then demo data, only when the database is empty."""
    from registry.auth.models import User
    from registry.presets.loader import load_preset

    cli_actor()
    empty = db.session.execute(select(func.count()).select_from(User)).scalar_one() == 0
    if not empty:
        click.echo("Database already has data: nothing loaded.")
        return
    load_preset(current_app.config["PRESET"])
    db.session.commit()
    click.echo(f"Loaded the {current_app.config['PRESET']} preset.")
    if demo:
        if not current_app.config.get("DEMO_ALLOWED"):
            fail("Demo data is refused with the production configuration.")
        from registry.demo import build_demo

        build_demo()
        db.session.commit()
        click.echo("Loaded demo data.")


def register(app: Flask) -> None:
    """Attach every command group to ``app``."""
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(preset_cli)
    app.cli.add_command(setup_command)
    for name in FEATURE_COMMANDS:
        module = import_optional(name)
        if module is not None:
            module.register(app)

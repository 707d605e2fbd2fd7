"""``flask licences …``: the daily expiry run (idempotent; schedule it once a day, e.g. from cron at 00:30)."""
from __future__ import annotations

from datetime import date

import click
from flask import Flask
from flask.cli import AppGroup

from registry.extensions import db

licences_cli = AppGroup("licences", help="Licence lifecycle jobs.")


@licences_cli.command("expire")
@click.option("--today", "today_text", default=None, metavar="YYYY-MM-DD",
              help="Run as if today were this date (default: today in the city's time zone).")
def expire_command(today_text):
    """Mark as expired every licence past its term and grace period (event permits after the event), and end
    suspensions whose end date has passed. Running it twice the same day changes nothing."""
    from registry.cli import cli_actor, fail
    from registry.licences.lifecycle import end_finished_suspensions, expire_licences

    try:
        today = date.fromisoformat(today_text) if today_text else None
    except ValueError:
        fail("--today must be a date such as 2026-11-25")
    cli_actor()
    expired = expire_licences(today)
    ended = end_finished_suspensions(today)
    db.session.commit()
    for licence in expired:
        click.echo(f"expired   {licence.number_display} (expiry {licence.expires_on.isoformat()})")
    for sanction in ended:
        click.echo(f"reinstated {sanction.licence.number_display} (suspension ended {sanction.ends_on.isoformat()})")
    click.echo(f"{len(expired)} licence(s) expired, {len(ended)} suspension(s) ended.")


def register(app: Flask) -> None:
    """Attach ``flask licences``."""
    app.cli.add_command(licences_cli)

"""``flask reminders preview|send``, ``flask rules apply`` and ``flask reports export``.

Schedule ``flask reminders send`` and ``flask rules apply`` daily (cron or a systemd timer, see the README): both
are idempotent, so a run that repeats or follows a crash does no harm.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

reminders_cli = AppGroup("reminders", help="Reminder digests to operators: preview and send (idempotent).")
rules_cli = AppGroup("rules", help="Automatic consequences of lapsed prerequisite documents.")
reports_cli = AppGroup("reports", help="Export the oversight reports.")

HORIZON = click.option("--horizon", type=click.IntRange(0, 366), default=30, show_default=True,
                       help="Days ahead: items due within this many days (and overdue ones) are included.")
CHANNEL = click.option("--channel", type=click.Choice(["email", "letter", "auto"]), default="email",
                       show_default=True, help="email: operators with an address; letter: one PDF with a letter "
                                               "for everyone; auto: e-mail when there is an address, else a letter.")
OPERATOR = click.option("--operator", "operator_ids", type=int, multiple=True,
                        help="Only this operator id (repeatable).")


def _print_plan(the_plan, *, bodies: bool) -> None:
    sendable = the_plan.sendable
    click.echo(f"{the_plan.today.isoformat()}: horizon {the_plan.horizon} days, channel {the_plan.channel}: "
               f"{len(sendable)} digest(s), {sum(len(d.to_send) for d in sendable)} notice(s) to send.")
    for digest in the_plan.digests:
        if not digest.to_send:
            continue
        rendered = digest.render(the_plan.today)
        where = digest.email if digest.channel == "email" else (
            "letter" if digest.channel == "letter" else "NO ADDRESS (use --channel auto or letter)")
        click.echo(f"- {digest.operator_name} [{digest.lang}] → {where}: {len(digest.to_send)} notice(s)"
                   + (f", {len(digest.already)} already sent" if digest.already else ""))
        click.echo(f"  Subject: {rendered.subject}")
        for n in digest.to_send:
            click.echo(f"    {n.item.due_on.isoformat()} ({n.item.days_left:+d} d, threshold {n.threshold}) "
                       f"{n.item.kind}: {n.item.title} {n.item.label} — {n.item.venue_name}")
        if bodies:
            click.echo("")
            click.echo("    " + rendered.text.replace("\n", "\n    "))


@reminders_cli.command("preview")
@HORIZON
@CHANNEL
@OPERATOR
@click.option("--bodies", is_flag=True, help="Print each message's text too.")
def preview_command(horizon, channel, operator_ids, bodies):
    """Show who would get what (nothing is written or sent)."""
    from registry.db import today_local
    from registry.oversight import reminders

    _print_plan(reminders.plan(today_local(), horizon, channel=channel, operator_ids=list(operator_ids) or None),
                bodies=bodies)


@reminders_cli.command("send")
@HORIZON
@CHANNEL
@OPERATOR
@click.option("--dry-run", is_flag=True, help="Print what would be sent, exactly as preview, and send nothing.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the PDF of letters (when letters are printed).")
def send_command(horizon, channel, operator_ids, dry_run, output):
    """Send today's digests; each notice is sent at most once, even if the command runs twice or crashed before."""
    from registry.cli import cli_actor, fail
    from registry.db import today_local
    from registry.oversight import reminders

    today = today_local()
    if dry_run:
        _print_plan(reminders.plan(today, horizon, channel=channel, operator_ids=list(operator_ids) or None),
                    bodies=False)
        click.echo("Dry run: nothing was sent or recorded.")
        return
    cli_actor()
    try:
        result = reminders.send(today, horizon, channel=channel, trigger="cli",
                                operator_ids=list(operator_ids) or None)
    except reminders.ReminderError as exc:
        fail(str(exc))
    click.echo(f"run {result.run_id}: {result.digests_sent} digest(s) sent ({result.notices_sent} notice(s)), "
               f"{result.failures} failed.")
    if result.letters_pdf is not None:
        target = output or Path(f"reminder-letters-run{result.run_id}.pdf")
        target.write_bytes(result.letters_pdf)
        click.echo(f"letters: {target} (stored as document {result.letters_document_id})")
    if result.failures:
        raise SystemExit(2)  # schedulers notice: some digests were not delivered (they are retried next run)


@rules_cli.command("apply")
def rules_apply_command():
    """Flag (or suspend) licences whose prerequisite documents lapsed, and clear flags answered by a renewal."""
    from registry.cli import cli_actor
    from registry.db import today_local
    from registry.extensions import db
    from registry.oversight.rules import apply_rules, describe

    cli_actor()
    result = apply_rules(today_local())
    db.session.commit()
    click.echo(describe(result))


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


@reports_cli.command("export")
@click.argument("name", type=click.Choice(["register", "processing-times", "inspections", "renewals", "workload"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--on", "on", default=None, help="register: the date (YYYY-MM-DD, default today).")
@click.option("--group", type=click.Choice(["status", "kind", "district"]), default="status", show_default=True)
@click.option("--start", default=None, help="Start of the period (YYYY-MM-DD; default one year before --end).")
@click.option("--end", default=None, help="End of the period (YYYY-MM-DD; default today).")
@click.option("--step", type=click.Choice(["month", "quarter", "year"]), default="month", show_default=True)
@click.option("--first", type=click.IntRange(2000, 2100), default=None, help="renewals: first year.")
@click.option("--last", type=click.IntRange(2000, 2100), default=None, help="renewals: last year.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def export_command(name, fmt, output, on, group, start, end, step, first, last, lang):
    """Write a report to a file (large exports belong here rather than in a web request)."""
    from datetime import timedelta

    from flask_babel import force_locale

    from registry.cli import fail
    from registry.common.exports import csv_rows, xlsx_bytes
    from registry.db import today_local
    from registry.oversight import reports

    today = today_local()
    end_day = _date(end) or today
    start_day = _date(start) or end_day - timedelta(days=365)
    if start_day > end_day:
        fail("--start is after --end.")
    with force_locale(lang):
        if name == "register":
            report = reports.register_report(_date(on) or today, group, lang=lang)
        elif name == "processing-times":
            report = reports.processing_report(start_day, end_day, lang=lang)
        elif name == "renewals":
            report = reports.renewals_report(first or today.year - 4, last or today.year, lang=lang)
        elif not reports.inspections_installed():
            fail("The inspections feature is not installed.")
        elif name == "inspections":
            report = reports.inspections_report(start_day, end_day, step, lang=lang)
        else:
            report = reports.workload_report(today)
        if fmt == "csv":
            with output.open("w", encoding="utf-8", newline="") as fh:
                for chunk in csv_rows(report.header, report.rows()):
                    fh.write(chunk)
        elif fmt == "xlsx":
            output.write_bytes(xlsx_bytes(report.title, report.header, report.rows()))
        else:
            output.write_bytes(reports.render_pdf(report))
    click.echo(f"{name}: written to {output}")


def register(app: Flask) -> None:
    """Attach the command groups."""
    app.cli.add_command(reminders_cli)
    app.cli.add_command(rules_cli)
    app.cli.add_command(reports_cli)

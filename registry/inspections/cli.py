"""``flask inspections …``: overdue visits, the risk queue and a checklist preview from the command line."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from registry.extensions import db

inspections_cli = AppGroup("inspections", help="Inspection planning and checklists.")


@inspections_cli.command("overdue")
def overdue():
    """List open visits whose date has passed (attempted visits included)."""
    from registry.db import today_local
    from registry.inspections.models import Inspection, InspectionStatus

    today = today_local()
    rows = db.session.execute(select(Inspection).where(
        Inspection.status.in_([InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS]),
        Inspection.scheduled_on < today).order_by(Inspection.scheduled_on)).scalars().all()
    for i in rows:
        click.echo(f"{i.scheduled_on:%Y-%m-%d}  #{i.id:<6} {i.kind.value:12} {i.lead.username:12} {i.venue.name}")
    click.echo(f"{len(rows)} overdue")


@inspections_cli.command("risk")
@click.option("--limit", default=20, show_default=True)
def risk_command(limit):
    """Print the risk queue with each score's parts."""
    from registry.db import today_local
    from registry.inspections.risk import risk_queue

    entries, total = risk_queue(today_local(), limit=limit)
    for e in entries:
        click.echo(f"{e.score:4d}  {e.venue.ref:14} {e.venue.name}  —  {e.reason}")
    click.echo(f"{len(entries)} of {total} venues")


@inspections_cli.command("checklist")
@click.argument("venue_ref")
@click.option("--kind", default="periodic", show_default=True)
def checklist(venue_ref, kind):
    """Preview the checklist a visit to VENUE_REF would get (nothing is saved)."""
    from registry.inspections import services
    from registry.inspections.checklists import build_checklist
    from registry.inspections.models import ChecklistDefinition, Inspection, InspectionKind
    from registry.venues.models import Venue

    venue = db.session.execute(select(Venue).where(Venue.ref == venue_ref)).scalar_one_or_none()
    if venue is None:
        raise click.ClickException(f"no venue {venue_ref!r}")
    licence = services.current_licence(venue.id)
    probe = Inspection(kind=InspectionKind(kind), venue=venue, licence=licence)
    definitions = db.session.execute(select(ChecklistDefinition).where(ChecklistDefinition.active)).scalars().all()
    for spec in build_checklist(definitions, services.visit_facts(probe)):
        click.echo(f"[{spec.section:10}] {spec.label_en}" + (f"  ({spec.expected_en})" if spec.expected_en else ""))
    db.session.rollback()


def register(app: Flask) -> None:
    """Attach ``flask inspections``."""
    app.cli.add_command(inspections_cli)

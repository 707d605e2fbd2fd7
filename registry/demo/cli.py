"""``flask demo``: load the realistic Hải Phòng demo set, or ``--venues N`` synthetic venues for benchmarks."""
from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select

from registry.common.statistics import refresh_statistics
from registry.extensions import db


def _counts() -> dict[str, int]:
    from registry.auth.models import User
    from registry.venues.models import Operator, Room, Venue

    return {name: db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for name, model in (("users", User), ("operators", Operator), ("venues", Venue), ("rooms", Room))}


@click.command("demo")
@click.option("--venues", "venue_count", type=click.IntRange(1, 2_000_000), default=None, metavar="N",
              help="Instead of the realistic set, add N synthetic venues (with operators, rooms and sports) "
                   "in bulk, e.g. 100000 for benchmarks.")
@click.option("--force", is_flag=True,
              help="Load the realistic set even though the database already holds venues "
                   "(records of the set that are already there are skipped).")
@click.option("--seed", type=int, default=2026, show_default=True, help="Random seed: same seed, same data.")
@click.option("--batch-size", type=click.IntRange(100, 50_000), default=5000, show_default=True,
              help="Venues per committed batch with --venues.")
@with_appcontext
def demo_command(venue_count, force, seed, batch_size):
    """Load demo data (refused with the production configuration)."""
    from registry.cli import cli_actor, fail
    from registry.demo import DemoRefused, ensure_demo_allowed

    try:
        ensure_demo_allowed()
    except DemoRefused:
        fail("Demo data is refused with the production configuration (REGISTRY_ENV=production): "
             "it would mix fictional venues and published demo passwords into real records.")
    cli_actor()
    if venue_count:
        _synthetic(venue_count, seed, batch_size)
    else:
        _realistic(force, seed)


def _realistic(force: bool, seed: int) -> None:
    from registry.cli import fail
    from registry.demo import DEMO_PASSWORD, DEMO_USERS, build_demo

    before = _counts()
    if before["venues"] and not force:
        fail(f"The database already holds {before['venues']} venues, so the demo set was not loaded. "
             "Run `flask demo --force` to add it anyway (records already there are skipped).")
    try:
        build_demo(seed)
    except RuntimeError as exc:  # e.g. the preset is not loaded
        db.session.rollback()
        fail(str(exc))
    db.session.commit()
    refresh_statistics()
    db.session.commit()
    after = _counts()
    for name in after:
        click.echo(f"{name:10} +{after[name] - before[name]}")
    click.echo(f"Demo accounts (password {DEMO_PASSWORD!r}): " + ", ".join(u for u, _, _ in DEMO_USERS))


def _synthetic(count: int, seed: int, batch_size: int) -> None:
    from registry.cli import fail
    from registry.common import audit
    from registry.demo.bulk import generate_venues

    started = time.perf_counter()
    try:
        with click.progressbar(length=count, label=f"Adding {count} synthetic venues", show_eta=True,
                               show_percent=True) as bar:
            result = generate_venues(count, seed=seed, batch_size=batch_size, on_batch=bar.update)
    except RuntimeError as exc:
        db.session.rollback()
        fail(str(exc))
    audit.record("demo.generate", changes={"venues": result.venues, "operators": result.operators,
                                           "rooms": result.rooms, "sports": result.sports,
                                           "refs": f"{result.first_ref}…{result.last_ref}", "seed": seed})
    db.session.commit()
    refresh_statistics()
    db.session.commit()
    elapsed = time.perf_counter() - started
    click.echo(f"Added {result.venues} venues ({result.first_ref} … {result.last_ref}), {result.operators} operators, "
               f"{result.rooms} rooms, {result.sports} sports offered in {elapsed:.1f} s "
               f"({result.venues / max(elapsed, 1e-9):,.0f} venues/s).")


def register(app: Flask) -> None:
    """Add ``flask demo``."""
    app.cli.add_command(demo_command)


def _labels() -> None:
    from flask_babel import lazy_gettext as _l

    from registry.common.labels import register_action_labels

    register_action_labels({"demo.generate": _l("Synthetic demo venues added")})


_labels()

"""Migrations are the only way the schema is built: they run on an empty database and match the models exactly."""
from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from registry import create_app
from registry.extensions import db
from tests.conftest import PG_URL, USE_PG, _pg_admin_engine, drop_pg_database, make_config


@pytest.fixture
def empty_database_uri(tmp_path):
    """A database with no tables at all."""
    if USE_PG:
        name = f"registry_empty_{uuid.uuid4().hex[:8]}"
        admin = _pg_admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        drop_pg_database(admin, name)
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'empty.db'}"


def _drift(app) -> list:
    import registry.models  # noqa: F401

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_on_empty_database_has_no_drift(empty_database_uri):
    app = create_app(make_config(empty_database_uri))
    with app.app_context():
        upgrade()
        assert _drift(app) == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "venues", "rooms", "audit_events", "licences", "applications"} <= tables
        db.engine.dispose()


def test_downgrade_then_upgrade_round_trips(empty_database_uri):
    app = create_app(make_config(empty_database_uri))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert "venues" not in inspect(db.engine).get_table_names()
        upgrade()
        assert _drift(app) == []
        db.engine.dispose()


def test_flask_db_check_command_reports_no_changes(empty_database_uri):
    app = create_app(make_config(empty_database_uri))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()


def test_audit_log_is_append_only_in_the_database(db):
    """The database itself refuses UPDATE and DELETE of audit events (triggers from the migration)."""
    from registry.common import audit

    audit.record("test.event", changes={"a": 1})
    db.session.commit()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE audit_events SET action = 'x'"))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("DELETE FROM audit_events"))
        db.session.flush()
    db.session.rollback()


def test_engine_url_is_the_test_database(app):
    assert "template" not in str(db.engine.url)
    assert create_engine  # imported for symmetry with the PostgreSQL path


def test_upgrade_to_0007_copies_each_venues_place_onto_its_existing_records(db):
    """Migration 0007 backfills the venue copies the dashboard filters on, for data that existed before it."""
    from datetime import date

    from registry.venues.models import VenueStatus
    from tests.factories import make_venue
    from tests.oversight import helpers

    open_venue = make_venue(kind="dance_hall")
    closed_venue = make_venue()
    closed_venue.status = VenueStatus.CLOSED
    licence = helpers.make_licence(open_venue, expires_on=date(2027, 1, 1))
    suspension = helpers.make_suspension(licence, ends_on=date(2027, 2, 1))
    documents = [helpers.make_document(v, expires_on=date(2027, 3, 1)) for v in (open_venue, closed_venue)]
    db.session.commit()
    expected = (open_venue.district_id, open_venue.ward_id, "dance_hall")
    licence, suspension, documents = licence.id, suspension.id, [d.id for d in documents]
    db.session.remove()

    downgrade(revision="0006")
    assert "venue_district_id" not in {c["name"] for c in inspect(db.engine).get_columns("licences")}
    upgrade()

    def copies(table, record_id):
        return db.session.execute(text(f"SELECT venue_district_id, venue_ward_id, venue_kind FROM {table}"
                                       " WHERE id = :id"), {"id": record_id}).one()

    assert tuple(copies("licences", licence)) == expected
    assert tuple(copies("sanctions", suspension)) == expected
    assert tuple(copies("prerequisite_documents", documents[0])) == expected
    closed = db.session.execute(text("SELECT id, venue_closed FROM prerequisite_documents WHERE id IN (:a, :b)"),
                                {"a": documents[0], "b": documents[1]}).all()
    assert {row.id: bool(row.venue_closed) for row in closed} == {documents[0]: False, documents[1]: True}
    db.session.remove()
    assert _drift(None) == []


def test_upgrade_to_0006_marks_the_remedies_still_awaited(db, make_user):
    """Migration 0006 sets ``remedy_pending`` on existing violations: a remedy date, the visit closed, the finding
    not yet resolved by a follow-up; nothing else."""
    from datetime import date

    from tests.factories import make_venue
    from tests.oversight import helpers

    lead = make_user("inspector")
    venue = make_venue()
    closed = helpers.make_inspection(venue, lead=lead, scheduled_on=date(2026, 10, 1))
    follow_up = helpers.make_inspection(venue, lead=lead, scheduled_on=date(2026, 11, 1), kind="follow_up",
                                        original=closed, outcome="compliant")
    draft = helpers.make_inspection(venue, lead=lead, scheduled_on=date(2026, 11, 20), status="in_progress",
                                    outcome=None)
    cases = {
        "awaited": helpers.make_violation(closed, remedy_due_on=date(2026, 12, 1)),
        "resolved at the follow-up": helpers.make_violation(closed, remedy_due_on=date(2026, 12, 1),
                                                            resolved_in=follow_up),
        "visit still open": helpers.make_violation(draft, remedy_due_on=date(2026, 12, 1)),
        "no remedy date": helpers.make_violation(closed, remedy_due_on=None),
    }
    db.session.commit()
    ids = {name: v.id for name, v in cases.items()}
    db.session.remove()

    downgrade(revision="0005")
    assert "remedy_pending" not in {c["name"] for c in inspect(db.engine).get_columns("violations")}
    upgrade()

    rows = dict(db.session.execute(text("SELECT id, remedy_pending FROM violations")).all())
    assert {name: bool(rows[i]) for name, i in ids.items()} == {
        "awaited": True, "resolved at the follow-up": False, "visit still open": False, "no remedy date": False}
    db.session.remove()

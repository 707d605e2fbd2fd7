"""Helpers for tampering with the audit log the way someone with database access would."""
from __future__ import annotations

import pytest
from sqlalchemy import text


def drop_append_only_triggers(db) -> None:
    """Drop the triggers that refuse UPDATE/DELETE, as a DBA could (SQLite and PostgreSQL spellings)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("DROP TRIGGER audit_events_no_update ON audit_events"))
    else:
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))
        db.session.execute(text("DROP TRIGGER audit_events_no_delete"))
    db.session.commit()


@pytest.fixture
def some_history(db, make_user):
    """Normal use: accounts created, a venue and an operator registered, all recorded (a dozen events)."""
    from registry.common import audit
    from tests.factories import make_operator, make_venue

    make_user("clerk", username="clerk_a")
    make_user("manager", username="manager_a")
    operator = make_operator()
    audit.record("operator.create", operator, {"name": [None, operator.name]})
    for _ in range(3):
        venue = make_venue(operator)
        audit.record("venue.create", venue, {"name": [None, venue.name]})
        audit.record("venue.update", venue, {"capacity": [120, 150]})
    db.session.commit()
    return operator

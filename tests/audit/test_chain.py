"""The hash chain proves the log was not altered: `flask audit verify` names the first event that was."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from registry.common import audit
from registry.common.audit import Actor, AuditEvent, verify_chain
from tests.audit.conftest import drop_append_only_triggers


def newest_id(db) -> int:
    return db.session.execute(select(func.max(AuditEvent.id))).scalar_one()


def verify(runner):
    return runner.invoke(args=["audit", "verify"])


def test_verify_passes_after_normal_use(runner, some_history, db):
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert f"audit chain OK: {newest_id(db)} events verified" in result.output


@pytest.mark.parametrize(("column", "value"), [
    ("changes_json", '{"capacity":[120,900]}'),
    ("actor_username", "someone_else"),
    ("ip", "10.0.0.66"),
])
def test_a_row_altered_with_sql_is_named(runner, db, some_history, column, value):
    target = newest_id(db) - 3
    drop_append_only_triggers(db)
    db.session.execute(text(f"UPDATE audit_events SET {column} = :v WHERE id = :id"), {"v": value, "id": target})
    db.session.commit()

    result = verify(runner)

    assert result.exit_code == 1
    assert f"BROKEN at event {target}: content does not match its hash" in result.output
    assert f"({target - 1} events verified before it)" in result.output


def test_a_deleted_event_is_named(runner, db, some_history):
    target = newest_id(db) - 4
    drop_append_only_triggers(db)
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": target})
    db.session.commit()

    result = verify(runner)

    assert result.exit_code == 1
    assert f"BROKEN at event {target}: missing event" in result.output


def test_removing_the_newest_event_is_detected(runner, db, some_history):
    target = newest_id(db)
    drop_append_only_triggers(db)
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": target})
    db.session.commit()

    result = verify(runner)

    assert result.exit_code == 1
    assert f"BROKEN at event {target}" in result.output


def test_a_swapped_pair_is_detected(runner, db, some_history):
    first = newest_id(db) - 5
    drop_append_only_triggers(db)
    swap = "UPDATE audit_events SET id = :new WHERE id = :old"
    db.session.execute(text(swap), {"old": first, "new": -1})
    db.session.execute(text(swap), {"old": first + 1, "new": first})
    db.session.execute(text(swap), {"old": -1, "new": first + 1})
    db.session.commit()

    result = verify(runner)

    assert result.exit_code == 1
    assert f"BROKEN at event {first}:" in result.output


@pytest.mark.parametrize("sql", ["UPDATE audit_events SET ip = '10.9.9.9' WHERE id = 2",
                                 "DELETE FROM audit_events WHERE id = 2"])
def test_the_database_refuses_update_and_delete(db, some_history, sql):
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(sql))
    db.session.rollback()
    assert verify_chain().ok


def test_changing_an_event_through_the_orm_is_refused(db, some_history):
    event = db.session.get(AuditEvent, 2)
    event.actor_username = "rewritten"
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEvent, 2).actor_username != "rewritten"


def test_concurrent_appenders_do_not_fork_the_chain(app, db, some_history):
    before = newest_id(db)
    db.session.rollback()  # end this thread's transaction: on SQLite it holds the write lock
    writers, per_writer = 10, 15
    start = threading.Barrier(writers, timeout=30)
    errors: list[BaseException] = []

    def append(n: int) -> None:
        try:
            with app.app_context():
                start.wait()
                for i in range(per_writer):
                    audit.record("venue.update", changes={"writer": n, "i": i}, actor=Actor(None, f"w{n}", None))
                    db.session.commit()
        except BaseException as exc:  # reported below, with the thread's own traceback
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert not errors, errors
    db.session.expire_all()
    ids = db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars().all()
    assert ids == list(range(1, before + writers * per_writer + 1))
    links = db.session.execute(select(AuditEvent.prev_hash)).scalars().all()
    assert len(set(links)) == len(links), "two events chained to the same predecessor: the chain forked"
    result = verify_chain()
    assert result.ok, result
    assert result.checked == before + writers * per_writer

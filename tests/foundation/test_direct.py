"""Statements run on the DBAPI cursor (``registry.common.direct``) give what Core gives, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import bindparam, func, insert, select

from registry.common.direct import DirectStatement, direct_transaction
from registry.documents.models import VerificationScan
from registry.licences.models import Licence, LicenceStatus, LicenceType, Sanction, SanctionKind
from tests.documents import helpers
from tests.factories import make_operator, make_venue


@pytest.fixture
def suspended(db):
    licence = helpers.make_licence(make_venue(make_operator()))
    helpers.suspend(licence, starts_on=date(2025, 6, 1), days=90)
    db.session.commit()
    return licence


def _core(db, statement, **values):
    return tuple(db.session.execute(statement, values).first())


def test_rows_come_back_as_core_returns_them(db, suspended):
    """Dates, enums and strings are processed as Core processes them (SQLite stores dates and enums as text)."""
    licence_row = (select(Licence.id, Licence.status, Licence.issued_on, Licence.expires_on, Licence.number_display,
                          LicenceType.category)
                   .join(LicenceType, LicenceType.id == Licence.licence_type_id)
                   .where(Licence.verify_token == bindparam("token")))
    sanction_row = (select(Sanction.kind, Sanction.starts_on, Sanction.ends_on)
                    .where(Sanction.licence_id == bindparam("licence_id"),
                           Sanction.kind == SanctionKind.SUSPENSION)  # a value bound in the statement itself
                    .order_by(Sanction.id.desc()).limit(1))
    expected_licence = _core(db, licence_row, token=suspended.verify_token)
    licence_id, token = suspended.id, suspended.verify_token
    expected_sanction = _core(db, sanction_row, licence_id=licence_id)
    db.session.commit()

    with direct_transaction(db.engine, write=False) as run:
        got_licence = run.first(DirectStatement(licence_row), token=token)
        got_sanction = run.first(DirectStatement(sanction_row), licence_id=licence_id)
        assert run.first(DirectStatement(licence_row), token="no-such-token") is None
    assert got_licence == expected_licence
    assert got_licence[1] is LicenceStatus.SUSPENDED and isinstance(got_licence[2], date)
    assert got_sanction == expected_sanction == (SanctionKind.SUSPENSION, date(2025, 6, 1), date(2025, 8, 30))


def test_an_insert_commits_and_its_datetime_reads_back(db, suspended):
    scan = DirectStatement(insert(VerificationScan.__table__).values(
        licence_id=bindparam("licence_id"), scanned_at=bindparam("scanned_at"), client_hash=bindparam("client_hash"),
        channel=bindparam("channel")))
    at = datetime(2026, 11, 25, 8, 30, 15, 123456, tzinfo=UTC)
    licence_id = suspended.id  # read before: the session must not open a transaction of its own meanwhile
    db.session.commit()
    with direct_transaction(db.engine, write=True) as run:
        run.execute(scan, licence_id=licence_id, scanned_at=at, client_hash="0123456789abcdef", channel="json")
    stored = db.session.execute(select(VerificationScan.scanned_at, VerificationScan.channel)
                                .where(VerificationScan.licence_id == licence_id)).one()
    assert stored.channel == "json"
    assert stored.scanned_at.replace(tzinfo=UTC) == at


def test_an_error_rolls_the_transaction_back(db, suspended):
    scan = DirectStatement(insert(VerificationScan.__table__).values(
        licence_id=bindparam("licence_id"), scanned_at=bindparam("scanned_at"), client_hash=bindparam("client_hash"),
        channel=bindparam("channel")))
    licence_id = suspended.id
    db.session.commit()
    with pytest.raises(RuntimeError), direct_transaction(db.engine, write=True) as run:
        run.execute(scan, licence_id=licence_id, scanned_at=datetime.now(UTC), client_hash="x", channel="html")
        raise RuntimeError("the page failed after the insert")
    assert db.session.scalar(select(func.count()).select_from(VerificationScan)) == 0


def test_inside_an_open_unit_of_work_it_uses_that_connection_and_commits_it(db, suspended):
    """A test or a command that calls the view with its session mid-transaction must not wait for its own lock."""
    db.session.execute(select(Licence.id)).all()  # the session's transaction is open now
    assert db.session().in_transaction()
    count = DirectStatement(select(func.count()).select_from(Licence))
    with direct_transaction(db.engine, db.session(), write=True) as run:
        assert run.scalar(count) == 1
    assert not db.session().in_transaction()


def test_in_lists_are_refused_at_compile_time(db):
    statement = DirectStatement(select(Sanction.id).where(Sanction.kind.in_((SanctionKind.SUSPENSION,))))
    with pytest.raises(ValueError, match="IN lists"):
        statement.compiled(db.engine.dialect)


def test_a_read_then_write_takes_the_write_lock_only_for_its_writes(db, suspended):
    """Two workers logging scans wait for each other's INSERT, not for each other's look-up (SQLite: the write lock
    is taken by ``begin_write``); on every engine the reads come back and the writes commit."""
    scan = DirectStatement(insert(VerificationScan.__table__).values(
        licence_id=bindparam("licence_id"), scanned_at=bindparam("scanned_at"), client_hash=bindparam("client_hash"),
        channel=bindparam("channel")))
    licence_row = DirectStatement(select(Licence.id).where(Licence.verify_token == bindparam("token")))
    token = suspended.verify_token
    db.session.commit()
    sqlite = db.engine.dialect.name == "sqlite"

    def another_writer_can_begin() -> bool:
        other = db.engine.raw_connection()
        try:
            other.execute("PRAGMA busy_timeout = 0")
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            return True
        except Exception as error:  # sqlite3.OperationalError: database is locked
            assert "locked" in str(error)
            return False
        finally:
            other.close()

    with direct_transaction(db.engine, write=False) as run:
        (licence_id,) = run.first(licence_row, token=token)
        if sqlite:
            assert another_writer_can_begin()  # the look-up holds no write lock
        run.begin_write()
        if sqlite:
            assert not another_writer_can_begin()  # from here on this transaction writes
        run.execute(scan, licence_id=licence_id, scanned_at=datetime.now(UTC), client_hash="0123456789abcdef",
                    channel="html")
    assert db.session.scalar(select(func.count()).select_from(VerificationScan)) == 1

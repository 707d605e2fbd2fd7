"""Licence numbers: next of the year per issuer and symbol, unique under concurrent issue (separate processes)."""
from __future__ import annotations

import multiprocessing
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from registry.extensions import db
from registry.licences import numbering, services
from registry.licences.models import Licence, LicenceNumberCounter
from tests.factories import make_venue
from tests.licences._workers import approve_at_once
from tests.licences.conftest import add_documents, issue, pay_in_full, receive, to_appraisal

WORKERS = 20


def test_numbers_follow_each_other_per_symbol(app, clerk, manager):
    first = issue(make_venue(), clerk, manager)
    second = issue(make_venue(), clerk, manager)
    dance = issue(make_venue(kind="dance_hall", rooms=[Decimal("120")], latitude=Decimal("21.5"),
                             longitude=Decimal("105.5")), clerk, manager, code="HP-DANCE")
    assert [first.number, second.number, dance.number] == [1, 2, 3]  # karaoke and dance share GP-SVHTT
    assert first.number_display == "1/GP-SVHTT" and dance.number_display == "3/GP-SVHTT"
    assert first.year == first.issued_on.year


def test_numbers_restart_each_year(app, clerk, manager):
    venue = make_venue()
    add_documents(venue)
    application = receive(venue, clerk, received_on=date(2025, 12, 29))
    to_appraisal(application, clerk)
    pay_in_full(application, clerk)
    old = services.decide(application, approve=True, by=manager, on=date(2025, 12, 31))
    new = issue(make_venue(), clerk, manager)
    assert (old.year, old.number, new.year, new.number) == (2025, 1, new.issued_on.year, 1)


def test_a_number_taken_by_hand_is_skipped(app, clerk, manager):
    first = issue(make_venue(), clerk, manager)
    # a licence typed in from paper records took the next number without going through the counter
    stray = Licence(licence_type_id=first.licence_type_id, authority_id=first.authority_id, venue_id=first.venue_id,
                    operator_id=first.operator_id, number=2, year=first.year, symbol=first.symbol,
                    number_display="2/GP-SVHTT", issued_on=first.issued_on, valid_from=first.issued_on,
                    verify_token="stray-token-not-random", snapshot_json="{}", status=first.status)
    db.session.add(stray)
    db.session.flush()
    assert issue(make_venue(), clerk, manager).number == 3


def test_counter_starts_from_numbers_already_stored(app, clerk, manager):
    first = issue(make_venue(), clerk, manager)
    db.session.execute(db.delete(LicenceNumberCounter))
    assert numbering.next_number(first.authority_id, first.symbol, first.year) == 2


def test_twenty_concurrent_issues_get_twenty_consecutive_numbers(app, database_uri, tmp_path, clerk, manager):
    """Twenty processes approve at the same moment; each must get its own number, with no gap.

    PostgreSQL serialises them on the counter's row lock. SQLite serialises whole write transactions; a worker
    that waits longer than the busy timeout is told the database is busy, keeps nothing, and tries again.
    """
    ids = []
    for _ in range(WORKERS):
        venue = make_venue(rooms=[Decimal("24.5")] * 4)
        add_documents(venue)
        application = receive(venue, clerk)
        to_appraisal(application, clerk)
        pay_in_full(application, clerk)
        ids.append(application.id)
    manager_id = manager.id
    db.session.commit()
    db.session.remove()
    db.engine.dispose()

    ctx = multiprocessing.get_context("fork")  # each child still builds its own app and engine
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [ctx.Process(target=approve_at_once, args=(database_uri, str(tmp_path / "data"), app_id, manager_id,
                                                       barrier, results)) for app_id in ids]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    errors = [o[2] for o in outcomes if o[1] is None]
    assert not errors, errors[0]
    numbers = sorted(o[1] for o in outcomes)
    assert numbers == list(range(1, WORKERS + 1))
    if db.engine.dialect.name == "postgresql":
        assert sum(o[2] for o in outcomes) == 0  # row locks wait; nothing is refused
    stored = db.session.execute(select(Licence.number_display).order_by(Licence.number)).scalars().all()
    assert len(set(stored)) == WORKERS
    counter = db.session.execute(select(LicenceNumberCounter)).scalar_one()
    assert counter.last_number == WORKERS

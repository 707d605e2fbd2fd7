"""Licence numbers: the next number of the year for an issuing authority and symbol, e.g. ``15/GP-SVHTT``.

The counter row is locked for the rest of the transaction (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the
write transaction already holds the database lock, see ``registry.sqlite_tuning``), so two clerks issuing at the
same moment take consecutive numbers. The unique constraint on ``licences`` is the last line of defence: the caller
retries with the next number if an insert still collides (a number typed in by hand, a restored backup).
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from registry.extensions import db
from registry.licences.models import Licence, LicenceNumberCounter


def format_number(number: int, symbol: str) -> str:
    """``15/GP-SVHTT``: numbers restart every year, so the year is not part of the printed number."""
    return f"{number}/{symbol}"


def _locked_counter(authority_id: int, symbol: str, year: int) -> LicenceNumberCounter:
    query = (select(LicenceNumberCounter)
             .where(LicenceNumberCounter.authority_id == authority_id, LicenceNumberCounter.symbol == symbol,
                    LicenceNumberCounter.year == year)
             .with_for_update())
    counter = db.session.execute(query).scalar_one_or_none()
    if counter is not None:
        return counter
    # first licence of the year: start from the highest number already stored (licences entered by hand)
    highest = db.session.execute(
        select(func.max(Licence.number)).where(Licence.authority_id == authority_id, Licence.symbol == symbol,
                                               Licence.year == year)).scalar_one() or 0
    try:
        with db.session.begin_nested():
            db.session.add(LicenceNumberCounter(authority_id=authority_id, symbol=symbol, year=year,
                                                last_number=highest))
    except IntegrityError:
        pass  # another transaction created it first: lock theirs
    return db.session.execute(query.execution_options(populate_existing=True)).scalar_one()


def next_number(authority_id: int, symbol: str, year: int) -> int:
    """Take the next number of ``year`` for the authority and symbol (the counter stays locked until commit)."""
    counter = _locked_counter(authority_id, symbol, year)
    counter.last_number += 1
    db.session.flush()
    return counter.last_number

"""The query planner's statistics, refreshed after bulk loads.

SQLite keeps none until ``ANALYZE`` runs, and without them it guesses: on a register of 100,000 freshly imported
venues it read the venue list's count through the kind index (31 ms) instead of scanning a covering index (5 ms).
PostgreSQL's autovacuum would analyse the tables eventually; right after the load is better. ``ANALYZE`` reads a
sample of each index (about 0.2 s at 100,000 venues on SQLite).
"""
from __future__ import annotations

from sqlalchemy import text

from registry.extensions import db

#: a load of at least this many rows refreshes the statistics
BULK_ROWS = 1000


def refresh_statistics() -> None:
    """Run ``ANALYZE`` in the session's transaction (the caller commits)."""
    db.session.execute(text("ANALYZE"))

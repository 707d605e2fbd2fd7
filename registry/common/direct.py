"""A few hot statements run straight on the DBAPI connection, compiled once per dialect.

SQLAlchemy's Core execution costs about a tenth of a millisecond of Python per statement (execution context,
result set-up, events). On the public verification page, the hottest path of the site, that was about a third of
the server's CPU per scan. A ``DirectStatement`` is an ordinary Core statement, compiled once per dialect; it runs
on the pooled DBAPI cursor with SQLAlchemy's own bind and result processors, so values go in and come out as they
do through Core (dates, enums, datetimes), on SQLite and PostgreSQL alike. ``tests/foundation/test_direct.py``
compares both ways.

Engine events (``before_cursor_execute`` and the like) do not fire for these statements: keep this to the few
read-and-log statements of hot public paths, never to writes the audit trail or the ORM need to see.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable


class _Compiled:
    __slots__ = ("sql", "names", "binds", "defaults", "results")  # noqa: RUF023 (in the order they are set)

    def __init__(self, statement: Executable, dialect: Dialect):
        compiled = statement.compile(dialect=dialect)
        if "POSTCOMPILE" in compiled.string:
            raise ValueError("a DirectStatement cannot expand IN lists at run time; spell the values out")
        self.sql: str = compiled.string
        # positional paramstyles (SQLite's "?") take a tuple in this order; named ones (psycopg) a dict
        self.names: list[str] | None = list(compiled.positiontup) if compiled.positional else None
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        # values bound in the statement itself (``column == SomeEnum.VALUE``, ``LIMIT 1``)
        self.defaults: dict[str, Any] = {name: bind.value for name, bind in binds.items() if not bind.required}
        processors = {name: bind.type.dialect_impl(dialect).bind_processor(dialect) for name, bind in binds.items()}
        self.binds: dict[str, Callable] = {name: process for name, process in processors.items() if process}
        columns = getattr(statement, "selected_columns", None) or ()
        self.results: list[Callable | None] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]

    def parameters(self, values: Mapping[str, Any]) -> Sequence | dict:
        params = {**self.defaults, **values}
        for name, process in self.binds.items():
            if params.get(name) is not None:
                params[name] = process(params[name])
        if self.names is None:
            return params
        return tuple(params[name] for name in self.names)

    def row(self, raw: Sequence | None) -> tuple | None:
        if raw is None:
            return None
        return tuple(value if process is None or value is None else process(value)
                     for process, value in zip(self.results, raw, strict=True))


class DirectStatement:
    """A Core statement to run on a DBAPI cursor (see the module's docstring). Bind parameters by name."""

    def __init__(self, statement: Executable):
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = _Compiled(self.statement, dialect)
        return compiled


class Runner:
    """Runs ``DirectStatement``s on one DBAPI connection inside one transaction (see ``direct_transaction``)."""

    def __init__(self, dbapi_connection, dialect: Dialect, *, deferred_write: bool = False):
        self._connection = dbapi_connection
        self._cursor = dbapi_connection.cursor()
        self.dialect = dialect
        self._deferred_write = deferred_write

    def begin_write(self) -> None:
        """What follows writes. In a transaction begun for reading on SQLite, end the reads and take the write
        lock (``BEGIN IMMEDIATE``) only now, so that it is held for the writes alone: two workers logging scans
        then wait for each other for a few microseconds instead of for each other's look-up (each wait is one of
        SQLite's busy-handler sleeps, a millisecond or more). Elsewhere nothing changes."""
        if self._deferred_write:
            self._connection.commit()
            self._connection.execute("BEGIN IMMEDIATE")
            self._deferred_write = False

    def first(self, statement: DirectStatement, **values) -> tuple | None:
        """The first row of a SELECT, its values processed as Core would; None when there is none."""
        compiled = statement.compiled(self.dialect)
        self._cursor.execute(compiled.sql, compiled.parameters(values))
        return compiled.row(self._cursor.fetchone())

    def scalar(self, statement: DirectStatement, **values) -> Any:
        row = self.first(statement, **values)
        return None if row is None else row[0]

    def execute(self, statement: DirectStatement, **values) -> None:
        """Run an INSERT/UPDATE/DELETE."""
        compiled = statement.compiled(self.dialect)
        self._cursor.execute(compiled.sql, compiled.parameters(values))

    def close(self) -> None:
        self._cursor.close()


@contextmanager
def direct_transaction(engine: Engine, session: Session | None = None, *, write: bool) -> Iterator[Runner]:
    """A ``Runner`` in a transaction of its own on a pooled connection, committed on exit (rolled back on error).

    ``write``: the transaction will write; SQLite then begins it with ``BEGIN IMMEDIATE`` so that it waits its turn
    behind another writer instead of failing (``registry/sqlite_tuning.py``). A transaction that reads first and
    writes after may instead begin as a read and call ``Runner.begin_write()`` before its writes (on SQLite that
    makes it two transactions: the reads are not repeated). When ``session`` already has a unit of work open (a
    test or a command calling the view), its connection is used and the session is committed.
    """
    if session is not None and session.in_transaction():
        connection = session.connection()
        runner = Runner(connection.connection.dbapi_connection, connection.dialect)
        try:
            yield runner
        finally:
            runner.close()
        session.commit()
        return
    dbapi_connection = engine.raw_connection()
    runner = None
    try:
        if engine.dialect.name == "sqlite":
            dbapi_connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        runner = Runner(dbapi_connection, engine.dialect, deferred_write=not write and engine.dialect.name == "sqlite")
        yield runner
        runner.close()
        runner = None
        dbapi_connection.commit()
    except BaseException:
        if runner is not None:
            runner.close()
        dbapi_connection.rollback()
        raise
    finally:
        dbapi_connection.close()  # back to the pool

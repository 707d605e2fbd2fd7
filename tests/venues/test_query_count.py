"""The list pages cost the same number of queries for 5 rows as for 50: no N+1."""
from __future__ import annotations

import re
from contextlib import contextmanager

from flask import g
from sqlalchemy import event

from tests.factories import make_operator, make_venue, unit


@contextmanager
def counted(engine):
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "COMMIT", "ROLLBACK", "SAVEPOINT",
                                                      "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def add_venues(db, n: int, start: int = 0) -> None:
    old_ward = unit("HP-W-HONGBANG-MINHKHAI")
    for i in range(start, start + n):
        op = make_operator()  # every row has its own operator: the worst case for lazy loading
        make_venue(op, name=f"Karaoke {i:03d}", ward=old_ward if i % 2 else None)
    db.session.commit()


def page_queries(client, db, url: str) -> int:
    # Start like a real request: an empty session (nothing to satisfy lazy loads) and no cached user.
    g.pop("_login_user", None)
    db.session.remove()
    with counted(db.engine) as statements:
        response = client.get(url)
        assert response.status_code == 200
    return len(statements)


def next_url(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")


def test_venue_list_query_count_does_not_grow_with_rows(client, clerk, db):
    add_venues(db, 55)
    full = page_queries(client, db, "/venues/")  # 50 rows
    html = client.get("/venues/").get_data(as_text=True)
    assert html.count('href="/venues/') >= 50 * 2  # 50 rows, as table rows and as phone cards
    last = page_queries(client, db, next_url(client, "/venues/"))  # the last 5 rows
    assert full == last, (full, last)
    assert full <= 5
    assert page_queries(client, db, next_url(client, "/venues/?q=karaoke&sort=newest")) == full
    assert page_queries(client, db, "/venues/?q=karaoke+054") == full - 1  # one page holds all: no count query


def test_operator_list_query_count_does_not_grow_with_rows(client, clerk, db):
    add_venues(db, 55)
    full = page_queries(client, db, "/operators/")
    assert full == page_queries(client, db, next_url(client, "/operators/"))

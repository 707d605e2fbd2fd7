"""Read-only queries behind the dashboard: bucket counts in SQL, keyset-paged due lists merged across sources, and
the choices of the filter form.

Counts are one aggregate query per source (``SUM(CASE …)`` over the source's indexed due column); a page of a due
list is one ordered, limited query per source merged in Python — the number of queries per page does not depend on
the number of rows.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import Date, Integer, and_, bindparam, case, func, literal, or_, select

from registry.extensions import db
from registry.oversight.sources import DueItem, DueQuery, Source, sources

#: Dashboard horizons in days.
HORIZONS = (30, 60, 90)

#: Windows of a due list: name -> (days before today where it starts or None, days after today where it ends).
WINDOWS = {
    "due30": (None, 30),
    "overdue": (None, -1),
    "30": (0, 30),
    "60": (0, 60),
    "90": (0, 90),
    "due90": (None, 90),
}


@dataclass
class BucketCounts:
    """How many items of one source are overdue / due within each horizon (cumulative), and in grace."""

    kind: str
    overdue: int = 0
    within: dict[int, int] | None = None
    in_grace: int = 0

    @property
    def total(self) -> int:
        return self.overdue + (self.within or {}).get(max(HORIZONS), 0)


def overdue_since(q: DueQuery) -> date:
    """The earliest due date still shown as overdue: ``OVERSIGHT_OVERDUE_DAYS`` (default 365) before today.

    Something that lapsed longer ago than that is a records problem (a certificate never renewed on a venue that
    closed, a remedy nobody verified), not today's work; it would also turn every count into a scan of history.
    """
    from flask import current_app, has_app_context

    days = int(current_app.config.get("OVERSIGHT_OVERDUE_DAYS", 365)) if has_app_context() else 365
    return q.today - timedelta(days=days)


def window_query(q: DueQuery, window: str) -> DueQuery:
    """``q`` restricted to a named window (see :data:`WINDOWS`)."""
    start, end = WINDOWS.get(window, WINDOWS["due30"])
    since = overdue_since(q) if start is None else q.today + timedelta(days=start)
    return q.window(since, q.today + timedelta(days=end))


def bucket_counts(q: DueQuery, kinds: Sequence[str] | None = None) -> list[BucketCounts]:
    """Overdue and due-within-30/60/90-days counts per source, one aggregate query each (see
    ``_count_statement``)."""
    from registry.oversight.sources import _grace_signature

    grace = _grace_signature()
    if q.since is None:
        q = q.window(overdue_since(q), q.until)
    return [_counts(source, q, grace) for source in sources(kinds)]


def _counts(source: Source, q: DueQuery, grace_signature: tuple) -> BucketCounts:
    row = [int(v or 0) for v in _execute(_count_statement(source, q, grace_signature)).one()]
    within, running = {}, 0
    for h, n in zip(HORIZONS, row[1:-1], strict=True):
        running += n
        within[h] = running
    return BucketCounts(kind=source.key, overdue=row[0], within=within, in_grace=row[-1])


@lru_cache(maxsize=256)
def _count_statement(source: Source, q: DueQuery, grace_signature: tuple):
    """The counting statement of one source for one query shape (built once: see ``Source.windowed``).

    A source partitioned by status, unfiltered by venue, counts each bucket of each partition with a scalar
    ``COUNT(*)`` (index range counts). Otherwise one pass over the whole range (overdue back to ``q.since``, up to
    the longest horizon) tests each row against the bucket bounds: a venue filter's set, or the joins a row needs,
    are then paid once per row rather than once per bucket. Counting needs no order, so that pass reads the whole
    source at once (``part=None``, e.g. ``status IN (…)``).
    """
    since = q.since
    # disjoint ranges (overdue, 0–30, 31–60, 61–90 days); the horizons are their cumulative sums
    edges = [0, *HORIZONS]
    ranges = [(since, q.today - timedelta(days=1))] + [
        (q.today + timedelta(days=lo + (1 if lo else 0)), q.today + timedelta(days=hi))
        for lo, hi in zip(edges, edges[1:], strict=False)]
    grace = source.grace_clause(q)
    parts = source.partitions(q)
    if len(parts) > 1 and not q.filters.on_venue:
        # partitions by status on a covering (status, date, …) index: a COUNT(*) per bucket and partition is a
        # pure index range count, cheaper than testing every row against every bucket
        def count(lo, hi, extra=None):
            total = None
            for part in parts:
                stmt = source.windowed(q.window(lo, hi), listing=False, part=part)
                if extra is not None:
                    stmt = stmt.where(extra)
                sub = stmt.with_only_columns(func.count()).scalar_subquery()
                total = sub if total is None else total + sub
            return total

        cols = [count(lo, hi) for lo, hi in ranges]
        cols.append(count(since, q.today - timedelta(days=1), grace) if grace is not None else literal(0))
        return select(*cols)

    stmt = source.windowed(q.window(since, ranges[-1][1]), listing=False, part=None)
    due = source.due_col

    def bucket(lo, hi, extra=None):
        cond = and_(due >= lo, due <= hi) if extra is None else and_(due >= lo, due <= hi, extra)
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    cols = [bucket(lo, hi) for lo, hi in ranges]
    cols.append(bucket(since, q.today - timedelta(days=1), grace) if grace is not None else literal(0))
    return stmt.with_only_columns(*cols)


# ------------------------------------------------------------------ due lists (keyset pages merged across sources)
@dataclass(frozen=True)
class Cursor:
    """Position after the last row of a page: (due date, source order, item id)."""

    due_on: date
    order: int
    item_id: int

    def encode(self) -> str:
        return f"{self.due_on.isoformat()}.{self.order}.{self.item_id}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """Parse a cursor from the query string; anything malformed means "first page"."""
        if not text or len(text) > 60:
            return None
        try:
            day, order, item_id = text.split(".")
            return cls(date.fromisoformat(day), int(order), int(item_id))
        except ValueError:
            return None


@dataclass
class DuePage:
    items: list[DueItem]
    next_cursor: str | None
    has_previous: bool


def _execute(stmt, params: dict | None = None):
    """Run a Core statement of column expressions on the session's connection (same transaction), without the ORM
    execution pass: the statements here select plain columns and are built once per shape (``lru_cache``)."""
    return db.session.connection().execute(stmt, params or {})


def _relation(source: Source, cursor: Cursor | None) -> int | None:
    """Where ``source`` sorts relative to the cursor's source: None (first page), -1, 0 or 1."""
    if cursor is None:
        return None
    return (source.order > cursor.order) - (source.order < cursor.order)


def _after(source: Source, relation: int):
    """Rows of ``source`` that sort after the cursor (``:after_due``, ``:after_id``) in (due_on, source order, id)."""
    due, item_id = bindparam("after_due", type_=Date), bindparam("after_id", type_=Integer)
    if relation > 0:
        return source.due_col >= due
    if relation < 0:
        return source.due_col > due
    return or_(source.due_col > due, and_(source.due_col == due, source.id_col > item_id))


@lru_cache(maxsize=1024)
def _keys_statement(source: Source, q: DueQuery, part, relation: int | None, limit: int, grace_signature: tuple):
    """``SELECT due_on, id … ORDER BY due_on, id LIMIT n`` of one partition after a cursor (built once per shape;
    the cursor's values are parameters)."""
    # a page stops after ``limit`` rows: look up each row's venue rather than build a district's venue set first
    stmt = source.windowed(q, listing=False, part=part)
    if relation is not None:
        stmt = stmt.where(_after(source, relation))
    return (stmt.with_only_columns(source.due_col, source.id_col)
            .order_by(source.due_col, source.id_col).limit(limit))


def _keys(source: Source, q: DueQuery, limit: int, cursor: Cursor | None, grace_signature: tuple) -> list[tuple]:
    """``(due_on, item_id)`` of the first ``limit`` rows of a source after ``cursor``: per partition one query that
    walks the due-date index in order and stops at the limit (no display joins, so the plan cannot start
    elsewhere), merged."""
    relation = _relation(source, cursor)
    params = {} if cursor is None else {"after_due": cursor.due_on, "after_id": cursor.item_id}
    per_part = [_execute(_keys_statement(source, q, part, relation, limit, grace_signature), params).all()
                for part in source.partitions(q)]
    return [tuple(k) for k in heapq.merge(*per_part)][:limit]


@lru_cache(maxsize=512)
def _items_statement(source: Source, q: DueQuery, grace_signature: tuple):
    """The display columns of chosen ids of one source (``:ids`` expands to the id list; built once per shape)."""
    return (source.statement(q, listing=True)
            .where(source.id_col.in_(bindparam("ids", expanding=True))))


def _items(source: Source, q: DueQuery, ids: list[int], grace_signature: tuple) -> dict[int, DueItem]:
    """The display rows of the chosen ids of one source (one query), as items by id."""
    if not ids:
        return {}
    rows = _execute(_items_statement(source, q, grace_signature), {"ids": ids}).all()
    items = source.enrich([source.item(r, q) for r in rows], q)
    return {i.item_id: i for i in items}


def due_page(q: DueQuery, kinds: Sequence[str] | None = None, *, limit: int = 50,
             after: str | None = None) -> DuePage:
    """One page of due items, oldest due date first (so overdue items lead), across the chosen sources."""
    from registry.oversight.sources import _grace_signature

    cursor = Cursor.decode(after)
    chosen = sources(kinds)
    grace = _grace_signature()
    keys = heapq.merge(*([(due_on, s.order, item_id, s)
                          for due_on, item_id in _keys(s, q, limit + 1, cursor, grace)]
                         for s in chosen), key=lambda k: k[:3])
    page = list(keys)[: limit + 1]
    more, page = len(page) > limit, page[:limit]
    found = {s.key: _items(s, q, [k[2] for k in page if k[3] is s], grace) for s in chosen}
    items = [found[s.key][item_id] for _due, _order, item_id, s in page if item_id in found[s.key]]
    next_cursor = Cursor(*page[-1][:3]).encode() if more and page else None
    return DuePage(items=items, next_cursor=next_cursor, has_previous=cursor is not None)


def iter_due(q: DueQuery, kinds: Sequence[str] | None = None, *, batch: int = 1000) -> Iterator[DueItem]:
    """Every due item in the window, in list order, fetched page by page (for exports and reminders)."""
    after = None
    while True:
        page = due_page(q, kinds, limit=batch, after=after)
        yield from page.items
        if not page.next_cursor:
            return
        after = page.next_cursor


# ------------------------------------------------------------------ filter choices
def filter_choices(lang: str) -> dict[str, list[tuple]]:
    """Choices of the filter form: districts, wards (grouped by district), venue kinds, licence types, officers.

    Reference data that changes a few times a year: kept for ``OVERSIGHT_CHOICES_CACHE_SECONDS`` (default 60 s).
    """
    from flask import current_app

    from registry.oversight.trends import cached

    ttl = current_app.config.get("OVERSIGHT_CHOICES_CACHE_SECONDS", 60)
    return cached(("choices", lang), lambda: _filter_choices(lang), ttl=ttl)


def _filter_choices(lang: str) -> dict[str, list[tuple]]:
    from registry.auth.models import User
    from registry.common.labels import label
    from registry.common.permissions import Role
    from registry.licences.models import LicenceType
    from registry.reference.models import AdminUnit, UnitLevel
    from registry.venues.models import VenueKind

    units = db.session.execute(select(AdminUnit.id, AdminUnit.name, AdminUnit.level, AdminUnit.parent_id,
                                      AdminUnit.valid_to).where(AdminUnit.level != UnitLevel.PROVINCE)
                               .order_by(AdminUnit.name)).all()
    districts = [(u.id, u.name) for u in units if u.level == UnitLevel.DISTRICT]
    district_names = dict(districts)
    wards = [(u.id, u.name, district_names.get(u.parent_id)) for u in units if u.level == UnitLevel.COMMUNE]
    types = db.session.execute(select(LicenceType.id, LicenceType.name_vi, LicenceType.name_en)
                               .order_by(LicenceType.code)).all()
    officers = db.session.execute(select(User.id, User.full_name).where(
        User.active.is_(True), User.role.in_((Role.CLERK, Role.INSPECTOR, Role.MANAGER)))
        .order_by(User.full_name)).all()
    return {
        "districts": districts,
        "wards": wards,
        "kinds": [(k.value, str(label(k))) for k in VenueKind],
        "types": [(t.id, t.name_vi if lang == "vi" else t.name_en) for t in types],
        "officers": [(o.id, o.full_name) for o in officers],
    }

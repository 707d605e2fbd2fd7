"""The manager's dashboard and the "due within N days" lists over 300,000 licences: p50/p95 and req/s through
gunicorn, against a floor measured in the same run.

Target (PERFORMANCE.md): p95 ≤ 25 ms per page, judged on one connection (a page's latency); the same pages under
``--connections`` closed-loop clients are reported beside it (on 2 cores that also measures queueing). Floors:
(1) the bare SQL — the composite-index bucket count and the first 50 rows of the licence source, timed in-process;
(2) a bare WSGI app (``floor_app`` below: SQLAlchemy Core, one count and one keyset page of 50 licences rendered
with Jinja, no Flask, no ORM, no session) served and loaded the same way.

Data: the benchmark database of ``make_db.py`` (100,000 venues) copied to ``bench/out/bench_dashboard.db`` (the
shared file is left as it is), plus, in bulk, 300,000 licences (most without an expiry date; event permits and a
few thousand licences with a term expiring over the coming year), 150,000 prerequisite documents, 100,000
applications (1,500 still open), 3,000 suspensions and 100,000 inspections with 30,000 violations (the older ones
remedied). The shape follows the registry's steady state: the licensing job marks licences past their term
expired the next day, most certificates have no expiry, a renewal supersedes the certificate it replaces. On
PostgreSQL (``BENCH_DATABASE_URL``) the rows are added to that database once.

``python bench/bench_dashboard.py [--seconds 10] [--connections 4] [--workers 2] [--licences 300000]``
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    DEFAULT_DB,
    OUT,
    app_env,
    database_ready,
    database_url,
    fmt,
    gunicorn,
    load,
    request,
    result,
    sign_in,
)

TARGET = "p95 ≤ 25 ms"
DASHBOARD_DB = OUT / "bench_dashboard.db"
MANAGER = "manager"


# ------------------------------------------------------------------ floor: bare WSGI app
FLOOR_TEMPLATE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Đến hạn</title></head><body>
<p>{{ overdue }} · {{ d30 }} · {{ d60 }} · {{ d90 }}</p><ul>{% for r in rows %}<li data-id="{{ r.id }}">
<a href="/licences/{{ r.id }}">{{ r.number_display }}</a> — {{ r.venue }} · {{ r.operator }} · {{ r.expires_on }}
</li>{% endfor %}</ul></body></html>"""

FLOOR_COUNT = """SELECT sum(CASE WHEN expires_on < :today THEN 1 ELSE 0 END),
 sum(CASE WHEN expires_on >= :today AND expires_on <= :d30 THEN 1 ELSE 0 END),
 sum(CASE WHEN expires_on >= :today AND expires_on <= :d60 THEN 1 ELSE 0 END),
 sum(CASE WHEN expires_on >= :today AND expires_on <= :d90 THEN 1 ELSE 0 END)
FROM licences WHERE status = 'active' AND expires_on >= :since AND expires_on <= :d90"""

FLOOR_PAGE = """SELECT l.id, l.number_display, l.expires_on, v.name AS venue, o.name AS operator
FROM licences l JOIN venues v ON v.id = l.venue_id JOIN operators o ON o.id = v.operator_id
WHERE l.status = 'active' AND l.expires_on >= :since AND l.expires_on <= :d30
ORDER BY l.expires_on, l.id LIMIT 50"""


def _floor_app():
    from jinja2 import Environment
    from sqlalchemy import create_engine, text

    template = Environment(autoescape=True).from_string(FLOOR_TEMPLATE)
    engine = create_engine(os.environ["DATABASE_URL"], pool_size=2)

    def app(environ, start_response):
        today = date.today()
        params = {"today": today, "d30": today + timedelta(days=30), "d60": today + timedelta(days=60),
                  "d90": today + timedelta(days=90), "since": today - timedelta(days=365)}
        with engine.connect() as conn:
            counts = conn.execute(text(FLOOR_COUNT), params).one()
            rows = conn.execute(text(FLOOR_PAGE), params).mappings().all()
        body = template.render(overdue=counts[0], d30=counts[1], d60=counts[2], d90=counts[3], rows=rows)
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode()]

    return app


if os.environ.get("BENCH_FLOOR_APP"):
    floor_app = _floor_app()


# ------------------------------------------------------------------ data
def _prepare_database(url: str) -> str:
    """The database the benchmark writes to: a copy of the shared SQLite file, or the given PostgreSQL one."""
    if url != f"sqlite:///{DEFAULT_DB}":
        return url
    source = Path(DEFAULT_DB)
    if not DASHBOARD_DB.exists() or DASHBOARD_DB.stat().st_mtime < source.stat().st_mtime:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DASHBOARD_DB}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, DASHBOARD_DB)
    return f"sqlite:///{DASHBOARD_DB}"


def _batched(rows, size=10_000):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(url: str, target: int) -> dict[str, float]:
    """Bulk-insert the licences and the other due records when the database holds fewer than ``target`` licences."""
    from sqlalchemy import func, insert, select

    from registry import create_app
    from registry.config import DevelopmentConfig

    app = create_app(type("BenchConfig", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    timings: dict[str, float] = {}
    with app.app_context():
        from registry.auth.models import User
        from registry.extensions import db
        from registry.inspections.models import Inspection, InspectionItem, Violation
        from registry.licences.models import Application, Licence, LicenceType, PrerequisiteDocument, Sanction
        from registry.venues.models import Venue

        have = db.session.execute(select(func.count()).select_from(Licence)).scalar_one()
        seeded = db.session.execute(select(func.count()).select_from(Violation)).scalar_one()
        if have >= target * 0.9 and seeded:
            return timings
        if have > 1000:
            raise SystemExit(f"{url} holds {have} licences but not the rest of the benchmark data: "
                             "delete bench/out/bench_dashboard.db (or use an empty PostgreSQL database) and rerun")
        rng = random.Random(2026)
        today = date.today()
        now = datetime.now(UTC)
        venues = db.session.execute(select(Venue.id, Venue.operator_id, Venue.kind)).all()
        types = {t.code: t for t in db.session.execute(select(LicenceType)).scalars()}
        users = db.session.execute(select(User.id, User.role)).all()
        clerks = [u for u, r in users if r.value in ("clerk", "manager")] or [users[0][0]]
        inspectors = [u for u, r in users if r.value == "inspector"] or clerks
        permanent = {"karaoke": types["HP-KARAOKE"], "dance_hall": types["HP-DANCE"], "club": types["HP-KARAOKE"],
                     "sports": types["HP-SPORTS"]}
        event = types["HP-EVENT"]
        numbers: dict[tuple, int] = {}

        def licence(venue_id, operator_id, ltype, issued, expires, status):
            key = (ltype.authority_id, issued.year, ltype.symbol)
            numbers[key] = numbers.get(key, 1000) + 1
            n = numbers[key]
            return {"licence_type_id": ltype.id, "authority_id": ltype.authority_id, "venue_id": venue_id,
                    "operator_id": operator_id, "number": n, "year": issued.year, "symbol": ltype.symbol,
                    "number_display": f"{n}/{ltype.symbol}", "issued_on": issued, "valid_from": issued,
                    "expires_on": expires, "status": status, "verify_token": secrets.token_urlsafe(18),
                    "snapshot_json": "{}", "issued_by_id": rng.choice(clerks), "version_id": 1,
                    "created_at": now, "updated_at": now}

        def licences():
            made, first_pass = 0, True
            while made < target:
                for venue_id, operator_id, kind in venues:
                    if made >= target:
                        return
                    if not first_pass:  # more event permits (a venue holds one licence of each other type)
                        ends = today + timedelta(days=rng.randint(-1800, 120))
                        yield licence(venue_id, operator_id, event, ends - timedelta(days=rng.randint(3, 20)), ends,
                                      "expired" if ends < today else "active")
                        made += 1
                        continue
                    ltype = permanent[kind.value]
                    issued = today - timedelta(days=rng.randint(30, 3000))
                    if rng.random() < 0.35:  # an adjusted licence superseded this one
                        yield licence(venue_id, operator_id, ltype, issued - timedelta(days=400), None, "superseded")
                        made += 1
                    roll = rng.random()
                    status = ("active" if roll < 0.9 else "suspended" if roll < 0.93 else "revoked" if roll < 0.96
                              else "ceased")
                    # a few licences carry a term (a city may configure one): expiring over the coming year
                    expires = today + timedelta(days=rng.randint(-20, 365)) if rng.random() < 0.04 else None
                    yield licence(venue_id, operator_id, ltype, issued, expires, status)
                    made += 1
                    if rng.random() < 0.9:  # event permits, mostly long expired (the licensing job expires them)
                        ends = today + timedelta(days=rng.randint(-1800, 120))
                        yield licence(venue_id, operator_id, event, ends - timedelta(days=rng.randint(3, 20)), ends,
                                      "expired" if ends < today else "active")
                        made += 1
                first_pass = False

        started = time.perf_counter()
        for batch in _batched(licences()):
            db.session.execute(insert(Licence.__table__), batch)
        db.session.commit()
        timings["licences"] = time.perf_counter() - started

        started = time.perf_counter()

        def document(venue_id, kind, i, expires, superseded_by=None):
            return {"venue_id": venue_id, "kind": kind, "number": f"{i}/B", "issuer": "Công an TP Hải Phòng",
                    "issued_on": today - timedelta(days=rng.randint(400, 2000)), "expires_on": expires,
                    "revoked": False, "superseded_by_id": superseded_by, "version_id": 1, "created_at": now,
                    "updated_at": now}

        def current_expiry():
            # most certificates have no expiry; of those that do, a few lapsed without renewal
            if rng.random() < 0.7:
                return None
            return today + timedelta(days=rng.randint(-365, -1) if rng.random() < 0.05 else rng.randint(0, 1095))

        current = [document(v, "security_order", i, current_expiry()) for i, (v, _o, _k) in enumerate(venues)]
        current += [document(v, "fire_safety", i, current_expiry()) for i, (v, _o, _k) in enumerate(venues[::2])]
        for batch in _batched(current):
            db.session.execute(insert(PrerequisiteDocument.__table__), batch)
        ids = db.session.execute(select(PrerequisiteDocument.id, PrerequisiteDocument.venue_id).where(
            PrerequisiteDocument.kind == "security_order")).all()
        # the renewed predecessors: expired, superseded by the current certificate
        history = [document(v, "security_order", n, today - timedelta(days=rng.randint(1, 1500)), superseded_by=d)
                   for n, (d, v) in enumerate(ids) if n % 2 == 0]
        for batch in _batched(history):
            db.session.execute(insert(PrerequisiteDocument.__table__), batch)
        sample = rng.sample(venues, 3000)
        lic_ids = db.session.execute(select(Licence.id).where(Licence.status == "suspended").limit(3000)).scalars()
        ends = [today + timedelta(days=rng.randint(-40, 200)) for _ in range(3000)]
        sanctions = [{"licence_id": lid, "kind": "suspension", "starts_on": end - timedelta(days=60),
                      "ends_on": end, "reason": "Vi phạm lần thứ hai",
                      "created_by_id": rng.choice(clerks), "created_at": now, "updated_at": now}
                     for lid, end in zip(lic_ids, ends, strict=False)]
        if sanctions:
            db.session.execute(insert(Sanction.__table__), sanctions)
        apps = []
        for i in range(100_000):
            v, o, _k = venues[i % len(venues)]
            received = today - timedelta(days=rng.randint(0, 1800))
            open_ = i < 1500
            apps.append({"ref": f"B-HS-{i:06d}", "kind": "new", "status": "accepted" if open_ else "approved",
                         "licence_type_id": types["HP-KARAOKE"].id, "venue_id": v, "operator_id": o,
                         "channel": "counter", "received_on": received,
                         "due_on": today + timedelta(days=rng.randint(-5, 10)) if open_ else received + timedelta(7),
                         "decided_on": None if open_ else received + timedelta(days=rng.randint(3, 14)),
                         "prepared_by_id": rng.choice(clerks), "assigned_to_id": rng.choice(clerks),
                         "fee_due": 0, "version_id": 1, "created_at": now, "updated_at": now})
        for batch in _batched(apps):
            db.session.execute(insert(Application.__table__), batch)
        db.session.commit()
        timings["documents, suspensions, applications"] = time.perf_counter() - started

        started = time.perf_counter()
        visits = []
        for i in range(100_000):
            v, o, _k = venues[i % len(venues)]
            day = today - timedelta(days=rng.randint(1, 1800))
            at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=14)
            visits.append({"kind": "periodic", "status": "completed", "venue_id": v, "operator_id": o,
                           "scheduled_on": day, "lead_id": rng.choice(inspectors), "started_at": at,
                           "ended_at": at + timedelta(hours=1), "outcome": "violations" if i < 30_000 else "compliant",
                           "refused_to_sign": False, "version_id": 1, "created_at": now, "updated_at": now})
        for i in range(2000):
            v, o, _k = sample[i % len(sample)]
            visits.append({"kind": "follow_up", "status": "planned", "venue_id": v, "operator_id": o,
                           "scheduled_on": today + timedelta(days=rng.randint(-10, 60)),
                           "lead_id": rng.choice(inspectors), "refused_to_sign": False, "version_id": 1,
                           "created_at": now, "updated_at": now})
        for batch in _batched(visits):
            db.session.execute(insert(Inspection.__table__), batch)
        with_violations = db.session.execute(select(Inspection.id, Inspection.scheduled_on).where(
            Inspection.outcome == "violations").order_by(Inspection.id)).all()
        # findings of visits more than two months old were almost all verified as remedied at a follow-up
        items = [{"inspection_id": iid, "position": 1, "code": "BENCH", "section": "duties", "label_vi": "Chốt cửa",
                  "label_en": "Door latch", "result": "fail",
                  "resolved_in_id": iid if day < today - timedelta(days=60) and rng.random() < 0.95 else None}
                 for iid, day in with_violations]
        pending = {item["inspection_id"] for item in items if item["resolved_in_id"] is None}
        for batch in _batched(items):
            db.session.execute(insert(InspectionItem.__table__), batch)
        item_ids = dict(db.session.execute(select(InspectionItem.inspection_id, InspectionItem.id).where(
            InspectionItem.code == "BENCH")).all())
        violations = [{"inspection_id": iid, "item_id": item_ids[iid], "code": "B", "decree": "38/2021/NĐ-CP",
                       "article": rng.choice(("15", "16", "12")), "clause": "2", "description_vi": "Vi phạm",
                       "description_en": "Violation", "operating_duty": False, "subject": "organisation",
                       "amount": 0, "warning": False,
                       "remedy_due_on": day + timedelta(days=rng.randint(10, 60)), "remedy_pending": iid in pending,
                       "created_at": now}
                      for iid, day in with_violations]
        for batch in _batched(violations):
            db.session.execute(insert(Violation.__table__), batch)
        db.session.commit()
        timings["inspections, violations"] = time.perf_counter() - started
        if db.engine.dialect.name == "sqlite":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        else:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(db.text("ANALYZE"))
        db.engine.dispose()
    return timings


def sql_floor(url: str) -> dict[str, float]:
    """Median in-process time of the bare bucket count and first 50 rows (the numbers PERFORMANCE.md quotes)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    today = date.today()
    params = {"today": today, "d30": today + timedelta(days=30), "d60": today + timedelta(days=60),
              "d90": today + timedelta(days=90), "since": today - timedelta(days=365)}
    out = {}
    with engine.connect() as conn:
        for name, sql in (("count", FLOOR_COUNT), ("first 50", FLOOR_PAGE)):
            times = []
            for _ in range(200):
                started = time.perf_counter()
                conn.execute(text(sql), params).all()
                times.append(time.perf_counter() - started)
            out[name] = statistics.median(times) * 1000
    engine.dispose()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="load duration of each case")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--licences", type=int, default=300_000)
    args = parser.parse_args()
    shared = database_url()
    if not database_ready(shared):
        print(f"No benchmark database at {shared}: run `python bench/make_db.py` first.")
        result("Dashboard (300k licences)", "not available: no benchmark database", TARGET)
        return 0
    url = _prepare_database(shared)
    timings = seed(url, args.licences)
    for step, seconds in timings.items():
        print(f"bulk insert {step}: {seconds:.1f} s")

    bare = sql_floor(url)
    print(f"bare SQL: bucket count {bare['count']:.2f} ms, first 50 rows {bare['first 50']:.2f} ms (median)")
    floor_env = app_env(url) | {"BENCH_FLOOR_APP": "1"}
    with gunicorn("bench.bench_dashboard:floor_app", floor_env, args.workers) as base:
        floor = load(base, "/", seconds=args.seconds, connections=args.connections)
        floor_one = load(base, "/", seconds=max(args.seconds // 2, 3), connections=1)
    print(f"floor (bare count + 50 rows + Jinja): {fmt(floor)}; one connection: {fmt(floor_one)}")

    with gunicorn("wsgi:app", app_env(url), args.workers) as base:
        cookie = sign_in(base, MANAGER)
        status, _, html = request(base, "GET", "/dashboard", headers={"Cookie": cookie})
        if status != 200:
            result("Dashboard (300k licences)", f"not available (GET /dashboard answered {status})", TARGET)
            return 0
        cold = []
        for _ in range(args.workers * 2):  # each worker computes the charts once, then serves them from its cache
            started = time.perf_counter()
            request(base, "GET", "/dashboard?kind=karaoke", headers={"Cookie": cookie})
            cold.append((time.perf_counter() - started) * 1000)
        print(f"first dashboard request per worker (charts computed, then cached): {max(cold):.0f} ms")
        import re

        district = re.search(r'<option value="(\d+)">Quận Lê Chân', html)
        cases = [("Dashboard (manager's home, charts cached)", "/"),
                 ("Due list: overdue + 30 days, first page", "/dashboard/due?window=due30"),
                 ("Due list: licences expiring within 90 days", "/dashboard/due?window=90&what=licence_expiry")]
        if district:
            cases.append(("Dashboard filtered to one district", f"/dashboard?district={district.group(1)}"))
        status, _, page = request(base, "GET", cases[1][1], headers={"Cookie": cookie})
        nxt = re.search(r'rel="next" href="([^"]+)"', page)
        if nxt:
            cases.append(("Due list: keyset page 2", nxt.group(1).replace("&amp;", "&")))
        for label, path in cases:
            for _ in range(args.workers * 3):  # every worker computes and caches the charts of this filter first
                request(base, "GET", path, headers={"Cookie": cookie})
            m = load(base, path, cookie=cookie, seconds=args.seconds, connections=args.connections)
            one = load(base, path, cookie=cookie, seconds=max(args.seconds // 2, 3), connections=1)
            # the target is a page's latency: one connection at a time (already ~60 pages/s, far above what 20 staff
            # ask for). Four closed-loop connections on 2 cores, with the load generator on the same cores, add
            # queueing (the floor app's p95 grows ×2.7 there): reported beside it, not judged
            verdict = "meets" if one["p95"] <= 25 and not m["errors"] and not one["errors"] else "MISSES"
            print(f"{label}: one connection: {fmt(one)} — {verdict} the target; 4 connections: {fmt(m)} "
                  f"({m['requests']} requests, {m['errors']} errors)")
            result(label, f"one connection p50 {one['p50']:.1f} ms, p95 {one['p95']:.1f} ms ({verdict.lower()} "
                          f"target); {args.connections} connections {fmt(m)}", TARGET,
                   f"{fmt(floor)}, one connection p50 {floor_one['p50']:.1f} ms; bare SQL count "
                   f"{bare['count']:.2f} ms, 50 rows {bare['first 50']:.2f} ms "
                   f"(app/floor p95 ×{m['p95'] / max(floor['p95'], 1e-6):.1f})")
        result("Dashboard, first request per worker (charts computed)", f"{max(cold):.0f} ms", "—", "—")
    return 0


if __name__ == "__main__":
    sys.exit(main())

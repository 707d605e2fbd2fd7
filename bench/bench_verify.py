"""Public verification page and JSON (what a QR scan opens) at 100,000 venues, through gunicorn sync workers.

Target (PERFORMANCE.md): ≥ 1,500 req/s with p95 ≤ 5 ms on 2 cores. Floor: a bare WSGI app doing the same work —
one unique-index lookup of the token with the licence type, one INSERT into the scan log, a commit and a small
Jinja page — with no Flask, no ORM, no limiter, served and loaded the same way in the same run.

The benchmark database (``make_db.py``) holds venues but no licences: this script copies it to
``bench/out/verify.db`` and issues one licence per licensable venue there (a fifth of them with a superseded
predecessor, a few suspended or revoked), in bulk, with realistic snapshots. Also measured: the open-data exports
(streamed CSV/JSON of every venue and licence) and the public register search.

The floors and the pages are measured in alternating rounds (``--rounds``), each figure the median of its rounds,
so that a drift of a shared machine's speed moves them together. The verdict is on capacity (2 cores / server CPU
per request); the bare look-up PERFORMANCE.md names as this target's floor is measured beside the full floor.

``python bench/bench_verify.py [--seconds 5] [--rounds 3] [--connections 4] [--workers 2]``
"""
from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sqlite3
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import OUT, app_env, database_ready, database_url, fmt, gunicorn, load, request, result  # noqa: E402

TARGET = "≥ 1,500 req/s, p95 ≤ 5 ms"
VERIFY_DB = OUT / "verify.db"
KIND_TYPES = {"karaoke": "karaoke", "dance_hall": "dance_hall", "sports": "sports"}


# ----------------------------------------------------------------------------------------------- the database

def bench_config(url: str):
    """The application configuration for the benchmark: rate limits raised so one client can saturate it (the
    limiter still runs on every request)."""
    from registry.config import DevelopmentConfig

    return type("BenchConfig", (DevelopmentConfig,), {
        "SQLALCHEMY_DATABASE_URI": url, "VERIFY_RATE_LIMIT": "100000000 per minute",
        "REGISTER_RATE_LIMIT": "100000000 per minute", "OPEN_DATA_RATE_LIMIT": "100000000 per minute",
        "PUBLIC_BASE_URL": "https://giayphep.haiphong.example.vn"})


def make_app():
    """gunicorn entry point: ``bench.bench_verify:make_app()``."""
    from registry import create_app

    return create_app(bench_config(os.environ["DATABASE_URL"]))


def _snapshot(ltype, authority, signer, venue: dict, rooms: list, sports: list, number_display: str,
              issued_on: date, supersedes: str | None) -> str:
    hours = ({"opens_at": venue["opens_at"].strftime("%H:%M"), "closes_at": venue["closes_at"].strftime("%H:%M")}
             if venue["opens_at"] and venue["closes_at"] else None)
    total = sum(float(r[1]) for r in rooms)
    snap = {
        "licence_type": {"code": ltype.code, "category": ltype.category.value, "name_vi": ltype.name_vi,
                         "name_en": ltype.name_en, "legal_basis_vi": ltype.legal_basis_vi,
                         "legal_basis_en": ltype.legal_basis_en},
        "authority": {"parent_body": authority.parent_body, "parent_body_en": authority.parent_body_en,
                      "name": authority.name, "name_en": authority.name_en, "abbreviation": authority.abbreviation,
                      "place_name": authority.place_name},
        "signer": ({"full_name": signer.full_name, "prefix": signer.prefix, "prefix_en": signer.prefix_en,
                    "position": signer.position, "position_en": signer.position_en} if signer else None),
        "operator": {"name": venue["operator_name"], "kind": venue["operator_kind"],
                     "kind_label": "Doanh nghiệp" if venue["operator_kind"] == "enterprise" else "Hộ kinh doanh",
                     "kind_label_en": "Enterprise" if venue["operator_kind"] == "enterprise" else
                     "Household business", "registration_number": venue["registration_number"],
                     "registration_date": None, "registration_issuer": None, "head_office": venue["head_office"],
                     "legal_rep_name": venue["legal_rep_name"]},
        "venue": {"id": venue["id"], "ref": venue["ref"], "name": venue["name"], "kind": venue["kind"],
                  "address": venue["address"], "phone": venue["phone"], "capacity": venue["capacity"]},
        "rooms": [{"code": code, "area_m2": f"{float(area):.2f}"} for code, area in rooms],
        "room_count": len(rooms), "total_area_m2": f"{total:.2f}",
        "sports": [{"code": c, "name_vi": vi, "name_en": en} for c, vi, en in sports],
        "hours": hours,
        "conditions": [{"vi": c.get("vi", ""), "en": c.get("en", "")} for c in ltype.conditions],
        "event": None, "number_display": number_display, "issued_on": issued_on.isoformat(),
        "valid_from": issued_on.isoformat(), "expires_on": None, "supersedes": supersedes,
    }
    return json.dumps(snap, ensure_ascii=False)


def seed_licences(app, *, limit: int | None = None, seed: int = 7, batch: int = 5000) -> int:
    """Issue licences (no PDFs) for the licensable venues that have none, in bulk; returns how many exist."""
    from sqlalchemy import func, insert, select

    from registry.extensions import db
    from registry.licences.models import Licence, LicenceStatus, LicenceType, Sanction, SanctionKind
    from registry.reference.models import AdminUnit, Sport
    from registry.venues.models import Operator, Room, Venue, VenueSport

    rng = random.Random(seed)
    with app.app_context():
        existing = db.session.execute(select(func.count()).select_from(Licence)).scalar_one()
        if existing >= 1000:  # seeded before (the demo set alone holds a handful)
            return existing
        types = {t.category.value: t for t in db.session.execute(select(LicenceType)).scalars()}
        next_id = (db.session.execute(select(func.max(Licence.id))).scalar() or 0) + 1
        counters: dict[tuple, int] = {
            (authority, symbol, year): number for authority, symbol, year, number in db.session.execute(
                select(Licence.authority_id, Licence.symbol, Licence.year, func.max(Licence.number))
                .group_by(Licence.authority_id, Licence.symbol, Licence.year))}
        licensed = select(Licence.id).where(Licence.venue_id == Venue.id).exists()
        last = 0
        made = 0
        while limit is None or made < limit:
            venues = db.session.execute(
                select(Venue.id, Venue.ref, Venue.name, Venue.kind, Venue.house_number, Venue.street, Venue.city,
                       Venue.phone, Venue.capacity, Venue.opens_at, Venue.closes_at, Venue.operator_id,
                       AdminUnit.name.label("ward"), Operator.name.label("operator_name"),
                       Operator.kind.label("operator_kind"), Operator.registration_number,
                       Operator.head_office, Operator.legal_rep_name)
                .join(Operator, Operator.id == Venue.operator_id).join(AdminUnit, AdminUnit.id == Venue.ward_id)
                .where(Venue.id > last, ~licensed).order_by(Venue.id).limit(batch)).mappings().all()
            if not venues:
                break
            last = venues[-1]["id"]
            ids = [v["id"] for v in venues]
            rooms: dict[int, list] = {}
            for venue_id, code, area in db.session.execute(
                    select(Room.venue_id, Room.code, Room.area_m2).where(
                        Room.venue_id.in_(ids), Room.valid_to.is_(None), Room.active.is_(True))
                    .order_by(Room.venue_id, Room.code)):
                rooms.setdefault(venue_id, []).append((code, area))
            sports: dict[int, list] = {}
            for venue_id, code, vi, en in db.session.execute(
                    select(VenueSport.venue_id, Sport.code, Sport.name_vi, Sport.name_en)
                    .join(Sport, Sport.id == VenueSport.sport_id).where(VenueSport.venue_id.in_(ids))):
                sports.setdefault(venue_id, []).append((code, vi, en))
            licence_rows, sanction_rows = [], []
            for v in venues:
                kind = getattr(v["kind"], "value", v["kind"])
                ltype = types.get(KIND_TYPES.get(kind, ""))
                if ltype is None or (limit is not None and made >= limit):
                    continue
                venue = dict(v, kind=kind, operator_kind=getattr(v["operator_kind"], "value", v["operator_kind"]),
                             address=", ".join(p for p in (" ".join(x for x in (v["house_number"], v["street"])
                                                                     if x), v["ward"], v["city"]) if p))
                chain = [date(2021, 1, 4) + timedelta(days=rng.randrange(900))] if rng.random() < 0.2 else []
                chain.append(date(2024, 1, 2) + timedelta(days=rng.randrange(600)))
                predecessor = None
                for i, issued_on in enumerate(chain):
                    key = (ltype.authority_id, ltype.symbol, issued_on.year)
                    counters[key] = counters.get(key, 0) + 1
                    display = f"{counters[key]}/{ltype.symbol}"
                    current = i == len(chain) - 1
                    roll = rng.random()
                    status = (LicenceStatus.SUPERSEDED if not current else LicenceStatus.SUSPENDED if roll < 0.04
                              else LicenceStatus.REVOKED if roll < 0.06 else LicenceStatus.ACTIVE)
                    licence_rows.append({
                        "id": next_id, "licence_type_id": ltype.id, "authority_id": ltype.authority_id,
                        "venue_id": v["id"], "operator_id": v["operator_id"], "number": counters[key],
                        "year": issued_on.year, "symbol": ltype.symbol, "number_display": display,
                        "issued_on": issued_on, "valid_from": issued_on, "status": status,
                        "status_changed_on": chain[-1] if not current else (
                            date(2025, 6, 1) if status != LicenceStatus.ACTIVE else None),
                        "predecessor_id": predecessor[0] if predecessor else None,
                        "verify_token": secrets.token_urlsafe(24), "signer_id": ltype.default_signer_id,
                        "snapshot_json": _snapshot(ltype, ltype.authority, ltype.default_signer, venue,
                                                   rooms.get(v["id"], []), sports.get(v["id"], []), display,
                                                   issued_on, predecessor[1] if predecessor else None),
                        "version_id": 1})
                    if status in (LicenceStatus.SUSPENDED, LicenceStatus.REVOKED):
                        sanction_rows.append({
                            "licence_id": next_id, "starts_on": date(2025, 6, 1), "reason": "bench",
                            "kind": SanctionKind.SUSPENSION if status == LicenceStatus.SUSPENDED
                            else SanctionKind.REVOCATION,
                            "ends_on": date(2025, 9, 1) if status == LicenceStatus.SUSPENDED else None})
                    predecessor = (next_id, display)
                    next_id += 1
                made += 1
            if licence_rows:
                db.session.execute(insert(Licence.__table__), licence_rows)
            if sanction_rows:
                db.session.execute(insert(Sanction.__table__), sanction_rows)
            db.session.commit()
        return db.session.execute(select(func.count()).select_from(Licence)).scalar_one()


def _usable_copy(source: Path) -> bool:
    if not VERIFY_DB.exists() or VERIFY_DB.stat().st_mtime < source.stat().st_mtime:
        return False
    with sqlite3.connect(VERIFY_DB) as conn:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'licences'").fetchone()[0] == 1


def prepare_database(url: str, *, limit: int | None = None) -> str:
    """A copy of the benchmark database with licences (SQLite), or the database itself (PostgreSQL)."""
    from registry import create_app

    if url.startswith("sqlite:///"):
        source = Path(url.removeprefix("sqlite:///"))
        if not _usable_copy(source):
            OUT.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{VERIFY_DB}{suffix}").unlink(missing_ok=True)
            with sqlite3.connect(source) as src, sqlite3.connect(VERIFY_DB) as dst:
                src.backup(dst)  # consistent even if the source has an un-checkpointed WAL
        url = f"sqlite:///{VERIFY_DB}"
    app = create_app(bench_config(url))
    with app.app_context():  # a database built before the newest migration: bring it to the head first
        from flask_migrate import upgrade

        upgrade()
    started = time.perf_counter()
    count = seed_licences(app, limit=limit)
    print(f"{count:,} licences in {url} ({time.perf_counter() - started:.1f} s)")
    return url


def sample_tokens(url: str) -> dict[str, str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        tokens = {status: conn.execute(text("SELECT verify_token FROM licences WHERE status = :s ORDER BY id "
                                            "LIMIT 1 OFFSET :o"), {"s": status, "o": offset}).scalar()
                  for status, offset in (("active", 5000), ("suspended", 100), ("superseded", 100))}
    engine.dispose()
    return tokens


# ----------------------------------------------------------------------------------------------- the floor

FLOOR_SQL = """SELECT l.id, l.status, l.number_display, l.issued_on, l.snapshot_json, t.name_vi
FROM licences l JOIN licence_types t ON t.id = l.licence_type_id WHERE l.verify_token = :token"""
_floor = {}


def floor_app(environ, start_response):
    """Bare WSGI: the token lookup, a scan INSERT, a commit and a Jinja page (``bench.bench_verify:floor_app``).

    ``/lookup/<token>`` does the look-up alone and answers the status: the floor PERFORMANCE.md reports for this
    target (a unique-index look-up, 2,500–2,600 req/s on its reference machine).
    """
    import hashlib

    from jinja2 import Environment
    from sqlalchemy import create_engine, text

    if "engine" not in _floor:
        engine = create_engine(os.environ["DATABASE_URL"], pool_size=2)
        _floor.update(engine=engine, template=Environment(autoescape=True).from_string(
            "<!doctype html><html lang=vi><head><meta charset=utf-8><title>{{ n }}</title></head><body>"
            "<h1>{{ s }}</h1><p>{{ n }} · {{ t }}</p><p>{{ v.name }}</p><p>{{ v.address }}</p>"
            "<ul>{% for r in rooms %}<li>{{ r.code }} {{ r.area_m2 }}</li>{% endfor %}</ul></body></html>"))
        reader = _floor["reader"] = create_engine(os.environ["DATABASE_URL"], pool_size=2)
        if engine.dialect.name == "sqlite":
            from sqlalchemy import event

            def _pragmas(dbapi, _record):
                dbapi.isolation_level = None
                dbapi.execute("PRAGMA journal_mode=WAL")
                dbapi.execute("PRAGMA busy_timeout=10000")
                dbapi.execute("PRAGMA synchronous=NORMAL")

            event.listen(engine, "connect", _pragmas)
            event.listen(reader, "connect", _pragmas)

            @event.listens_for(engine, "begin")
            def _begin(conn):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
    path = environ.get("PATH_INFO", "")
    token = path.rsplit("/", 1)[-1]
    if path.startswith("/lookup/"):
        with _floor["reader"].connect() as conn:
            row = conn.execute(text(FLOOR_SQL), {"token": token}).first()
        body = (row.status if row else "not found").encode()
        start_response("200 OK" if row else "404 Not Found",
                       [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    with _floor["engine"].begin() as conn:
        row = conn.execute(text(FLOOR_SQL), {"token": token}).first()
        if row is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        ip = environ.get("REMOTE_ADDR", "")
        conn.execute(text("INSERT INTO verification_scans (licence_id, scanned_at, client_hash, channel) "
                          "VALUES (:l, CURRENT_TIMESTAMP, :h, 'html')"),
                     {"l": row.id, "h": hashlib.sha256(ip.encode()).hexdigest()[:16]})
    snap = json.loads(row.snapshot_json)
    body = _floor["template"].render(s=row.status, n=row.number_display, t=row.name_vi, v=snap["venue"],
                                     rooms=snap["rooms"]).encode()
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


# ----------------------------------------------------------------------------------------------- CPU accounting

def server_cpu_seconds(base: str) -> float:
    """CPU seconds used so far by the gunicorn master and workers bound to ``base`` (from /proc), including workers
    that were recycled (``max_requests``) and reaped meanwhile, and the warm-up of their replacements.

    CPU per request is what decides throughput on 2 cores, and unlike req/s it hardly moves when other jobs share
    the machine: ``capacity ≈ 2 cores / CPU per request``.
    """
    marker = f"--bind\x00{base}".encode()
    ticks = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "cmdline").read_bytes():
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
    total = 0
    for fields in stats.values():
        total += int(fields[11]) + int(fields[12])  # utime + stime
        if int(fields[1]) not in stats:  # the master: add its reaped children (recycled workers)
            total += int(fields[13]) + int(fields[14])
    return total / ticks


def measured(base: str, path: str, args) -> dict:
    """``load`` plus the server's CPU milliseconds per request and the 2-core capacity that implies."""
    before = server_cpu_seconds(base)
    m = load(base, path, seconds=args.seconds, connections=args.connections)
    cpu = (server_cpu_seconds(base) - before) / max(m["requests"], 1) * 1000
    m.update(cpu_ms=cpu, capacity=2000 / cpu if cpu else 0)
    return m


def median_run(runs: list[dict]) -> dict:
    """The run with the median CPU per request (its latencies and rate go with it)."""
    return sorted(runs, key=lambda m: m["cpu_ms"])[len(runs) // 2]


def cpu_text(m: dict) -> str:
    return f"{m['cpu_ms']:.2f} ms CPU/request → ≈ {m['capacity']:,.0f} req/s on 2 idle cores"


# ----------------------------------------------------------------------------------------------- exports

def time_download(base: str, path: str) -> tuple[float, float, int]:
    """Seconds to the first byte and to the last byte of a streamed download, and its size."""
    import http.client

    host, port = base.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=600)
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    first = response.read(1)
    ttfb = time.perf_counter() - started
    size = len(first)
    while chunk := response.read(1 << 16):
        size += len(chunk)
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}")
    return ttfb, time.perf_counter() - started, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="rounds alternating the floors and the pages")
    parser.add_argument("--no-recycle", action="store_true", help="gunicorn --max-requests 0 (no worker recycling)")
    parser.add_argument("--skip-exports", action="store_true")
    args, _unknown = parser.parse_known_args()
    url = database_url()
    if not database_ready(url):
        print(f"No benchmark database at {url}: run `python bench/make_db.py` first.")
        result("Verification page (QR scan, 100k venues)", "not available: no benchmark database", TARGET)
        return 0
    url = prepare_database(url)
    tokens = sample_tokens(url)
    env = app_env(url)

    if args.no_recycle:
        # the repository's gunicorn.conf.py recycles workers every ~2,000 requests and warms the PDF renderer in
        # each new one (post_fork); this shows what the pages cost without that
        env = {**env, "GUNICORN_CMD_ARGS": "--max-requests 0"}
    cases = [("Verification page, valid licence", f"/verify/{tokens['active']}"),
             ("Verification page, suspended (+1 query)", f"/verify/{tokens['suspended']}"),
             ("Verification JSON, valid licence", f"/verify/{tokens['active']}.json")]
    floors = [("floor", f"/verify/{tokens['active']}"), ("lookup", f"/lookup/{tokens['active']}")]
    with gunicorn("bench.bench_verify:floor_app", env, args.workers) as floor_base, \
            gunicorn("bench.bench_verify:make_app()", env, args.workers) as base:
        for _label, path in cases:
            status, _, _ = request(base, "GET", path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
        # Rounds alternate the floors and the pages, so that a drift of the machine's speed (other jobs on a
        # shared host) moves both; each figure is the median of its rounds.
        runs: dict[str, list[dict]] = {}
        for round_ in range(args.rounds):
            for label, path in floors:
                runs.setdefault(label, []).append(measured(floor_base, path, args))
            for label, path in cases:
                runs.setdefault(label, []).append(measured(base, path, args))
            print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]['cpu_ms']:.2f} ms" for k, v in runs.items()),
                  flush=True)
        floor, lookup = median_run(runs["floor"]), median_run(runs["lookup"])
        print(f"floor (bare lookup + insert + Jinja): {fmt(floor)}; {cpu_text(floor)} ({floor['tool']})")
        print(f"look-up floor (PERFORMANCE.md's, no scan log): {fmt(lookup)}; {cpu_text(lookup)}")
        for label, _path in cases:
            m = median_run(runs[label])
            # The load generator shares the 2 cores, so the req/s and p95 it measures at saturation are bounded by
            # its own CPU (the bare floor app does not reach 1,500 req/s that way either): the verdict is on the
            # server's capacity (2 cores / its CPU time per request); p95 is reported beside the floor's.
            errors = sum(r["errors"] for r in runs[label])
            if errors:
                verdict = f"MISSES: {errors} errors"
            elif m["capacity"] >= 1500:
                verdict = "capacity meets the 1,500 req/s target"
            else:
                verdict = "capacity MISSES the 1,500 req/s target"
            ratio = m["cpu_ms"] / floor["cpu_ms"]
            print(f"{label}: {fmt(m)}; {cpu_text(m)} ({sum(r['requests'] for r in runs[label])} requests in "
                  f"{args.rounds} rounds, {m['tool']}) — {verdict}; CPU ×{ratio:.2f} the floor's")
            what = label + (" (100k venues, no recycling)" if args.no_recycle else " (100k venues)")
            result(what, f"{fmt(m)} ({verdict}); {cpu_text(m)}", TARGET,
                   f"{fmt(floor)}; {cpu_text(floor)}; look-up alone {lookup['cpu_ms']:.2f} ms; app/floor CPU "
                   f"×{ratio:.2f}")

        if args.skip_exports:
            return 0
        search = "/register/?q=hoa&kind=karaoke"
        m = load(base, search, seconds=max(args.seconds // 2, 3), connections=args.connections)
        result("Public register search (q + kind, 25 rows)", fmt(m), "p95 ≤ 25 ms at ≥ 150 req/s (list target)")

        for name in ("venues.csv", "licences.csv", "licences.json", "licence-events.csv"):
            ttfb, total, size = time_download(base, f"/open-data/{name}")
            result(f"Open data /open-data/{name} (streamed)",
                   f"first byte {ttfb * 1000:.0f} ms, complete {total:.1f} s, {size / 1e6:.1f} MB",
                   "streams at once; flat memory", "—")
    return 0


if __name__ == "__main__":
    sys.exit(main())

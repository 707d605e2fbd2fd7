"""Venue list / search page at 100,000 venues: p50/p95 and req/s through gunicorn, against the floor.

Target (PERFORMANCE.md): p95 ≤ 25 ms at ≥ 150 req/s on 2 cores. Floor: a bare keyset query + Jinja render of
the same 50 rows (bench/floor_app.py), served and loaded the same way in the same run.
"""
from __future__ import annotations

import argparse
import re
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
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

TARGET = "p95 ≤ 25 ms at ≥ 150 req/s"
SEARCH = "/venues/?q=hoa&kind=karaoke&status=operating"
CASES = (("Venue list, first page (no filter)", "/venues/"),
         ("Venue search + filters, first page", SEARCH))


def next_link(html: str) -> str | None:
    found = re.search(r'<a[^>]*rel="next"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="next"', html)
    return (found.group(1) or found.group(2)).replace("&amp;", "&") if found else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="load duration of each case")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    url = database_url()
    if not database_ready(url):
        print(f"No benchmark database at {url}: run `python bench/make_db.py` first.")
        result("Venue list / search (100k venues)", "not available: no benchmark database", TARGET)
        return 0

    floors = {}
    floor_search = "/?q=hoa&kind=karaoke&status=operating"
    with gunicorn("bench.floor_app:app", app_env(url), args.workers) as base:
        floors["plain"] = load(base, "/", seconds=args.seconds, connections=args.connections)
        floors["first"] = load(base, floor_search, seconds=args.seconds, connections=args.connections)
        _, headers, _ = request(base, "GET", floor_search)
        after = {k.lower(): v for k, v in headers}.get("x-next")
        if after:
            floors["keyset"] = load(base, f"{floor_search}&after={urllib.parse.quote(after)}",
                                    seconds=args.seconds, connections=args.connections)
    print(f"floor (bare keyset + Jinja): {', '.join(f'{k}: {fmt(v)}' for k, v in floors.items())}")

    with gunicorn("wsgi:app", app_env(url), args.workers) as base:
        cookie = sign_in(base)
        status, _, html = request(base, "GET", SEARCH, headers={"Cookie": cookie})
        if status == 404:
            print("The venue list (venues.index at /venues/) is not available yet in this installation.")
            result("Venue list / search (100k venues)", "not available yet (no /venues/ page)", TARGET,
                   fmt(floors["first"]))
            return 0
        if status != 200:
            raise RuntimeError(f"/venues/ answered {status}")
        cases = list(CASES)
        nxt = next_link(html)
        if nxt:
            cases.append(("Venue search + filters, keyset page 2", nxt))
        for label, path in cases:
            status, _, _ = request(base, "GET", path, headers={"Cookie": cookie})
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            m = load(base, path, cookie=cookie, seconds=args.seconds, connections=args.connections)
            floor = floors["plain"] if path == "/venues/" else floors.get("keyset" if "after=" in path else "first")
            verdict = "meets" if m["p95"] <= 25 and m["rps"] >= 150 and not m["errors"] else "MISSES"
            print(f"{label}: {fmt(m)} ({m['requests']} requests, {m['errors']} errors, {m['tool']}) "
                  f"— {verdict} the target")
            result(label, f"{fmt(m)} ({verdict.lower()} target)", TARGET,
                   f"{fmt(floor)} (app/floor p95 ×{m['p95'] / max(floor['p95'], 1e-6):.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

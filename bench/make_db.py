"""Build the benchmark database: migrations, the Hải Phòng preset, the demo set and N synthetic venues.

SQLite by default (bench/out/bench.db, rebuilt from scratch); PostgreSQL when BENCH_DATABASE_URL (or DATABASE_URL)
points to an EMPTY database. ``python bench/make_db.py [--venues 100000]``.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DEFAULT_DB, OUT, ROOT, app_env, database_url  # noqa: E402


def flask(env: dict, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--venues", type=int, default=100_000)
    args = parser.parse_args()
    url = database_url()
    if url == f"sqlite:///{DEFAULT_DB}":
        OUT.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DEFAULT_DB}{suffix}").unlink(missing_ok=True)
    env = app_env(url)
    timings = {
        "migrations": flask(env, "db", "upgrade"),
        "preset": flask(env, "preset", "load"),
        "demo set": flask(env, "demo"),
        f"{args.venues} synthetic venues": flask(env, "demo", "--venues", str(args.venues)),
    }
    print(f"\nBenchmark database ready: {url}")
    for step, seconds in timings.items():
        print(f"  {step:28} {seconds:6.1f} s")
    if url.startswith("sqlite:///"):
        size = Path(url.removeprefix("sqlite:///")).stat().st_size
        print(f"  file size                    {size / 1e6:6.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

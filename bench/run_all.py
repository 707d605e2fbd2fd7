"""Run every bench/bench_*.py and print one table: what / measured / target / floor measured in the same run.

``python bench/run_all.py [--only NAME] [extra args passed to each script]``; build the database first with
``python bench/make_db.py``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(script: Path, extra: list[str]) -> tuple[list[dict], int, float]:
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(script), *extra], cwd=HERE.parent, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    rows = []
    for line in proc.stdout:
        print(f"  {line}", end="", flush=True)
        if line.startswith("RESULT "):
            rows.append(json.loads(line[len("RESULT "):]))
    code = proc.wait()
    if code and not rows:
        rows.append({"what": script.stem, "measured": f"FAILED (exit {code})", "target": "", "floor": ""})
    return rows, code, time.perf_counter() - started


def table(rows: list[dict]) -> str:
    cols = ("what", "measured", "target", "floor")
    titles = {"what": "What", "measured": "Measured", "target": "Target", "floor": "Floor (same run)"}
    widths = {c: max(len(titles[c]), *(len(str(r.get(c, ""))) for r in rows)) for c in cols}
    lines = [" | ".join(titles[c].ljust(widths[c]) for c in cols), "-+-".join("-" * widths[c] for c in cols)]
    lines += [" | ".join(str(r.get(c, "")).ljust(widths[c]) for c in cols) for r in rows]
    return "\n".join(lines)


def main() -> int:
    args = sys.argv[1:]
    only = None
    if args[:1] == ["--only"]:
        only, args = args[1], args[2:]
    scripts = sorted(p for p in HERE.glob("bench_*.py") if only is None or only in p.stem)
    rows, failed = [], 0
    for script in scripts:
        load_before = os.getloadavg()[0]
        print(f"== {script.name}  (load average {load_before:.1f} on {os.cpu_count()} cores)", flush=True)
        found, code, seconds = run(script, args)
        load_after = os.getloadavg()[0]
        print(f"   ({seconds:.0f} s, exit {code}, load average {load_after:.1f})")
        if max(load_before, load_after) > (os.cpu_count() or 1) * 1.5:
            print("   WARNING: other work was running on this machine; these numbers are noisy.")
        rows += found
        failed += code != 0
    print()
    print(table(rows) if rows else "No benchmark produced a result.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

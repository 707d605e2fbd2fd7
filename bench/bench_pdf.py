"""Licence PDFs: warm render latency, memory over 1,000 renders, and batch printing throughput.

Targets (PERFORMANCE.md, 2 cores): one permit PDF in a warm worker p50 ≤ 60 ms, p95 ≤ 120 ms; RSS flat over
1,000 renders; batch printing ≥ 30 permits/s. Floors, measured in the same run:

* render — bare WeasyPrint laying out the same, already rendered HTML with a reused FontConfiguration, CSS and
  cache (no Jinja, no QR code, no context building);
* batch — a bare two-process pool rendering the same contexts, storing nothing.

The batch is measured on licences that have no stored PDF yet (legacy imports): ``render_missing`` renders each one
once in two worker processes and stores it (SHA-256, audit event), then ``copy_to_folder`` copies the stored bytes;
a second pass shows the copy-only rate of licences that were already printed.

``python bench/bench_pdf.py [--renders 300] [--batch 300]``
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import OUT, database_ready, database_url, result  # noqa: E402

RENDER_TARGET = "p50 ≤ 60 ms, p95 ≤ 120 ms"
BATCH_TARGET = "≥ 30 permits/s on 2 cores"
PDF_DB = OUT / "pdf.db"


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def percentiles(samples: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(samples, n=100)
    return q[49] * 1000, q[94] * 1000


def licence_contexts(count: int) -> list[dict]:
    """Plain print contexts of ``count`` distinct realistic licences (a different QR URL each)."""
    from registry.documents import pdf

    base = pdf.sample_licence_context()
    contexts = []
    for i in range(count):
        ctx = dict(base, number=f"{i + 1}/GP-SVHTT",
                   verify_url=f"https://giayphep.haiphong.example.vn/verify/bench{i:08d}tokenXYZabc")
        ctx["venue"] = dict(base["venue"], name=f"Karaoke Hoa Sen {i}")
        contexts.append(ctx)
    return contexts


def bench_render(renders: int) -> None:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from registry.documents import pdf

    started = time.perf_counter()
    pdf.warm_up()
    cold = time.perf_counter() - started
    contexts = licence_contexts(renders)

    samples, cpu = [], []
    for ctx in contexts:
        t, c = time.perf_counter(), time.process_time()
        pdf.render_pdf(pdf.LICENCE_TEMPLATE, ctx)
        samples.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    p50, p95 = percentiles(samples)
    c50, c95 = percentiles(cpu)

    # floor: the same HTML laid out by bare WeasyPrint with everything reused
    html = pdf.render_html(pdf.LICENCE_TEMPLATE, contexts[0])
    fonts = FontConfiguration()
    css = CSS(filename=str(pdf.CSS_PATH), font_config=fonts)
    cache: dict = {}
    for _ in range(5):
        HTML(string=html).write_pdf(stylesheets=[css], font_config=fonts, cache=cache)
    floor, floor_cpu = [], []
    for _ in range(min(renders, 100)):
        t, c = time.perf_counter(), time.process_time()
        HTML(string=html).write_pdf(stylesheets=[css], font_config=fonts, cache=cache)
        floor.append(time.perf_counter() - t)
        floor_cpu.append(time.process_time() - c)
    f50, f95 = percentiles(floor)
    fc50, fc95 = percentiles(floor_cpu)
    verdict = "meets target" if p50 <= 60 and p95 <= 120 else "MISSES target"
    print(f"warm-up (cold first render) {cold * 1000:.0f} ms; warm p50 {p50:.1f} ms, p95 {p95:.1f} ms "
          f"(CPU p50 {c50:.1f} ms, p95 {c95:.1f} ms) over {renders} licences; floor p50 {f50:.1f} ms, "
          f"p95 {f95:.1f} ms (CPU p50 {fc50:.1f} ms, p95 {fc95:.1f} ms)")
    result("One licence PDF, warm worker", f"p50 {p50:.1f} ms, p95 {p95:.1f} ms ({verdict}); CPU p50 {c50:.1f} ms, "
           f"p95 {c95:.1f} ms; cold first render {cold * 1000:.0f} ms (paid at worker start)", RENDER_TARGET,
           f"bare WeasyPrint, reused config: p50 {f50:.1f} ms, p95 {f95:.1f} ms (CPU p50 {fc50:.1f}, "
           f"p95 {fc95:.1f} ms); app/floor p50 ×{p50 / f50:.2f}")


def bench_memory(count: int = 1000) -> None:
    from registry.documents import pdf

    contexts = licence_contexts(count)
    gc.collect()
    marks = {}
    for i, ctx in enumerate(contexts, 1):
        pdf.render_pdf(pdf.LICENCE_TEMPLATE, ctx)
        if i in (100, 500, count):
            marks[i] = rss_mb()
    growth = marks[count] - marks[100]
    verdict = "flat" if growth <= 10 else "GROWS"
    print(f"RSS after 100 / 500 / {count} renders: " + " / ".join(f"{v:.0f} MB" for v in marks.values()))
    result(f"RSS over {count:,} renders (one process)",
           f"{marks[100]:.0f} MB after 100 → {marks[count]:.0f} MB after {count:,} ({growth:+.1f} MB, {verdict})",
           "flat; ≤ 150 MB per worker", "—")


def _floor_render(ctx: dict) -> int:
    from registry.documents import pdf

    return len(pdf.render_pdf(pdf.LICENCE_TEMPLATE, ctx))


def _floor_init() -> None:
    from registry.documents import pdf

    pdf.warm_up()


def bench_batch(count: int) -> None:
    if count <= 0:
        return
    url = database_url()
    if not url.startswith("sqlite:///") or not database_ready(url):
        print("Batch printing is measured on the SQLite benchmark database (run bench/make_db.py).")
        result("Batch printing (2 processes)", "not available: no SQLite benchmark database", BATCH_TARGET)
        return
    from bench.bench_verify import bench_config, seed_licences
    from registry import create_app
    from registry.documents import batch
    from registry.documents.licences import licence_context
    from registry.extensions import db
    from registry.licences.models import Licence

    OUT.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{PDF_DB}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as src, sqlite3.connect(PDF_DB) as dst:
        src.backup(dst)
    app = create_app(bench_config(f"sqlite:///{PDF_DB}"))
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # create_app turns INFO logging on
    seed_licences(app, limit=count)
    with app.app_context():
        ids = list(db.session.execute(db.select(Licence.id).order_by(Licence.id).limit(count)).scalars())
        contexts = [licence_context(db.session.get(Licence, i)) for i in ids]
        db.session.rollback()

        # floor: a bare two-process pool rendering the same contexts, storing nothing
        with ProcessPoolExecutor(2, mp_context=get_context("fork"), initializer=_floor_init) as pool:
            list(pool.map(_floor_render, contexts[:4]))
            t = time.perf_counter()
            list(pool.map(_floor_render, contexts, chunksize=4))
            floor_rate = len(contexts) / (time.perf_counter() - t)

        with tempfile.TemporaryDirectory() as out:
            t = time.perf_counter()
            rendered = batch.render_missing(ids, workers=2)
            files = batch.copy_to_folder(ids, Path(out))
            elapsed = time.perf_counter() - t
            rate = len(files) / elapsed
            t = time.perf_counter()
            again = batch.copy_to_folder(ids, Path(out) / "again")
            copy_rate = len(again) / (time.perf_counter() - t)
            t = time.perf_counter()
            batch.merge_to_file(ids, Path(out) / "merged.pdf")
            merge_rate = len(ids) / (time.perf_counter() - t)
    verdict = "meets target" if rate >= 30 else "MISSES target"
    print(f"batch: {rendered} rendered + stored + copied at {rate:.1f}/s; copy only {copy_rate:.0f}/s; "
          f"merge {merge_rate:.0f}/s; floor (bare pool) {floor_rate:.1f}/s")
    result(f"Batch printing, {count} legacy licences (render once + store + copy, 2 processes)",
           f"{rate:.1f} permits/s ({verdict})", BATCH_TARGET, f"bare 2-process render pool: {floor_rate:.1f}/s")
    result("Batch printing of already issued licences (copy stored bytes)", f"{copy_rate:,.0f} permits/s; "
           f"merged into one PDF {merge_rate:,.0f} permits/s", BATCH_TARGET, "—")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--renders", type=int, default=300)
    parser.add_argument("--batch", type=int, default=300)
    args, _unknown = parser.parse_known_args()
    if args.renders >= 2:
        bench_render(args.renders)
        bench_memory(1000)
    bench_batch(args.batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())

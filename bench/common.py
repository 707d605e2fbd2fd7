"""Shared helpers of the benchmarks: the benchmark database, a gunicorn server, sign-in, the load generator and
the result lines that ``run_all.py`` collects.

Each ``bench_*.py`` prints ``RESULT {json}`` lines with ``what``, ``measured``, ``target`` and ``floor``.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_DB = OUT / "bench.db"
DEMO_USER, DEMO_PASSWORD = "clerk", "registry-demo"


def database_url() -> str:
    """BENCH_DATABASE_URL, else DATABASE_URL, else the SQLite file that make_db.py builds."""
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB}"


def database_ready(url: str) -> bool:
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).is_file()
    return True


def result(what: str, measured: str, target: str, floor: str = "—") -> None:
    """Print one line of the summary table (``run_all.py`` parses these)."""
    print("RESULT " + json.dumps({"what": what, "measured": measured, "target": target, "floor": floor},
                                 ensure_ascii=False), flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": url, "REGISTRY_ENV": "development", "SECRET_KEY": os.urandom(24).hex(),
                "PYTHONPATH": str(ROOT)})
    return env


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int = 2):
    """Serve ``app`` (``module:object``) with sync workers on a free local port; yields the base URL."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60", app],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {Path(log.name).read_text()[-2000:]}")
            try:
                status, _, _ = request(base, "GET", "/healthz")
                if status in (200, 404):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        Path(log.name).unlink(missing_ok=True)


def request(base: str, method: str, path: str, body: str | None = None, headers: dict | None = None):
    """One HTTP request; returns (status, headers, body text)."""
    host, port = base.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _cookie(headers, name: str = "session") -> str | None:
    for key, value in headers:
        if key.lower() == "set-cookie" and value.startswith(name + "="):
            return value.split(";", 1)[0]
    return None


def sign_in(base: str, username: str = DEMO_USER, password: str = DEMO_PASSWORD) -> str:
    """Sign in through the real form (CSRF token included); returns the ``Cookie`` header value."""
    status, headers, html = request(base, "GET", "/auth/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    cookie = _cookie(headers)
    if status != 200 or not token or not cookie:
        raise RuntimeError(f"sign-in page not usable (status {status})")
    body = urllib.parse.urlencode({"csrf_token": token.group(1), "username": username, "password": password})
    status, headers, _ = request(base, "POST", "/auth/login", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    cookie = _cookie(headers) or cookie
    if status != 302:
        raise RuntimeError(f"sign-in failed with status {status} (is the demo account {username!r} there?)")
    return cookie


WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "errors": %d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def load(base: str, path: str, *, cookie: str | None = None, seconds: int = 10, connections: int = 4,
         threads: int = 2) -> dict:
    """Saturate ``path`` for ``seconds``; returns req/s, p50/p95/p99 (ms) and errors.

    Python threads with http.client by default (see ``_python_load`` for why); ``BENCH_CLIENT=wrk`` uses wrk.
    """
    headers = {"Accept-Language": "vi"} | ({"Cookie": cookie} if cookie else {})
    if os.environ.get("BENCH_CLIENT") == "wrk" and shutil.which("wrk"):
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        try:
            cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", script.name]
            for key, value in headers.items():
                cmd += ["-H", f"{key}: {value}"]
            out = subprocess.run(cmd + [f"http://{base}{path}"], capture_output=True, text=True, check=True).stdout
        finally:
            os.unlink(script.name)
        data = json.loads(out.split("WRKJSON ", 1)[1].splitlines()[0])
        return {"rps": data["requests"] / (data["duration_us"] / 1e6), "p50": data["p50_us"] / 1000,
                "p95": data["p95_us"] / 1000, "p99": data["p99_us"] / 1000, "errors": data["errors"],
                "requests": data["requests"], "tool": "wrk"}
    return _python_load(base, path, headers, seconds, connections)


def _python_load(base: str, path: str, headers: dict, seconds: int, connections: int) -> dict:
    """Threads that each send requests back to back on a new connection per request (gunicorn's sync workers
    close every connection), each from its own loopback source address: churning one address pair through
    thousands of connections makes new SYNs collide with the server's TIME_WAIT sockets and stall for the 1 s
    SYN retransmit, which measures the kernel, not the application."""
    host, port = base.split(":")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(n: int):
        mine, sources = [], [f"127.{n + 1}.{i // 250}.{i % 250 + 1}" for i in range(2500)]
        k = 0
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(sources[k % 2500], 0))
            k += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
            finally:
                conn.close()
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - started
    q = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / elapsed, "p50": q[49] * 1000, "p95": q[94] * 1000, "p99": q[98] * 1000,
            "errors": errors[0], "requests": len(latencies), "tool": "python threads"}


def fmt(m: dict) -> str:
    return f"p50 {m['p50']:.1f} ms, p95 {m['p95']:.1f} ms at {m['rps']:,.0f} req/s"

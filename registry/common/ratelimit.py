"""A lean per-client rate limit for the hottest public endpoints (the QR verification page and its JSON).

Flask-Limiter's decorator resolves, filters and evaluates its limits on every request and injects headers
afterwards, and its ``memory://`` storage starts a timer thread every 10 ms while it is being hit: together about
a quarter of what a verification scan costs. Here the limit string is parsed once and each request is one
fixed-window count:

- with ``memory://`` storage (counts per process, as Flask-Limiter's are), in a dictionary of this process;
- with a shared storage (``RATELIMIT_STORAGE_URI=redis://…``), one ``hit`` on Flask-Limiter's own strategy, so the
  counters are shared by every worker.

``RATELIMIT_ENABLED`` is honoured. An exceeded limit raises the usual 429, with ``Retry-After``, which the error
handlers render (HTML or JSON).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import wraps

from flask import current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from werkzeug.exceptions import TooManyRequests

from registry.extensions import limiter


class LocalWindows:
    """Fixed-window counters of this process: ``(limit, scope, client) → [window number, count, period]``.

    Windows are aligned on multiples of the limit's period; stale entries are swept once a minute, so memory is
    bounded by the clients seen in the last period.
    """

    SWEEP_SECONDS = 60

    def __init__(self) -> None:
        self._counts: dict[tuple, list[int]] = {}
        self._lock = threading.Lock()
        self._swept_at = time.monotonic()

    def hit(self, item: RateLimitItem, scope: str, client: str, now: float | None = None) -> float | None:
        """Count one request; None if allowed, else the seconds until the window ends."""
        now = time.time() if now is None else now
        period = item.get_expiry()
        window = int(now // period)
        key = (item.key_for(), scope, client)
        with self._lock:
            if time.monotonic() - self._swept_at > self.SWEEP_SECONDS:
                self._sweep(now)
            entry = self._counts.get(key)
            if entry is None or entry[0] != window:
                entry = self._counts[key] = [window, 0, period]
            if entry[1] >= item.amount:
                return (window + 1) * period - now
            entry[1] += 1
        return None

    def _sweep(self, now: float) -> None:
        self._swept_at = time.monotonic()
        for key, (window, _count, period) in list(self._counts.items()):
            if window != int(now // period):
                del self._counts[key]

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


def _items(value: str) -> list[RateLimitItem]:
    cache = current_app.extensions.setdefault("lean_rate_limits", {})
    items = cache.get(value)
    if items is None:
        items = cache[value] = parse_many(value)
    return items


def _local_windows() -> LocalWindows:
    windows = current_app.extensions.get("lean_rate_windows")
    if windows is None:
        windows = current_app.extensions["lean_rate_windows"] = LocalWindows()
    return windows


def check(limit: str, scope: str) -> None:
    """Count one request of this client against ``limit`` (e.g. ``"120 per minute"``) in ``scope``; 429 if over."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    client = request.remote_addr or "127.0.0.1"
    local = isinstance(limiter.storage, MemoryStorage)
    for item in _items(limit):
        if local:
            wait = _local_windows().hit(item, scope, client)
        else:
            strategy = limiter.limiter
            wait = None
            if not strategy.hit(item, scope, client):
                wait = strategy.get_window_stats(item, scope, client).reset_time - time.time()
        if wait is not None:
            raise TooManyRequests(retry_after=max(1, int(wait + 0.999)))


def lean_limit(limit: Callable[[], str], scope: str):
    """Decorate a view with ``check(limit(), scope)``."""

    def decorate(view):
        @wraps(view)
        def limited(*args, **kwargs):
            check(limit(), scope)
            return view(*args, **kwargs)

        return limited

    return decorate

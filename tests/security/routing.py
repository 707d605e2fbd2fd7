"""Every route of the app with a callable URL built from dummy values (for the matrix and CSRF tests)."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from flask import Flask
from werkzeug.routing import Rule

from registry.common.permissions import view_access

DUMMY_CANDIDATES = ("999999", "x", str(uuid.UUID(int=999999)), "2026-01-01", "999999.0",
                    *("x" * n for n in range(2, 65)))
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


@dataclass
class Route:
    """One rule with a URL built from dummy values and the method to call it with."""

    rule: Rule
    endpoint: str
    method: str
    url: str
    access: object

    def __str__(self) -> str:
        return f"{self.method} {self.rule.rule} ({self.endpoint}, access={self.access!r})"


def _dummy(converter) -> str:
    """A value the converter accepts (the first candidate its regex matches, or one of an ``any(...)``)."""
    items = getattr(converter, "items", None)
    if items:
        return sorted(items)[0]
    for candidate in DUMMY_CANDIDATES:
        if re.fullmatch(converter.regex, candidate):
            return candidate
    raise AssertionError(f"no dummy value matches converter {converter!r} ({converter.regex})")


def routes(app: Flask) -> list[Route]:
    """Every rule of the app (static files excluded), with a callable URL."""
    found = []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        methods = set(rule.methods or ()) - SKIPPED_METHODS
        method = "GET" if "GET" in methods else sorted(methods)[0]
        values = {name: _dummy(conv) for name, conv in rule._converters.items()}
        url = adapter.build(rule.endpoint, {k: rule._converters[k].to_python(v) for k, v in values.items()},
                            method=method)
        assert adapter.match(url, method=method)[0] == rule.endpoint, f"{url} does not route back to {rule}"
        with app.test_request_context(url, method=method):
            access = view_access(rule.endpoint)
        found.append(Route(rule, rule.endpoint, method, url, access))
    return found

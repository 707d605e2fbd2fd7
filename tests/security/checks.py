"""Assertions shared by the security tests."""
from __future__ import annotations


def _directives(csp: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in csp.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def assert_security_headers(response):
    headers = response.headers
    csp = _directives(headers["Content-Security-Policy"])
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts, "no script-src or default-src"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts and "*" not in scripts
    assert "'unsafe-inline'" not in csp.get("style-src", csp["default-src"])
    assert csp.get("frame-ancestors") == ["'none'"] or headers.get("X-Frame-Options") == "DENY"
    assert headers["X-Frame-Options"] in ("DENY", "SAMEORIGIN")
    assert csp.get("object-src") == ["'none'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")

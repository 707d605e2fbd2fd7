"""Security headers added to every response (HTML, JSON, PDF, errors)."""
from __future__ import annotations

from flask import current_app

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


DEFAULT_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def set_security_headers(response):
    """Add CSP, frame, sniffing, referrer and (in production) HSTS headers, each unless the view set its own.

    One pass over the response's headers instead of a look-up per header (this runs on every response, the public
    verification scans included).
    """
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    defaults = DEFAULT_HEADERS + ((HSTS,) if current_app.config.get("ENV_NAME") == "production" else ())
    headers.extend([(name, value) for name, value in defaults if name.lower() not in present])
    return response

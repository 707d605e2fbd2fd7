"""Plain-Python date, time and area formatting for the hot public pages.

The same output as ``registry.common.formatting`` (Babel), which costs tens of microseconds per value — on the
verification page that was a fifth of the request. Tests compare the two for every month and a range of areas.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class Formatter:
    """Formats for one language ("vi" or "en"), used in templates as ``fmt.date(d)``, ``fmt.datetime(dt)``,
    ``fmt.area(a)``."""

    def __init__(self, lang: str):
        self.vi = lang != "en"

    def date(self, value: date | datetime | None) -> str:
        """vi ``05/02/2025``; en ``5 Feb 2025``."""
        if value is None:
            return ""
        if self.vi:
            return f"{value.day:02d}/{value.month:02d}/{value.year}"
        return f"{value.day} {_EN_MONTHS[value.month - 1]} {value.year}"

    def datetime(self, value: datetime | None) -> str:
        """A UTC datetime in the city's time zone: vi ``05/02/2025 09:30``; en ``5 Feb 2025, 09:30``."""
        if value is None:
            return ""
        local = value.astimezone(_zone(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
        return f"{self.date(local)}{' ' if self.vi else ', '}{local:%H:%M}"

    def area(self, value) -> str:
        """Square metres with at most two decimals and grouped thousands: vi ``1.234,5 m²``; en ``1,234.5 m²`` (with
        a no-break space before the unit)."""
        if value is None or value == "":
            return ""
        try:
            number = Decimal(str(value)).quantize(Decimal("0.01"))
        except InvalidOperation:
            return f"{value}\u00a0m²"
        text = f"{number:,.2f}".rstrip("0").rstrip(".")
        if self.vi:
            text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return f"{text}\u00a0m²"  # no break between the number and its unit


def bound_gettext(translations):
    """``gettext``/``ngettext`` for templates, bound to one request's catalogue.

    Same behaviour as Jinja's "newstyle" callables that Flask-Babel installs (autoescaped, always %-formatted), minus
    the catalogue look-up that Flask-Babel repeats for every string of the page.
    """
    from jinja2 import pass_context
    from markupsafe import Markup

    @pass_context
    def gettext(__context, __string, **variables):
        rv = translations.ugettext(__string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 (catalogue text is trusted; Markup % escapes the variables)
        return rv % variables

    @pass_context
    def ngettext(__context, __singular, __plural, __num, **variables):
        variables.setdefault("num", __num)
        rv = translations.ungettext(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 (catalogue text is trusted; Markup % escapes the variables)
        return rv % variables

    return gettext, ngettext

"""Plain-Python date, time and area formatting for the hot public pages.

The same output as ``registry.common.formatting`` (Babel), which costs tens of microseconds per value — on the
verification page that was a fifth of the request. Tests compare the two for every month and a range of areas.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from flask import current_app
from markupsafe import Markup

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
        return f"{self.date(local)}{' ' if self.vi else ', '}{local.hour:02d}:{local.minute:02d}"

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
    """``gettext``/``ngettext`` for the (always autoescaped) public templates, bound to one request's catalogue.

    The same output as the "newstyle" callables Flask-Babel installs in Jinja (the translation is markup, its
    variables are escaped, ``%`` formatting always applied), but plain functions: Jinja calls them directly instead
    of through the ``_`` alias and a context-passing wrapper, and the catalogue is looked up once per request
    instead of once per string. A string without variables or ``%`` is wrapped once per catalogue and process.
    """
    plain = _PLAIN.get(translations)
    if plain is None:
        plain = _PLAIN[translations] = {}

    def gettext(__string, **variables):
        if not variables:
            text = plain.get(__string)
            if text is None:
                text = translations.ugettext(__string)
                text = plain[__string] = Markup(text) % {} if "%" in text else Markup(text)  # noqa: S704
            return text
        return Markup(translations.ugettext(__string)) % variables  # noqa: S704 (trusted catalogue; vars escaped)

    def ngettext(__singular, __plural, __num, **variables):
        variables.setdefault("num", __num)
        return Markup(translations.ungettext(__singular, __plural, __num)) % variables  # noqa: S704

    return gettext, ngettext


#: Catalogue → {message id: its translation as Markup}, for messages without variables (a few dozen per language:
#: the public pages' fixed text); entries go with their catalogue.
_PLAIN: WeakKeyDictionary = WeakKeyDictionary()

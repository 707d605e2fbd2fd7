"""Parsers of the inspection forms' dates, times and the location the browser reports.

Their messages are worded for the inspection forms; the fields that use them are in ``registry.common.fields``.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

_HHMM = re.compile(r"^(\d{1,2})[:hH.](\d{2})(?::(\d{2}))?$")
_COORD = re.compile(r"^[+-]?\d{1,3}(?:[.,]\d+)?$")


def parse_date(text: str) -> date:
    """A date as YYYY-MM-DD (what date pickers send) or DD/MM/YYYY (what people type)."""
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            value = datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
        if 1900 <= value.year <= 2200:
            return value
        break
    raise ValueError(_("Enter a real date, e.g. 31/12/2026."))


def parse_hhmm(text: str) -> time:
    """A time of day as HH:MM (24-hour clock); 24:00 means midnight."""
    match = _HHMM.match(text.strip())
    if not match:
        raise ValueError(_("Enter a time as HH:MM, e.g. 21:00."))
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour == 24 and minute == 0:
        return time(0, 0)
    if hour > 23 or minute > 59:
        raise ValueError(_("Enter a time as HH:MM, e.g. 21:00."))
    return time(hour, minute)


def parse_coordinate(text: str, limit: int) -> Decimal:
    """Latitude (``limit=90``) or longitude (``limit=180``) in decimal degrees, 6 decimals."""
    text = text.strip()
    if not _COORD.match(text):
        raise ValueError(_("The location could not be read."))
    try:
        value = Decimal(text.replace(",", ".")).quantize(Decimal("0.000001"))
    except InvalidOperation as exc:
        raise ValueError(_("The location could not be read.")) from exc
    if abs(value) > limit:
        raise ValueError(_("The location could not be read."))
    return value

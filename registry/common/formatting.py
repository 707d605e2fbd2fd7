"""Jinja filters: dates, times, money and areas in the user's locale and the city's time zone."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale


def fmt_date(value: date | datetime | None, fmt: str = "short") -> str:
    """A date in the user's locale (vi: 05/02/2025)."""
    if value is None:
        return ""
    if fmt == "short":
        return format_date(value, "dd/MM/yyyy") if str(get_locale()) == "vi" else format_date(value, "d MMM yyyy")
    return format_date(value, fmt)


def fmt_datetime(value: datetime | None, fmt: str = "short") -> str:
    """A UTC datetime shown in the city's time zone."""
    if value is None:
        return ""
    if fmt == "short":
        return format_datetime(value, "dd/MM/yyyy HH:mm") if str(get_locale()) == "vi" else format_datetime(
            value, "d MMM yyyy, HH:mm")
    return format_datetime(value, fmt)


def fmt_money(value: int | None) -> str:
    """Integer VND in the user's locale: ``12.000.000 ₫`` in vi."""
    if value is None:
        return ""
    return format_currency(value, "VND")


def fmt_area(value: Decimal | float | None) -> str:
    """An area in square metres: ``24,5 m²`` in vi."""
    if value is None:
        return ""
    return f"{format_decimal(value, format='#,##0.##')} m²"


def fmt_number(value: int | Decimal | None) -> str:
    """A number with the locale's grouping."""
    if value is None:
        return ""
    return format_decimal(value)


FILTERS = {
    "date": fmt_date,
    "datetime": fmt_datetime,
    "money": fmt_money,
    "area": fmt_area,
    "number": fmt_number,
}

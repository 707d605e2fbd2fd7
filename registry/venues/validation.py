"""Parsing and checks shared by the forms and the importer, so both accept and refuse exactly the same values.

Each ``parse_*`` function takes the text a person typed and returns the typed value, or raises ``ValueError`` with
a translated message that can be shown next to the field (or on the import line).
"""
from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

AREA_MAX = Decimal("10000")
CAPACITY_MAX = 100_000
_AREA = re.compile(r"^\d{1,5}(?:[.,](\d+))?$")
_COORD = re.compile(r"^[+-]?\d{1,3}(?:[.,]\d+)?$")
_INT = re.compile(r"^[+-]?\d{1,12}$")
_GROUPED = re.compile(r"^\d{1,3}(?:[., ]\d{3})+$")
_HHMM = re.compile(r"^(\d{1,2})[:hH.](\d{2})(?::(\d{2}))?$")
_PHONE = re.compile(r"^\+?[0-9 ().-]+$")
_REGISTRATION = re.compile(r"^[A-Z0-9][A-Z0-9./-]{2,39}$")
_ID_NUMBER = re.compile(r"^(?:\d{9}|\d{12})$")
_ROOM_CODE = re.compile(r"^[\w][\w .()/-]{0,29}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def parse_area(text: str) -> Decimal:
    """Square metres, more than 0 and less than 10,000, at most 2 decimals; "24,5" and "24.5" both work."""
    text = text.strip()
    match = _AREA.match(text)
    if not match:
        raise ValueError(_("Enter the area in square metres as a number, e.g. 24.5."))
    if match.group(1) and len(match.group(1).rstrip("0")) > 2:
        raise ValueError(_("Use at most 2 decimals for an area."))
    value = Decimal(text.replace(",", ".")).quantize(Decimal("0.01"))
    if value <= 0 or value >= AREA_MAX:
        raise ValueError(_("An area must be more than 0 and less than 10,000 m²."))
    return value


def parse_capacity(text: str) -> int:
    """A whole number of people from 0 to 100,000."""
    text = text.strip()
    if _GROUPED.match(text):  # "1.200" (vi) or "1,200" (en)
        text = re.sub(r"[., ]", "", text)
    if not _INT.match(text):
        raise ValueError(_("Enter a whole number of people, from 0 to 100,000."))
    value = int(text)
    if value < 0 or value > CAPACITY_MAX:
        raise ValueError(_("Enter a whole number of people, from 0 to 100,000."))
    return value


def parse_coordinate(text: str, limit: int) -> Decimal:
    """Latitude (``limit=90``) or longitude (``limit=180``) in decimal degrees, rounded to 6 decimals."""
    text = text.strip()
    if not _COORD.match(text):
        raise ValueError(_("Enter decimal degrees, e.g. 20.844912."))
    try:
        value = Decimal(text.replace(",", ".")).quantize(Decimal("0.000001"))
    except InvalidOperation as exc:
        raise ValueError(_("Enter decimal degrees, e.g. 20.844912.")) from exc
    if abs(value) > limit:
        raise ValueError(_("Must be between -%(limit)d and %(limit)d.", limit=limit))
    return value


def parse_hhmm(text: str) -> time:
    """A time of day as HH:MM (24-hour clock); 24:00 means midnight."""
    match = _HHMM.match(text.strip())
    if not match:
        raise ValueError(_("Enter a time as HH:MM, e.g. 08:00 or 23:30."))
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour == 24 and minute == 0:
        return time(0, 0)
    if hour > 23 or minute > 59:
        raise ValueError(_("Enter a time as HH:MM, e.g. 08:00 or 23:30."))
    return time(hour, minute)


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_VN_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date(text: str) -> date:
    """A date as YYYY-MM-DD (what date pickers send) or DD/MM/YYYY (what people type)."""
    text = text.strip()
    if match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _VN_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise ValueError(_("Enter a real date, e.g. 31/12/2024."))
    try:
        value = date(year, month, day)
    except ValueError as exc:
        raise ValueError(_("Enter a real date, e.g. 31/12/2024.")) from exc
    if value.year < 1900:
        raise ValueError(_("Enter a real date, e.g. 31/12/2024."))
    return value


def parse_phone(text: str) -> str:
    """A phone number: digits with optional +, spaces, dots, dashes or brackets; 8 to 15 digits."""
    text = " ".join(text.split())
    digits = sum(c.isdigit() for c in text)
    if not _PHONE.match(text) or not 8 <= digits <= 15:
        raise ValueError(_("Enter a phone number of 8 to 15 digits, e.g. 0225 3 123 456."))
    return text


def parse_registration_number(text: str) -> str:
    """Enterprise code or household business certificate number, upper-cased without spaces."""
    value = "".join(text.split()).upper()
    if not _REGISTRATION.match(value):
        raise ValueError(_("Use 3 to 40 letters, digits, dots, dashes or slashes, e.g. 0201234567."))
    return value


def parse_id_number(text: str) -> str:
    """A citizen identity card number: 12 digits (CCCD) or the older 9 digits (CMND)."""
    value = "".join(text.split())
    if not _ID_NUMBER.match(value):
        raise ValueError(_("An identity card number has 12 digits (or 9 for an old card)."))
    return value


def parse_room_code(text: str) -> str:
    """A room code such as VIP1 or "Phòng 2": up to 30 letters, digits, spaces, dots, dashes or slashes."""
    value = " ".join(text.split())
    if not _ROOM_CODE.match(value):
        raise ValueError(_("Use up to 30 letters, digits, spaces or - . / for a room code, e.g. VIP1."))
    return value


def parse_email(text: str) -> str:
    """An e-mail address (shape only; nothing is sent to check it)."""
    value = text.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError(_("Enter an e-mail address such as name@example.vn."))
    return value


_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def check_text(text: str | None, max_length: int) -> str | None:
    """Refuse control characters and over-long text; returns the trimmed text or None.

    Same rule as ``common.text.has_forbidden_chars`` (NUL, control characters but tab and newlines, lone
    surrogates), as one regular expression: the importer checks some two million cells.
    """
    if text is None:
        return None
    if _FORBIDDEN.search(text):
        raise ValueError(_("This field contains characters that are not allowed."))
    value = text.strip()
    if len(value) > max_length:
        raise ValueError(_("Use at most %(max)d characters.", max=max_length))
    return value or None


def check_hours(opens_at: time | None, closes_at: time | None) -> None:
    """Both or neither; a closing time earlier than the opening time means the next day (20:00–02:00)."""
    if (opens_at is None) != (closes_at is None):
        raise ValueError(_("Give both the opening and the closing time, or neither."))
    if opens_at is not None and opens_at == closes_at:
        raise ValueError(_("Opening and closing times are the same. For a venue open round the clock enter "
                           "00:00 to 23:59."))

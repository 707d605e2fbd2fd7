"""Form fields and parsers of the inspection forms; every message is ours (translated).

Kept in this feature on purpose: the same small helpers exist in ``registry.venues.fields`` and are candidates for
``registry.common.forms`` (see the report); until then this feature does not depend on another feature's forms.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField as _SelectField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, StopValidation

from registry.common.forms import NoControlChars, strip_filter
from registry.common.labels import label
from registry.common.text import has_forbidden_chars

CHOOSE_ONE = _l("Choose one of the options.")
_HHMM = re.compile(r"^(\d{1,2})[:hH.](\d{2})(?::(\d{2}))?$")
_COORD = re.compile(r"^[+-]?\d{1,3}(?:[.,]\d+)?$")


def required_input():
    """A parsed field (number, date, time) that must be given."""
    return InputRequired(message=_l("This field is required."))


def text_validators(n: int) -> list:
    """No control characters, at most ``n`` characters."""
    return [NoControlChars(), Length(max=n, message=_l("Use at most %(max)d characters.", max=n))]


class TextField(StringField):
    """A trimmed text input; blank becomes None."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("filters", [strip_filter, lambda v: v or None])
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data if self.data is not None else ""


class ParsedField(StringField):
    """A text input turned into a typed value by ``parse`` (raising ValueError with our message).

    What the user typed is shown back unchanged when it could not be read.
    """

    def __init__(self, label=None, validators=None, parse: Callable | None = None, fmt: Callable = str, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.parse, self.fmt = parse, fmt

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0]
        self.data = None
        if raw is None or not str(raw).strip():
            return
        if has_forbidden_chars(str(raw)) or len(str(raw)) > 200:
            raise ValueError(_l("This field contains characters that are not allowed."))
        self.data = self.parse(str(raw))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.fmt(self.data) if self.data is not None else ""


def optional_int(value) -> int | None:
    """Coerce a select value to int; "" means none; anything else that is not a number is refused."""
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    if not text.isdigit() or len(text) > 12:
        raise ValueError(str(CHOOSE_ONE))
    return int(text)


class SelectField(_SelectField):
    """A select whose wrong values get our message (named like WTForms' so the form macros style it)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_choice_message", CHOOSE_ONE)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(CHOOSE_ONE)) from exc


class RequiredChoice:
    """A select must have a non-empty value."""

    def __call__(self, form, field):
        if field.data in (None, ""):
            field.errors[:] = []
            raise StopValidation(_l("Choose one of the options."))


def enum_select_choices(enum_cls, members=None, *, blank: str | None = None) -> list[SelectChoice]:
    """Options for an enum, labelled in the user's language."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(m.value, label(m)) for m in (members or enum_cls)]


def enum_coerce(enum_cls):
    """Coerce a submitted value to an enum member ("" → None)."""

    def coerce(value):
        if value in (None, ""):
            return None
        if isinstance(value, enum_cls):
            return value
        try:
            return enum_cls(value)
        except ValueError as exc:
            raise ValueError(str(CHOOSE_ONE)) from exc

    return coerce


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

"""Form fields, validators and choice helpers shared by the feature forms: every message is ours (translated)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField as _SelectField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation

from registry.common.forms import NoControlChars, strip_filter
from registry.common.labels import label
from registry.common.text import has_forbidden_chars, is_ascii_number

E = TypeVar("E", bound=Enum)

CHOOSE_ONE = _l("Choose one of the options.")
PARSED_MAX_CHARS = 200  # longer than any number, date or code a parser reads: longer input never reaches a parser


def required() -> DataRequired:
    """A text field that must not be blank."""
    return DataRequired(message=_l("This field is required."))


def required_input() -> InputRequired:
    """A parsed field (number, date, time) that must be given."""
    return InputRequired(message=_l("This field is required."))


def max_length(n: int) -> Length:
    """At most ``n`` characters."""
    return Length(max=n, message=_l("Use at most %(max)d characters.", max=n))


def text_validators(n: int, *, is_required: bool = False) -> list:
    """Required-or-not, no control characters, at most ``n`` characters."""
    return ([required()] if is_required else []) + [NoControlChars(), max_length(n)]


class TextField(StringField):
    """A trimmed text input; blank becomes None."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        kwargs.setdefault("filters", [strip_filter, lambda v: v or None])
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data if self.data is not None else ""


class ParsedField(StringField):
    """A text input turned into a typed value by ``parse`` (a function raising ValueError with our message).

    What the user typed is shown back unchanged when it could not be read. Input longer than ``max_chars`` is
    refused before ``parse`` sees it.
    """

    def __init__(self, label=None, validators=None, parse: Callable[[str], Any] | None = None,
                 fmt: Callable[[Any], str] = str, *, max_chars: int = PARSED_MAX_CHARS, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.parse, self.fmt, self.max_chars = parse, fmt, max_chars

    def process_formdata(self, valuelist: list) -> None:
        if not valuelist:
            return
        raw = valuelist[0]
        self.data = None
        if raw is None or not str(raw).strip():
            return
        text = str(raw)
        if len(text) > self.max_chars:
            raise ValueError(_("Use at most %(max)d characters.", max=self.max_chars))
        if has_forbidden_chars(text):
            raise ValueError(_l("This field contains characters that are not allowed."))
        self.data = self.parse(text)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.fmt(self.data) if self.data is not None else ""


def plain_decimal(value: Decimal) -> str:
    """A Decimal for an input box without trailing zeros: 20.00 → "20", 24.50 → "24.5"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class SelectField(_SelectField):
    """A select whose wrong values get our message (named like WTForms' so the form macros style it)."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        kwargs.setdefault("invalid_value_message", CHOOSE_ONE)
        kwargs.setdefault("invalid_choice_message", CHOOSE_ONE)
        super().__init__(label, validators, **kwargs)


class RequiredChoice:
    """A select must have a non-empty value."""

    field_flags = {"required": True}  # the label gets its "required" mark, like every other required field

    def __call__(self, form, field) -> None:
        if field.data in (None, ""):
            field.errors[:] = []
            raise StopValidation(CHOOSE_ONE)


def optional_int(value: object) -> int | None:
    """Coerce a select value to int; "" means none; anything else that is not a number is refused."""
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    if not is_ascii_number(text) or len(text) > 12:
        raise ValueError(str(CHOOSE_ONE))
    return int(text)


def enum_coerce(enum_cls: type[E]) -> Callable[[object], E | None]:
    """Coerce a submitted value to an enum member ("" → None)."""

    def coerce(value: object) -> E | None:
        if value in (None, ""):
            return None
        if isinstance(value, enum_cls):
            return value
        try:
            return enum_cls(value)
        except ValueError as exc:
            raise ValueError(str(CHOOSE_ONE)) from exc

    return coerce


def options(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """Select options from ``(value, label)`` pairs."""
    return [SelectChoice(value, text) for value, text in pairs]


def enum_select_choices(enum_cls: type[Enum], members: Iterable[Enum] | None = None, *,
                        blank: str | None = None) -> list[SelectChoice]:
    """Options for an enum, labelled in the user's language."""
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(m.value, label(m)) for m in (members or enum_cls)]

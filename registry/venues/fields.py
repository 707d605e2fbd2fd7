"""Form fields and validators whose every message is ours (translated), never WTForms' English defaults."""
from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from wtforms import SelectField as _SelectField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation

from registry.common.forms import NoControlChars, strip_filter
from registry.common.forms import VersionField as _VersionField
from registry.common.labels import label
from registry.common.text import has_forbidden_chars

CHOOSE_ONE = _l("Choose one of the options.")


def required():
    """A text field that must not be blank."""
    return DataRequired(message=_l("This field is required."))


def required_input():
    """A parsed field (number, date, time) that must be given."""
    return InputRequired(message=_l("This field is required."))


def max_length(n: int):
    """At most ``n`` characters."""
    return Length(max=n, message=_l("Use at most %(max)d characters."))


def text_validators(n: int, *, is_required: bool = False) -> list:
    """Required-or-not, no control characters, at most ``n`` characters."""
    return ([required()] if is_required else []) + [NoControlChars(), max_length(n)]


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
    """A text input turned into a typed value by ``parse`` (a function raising ValueError with our message).

    What the user typed is shown back unchanged when it could not be read.
    """

    def __init__(self, label=None, validators=None, parse: Callable | None = None, fmt: Callable = str,
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.parse, self.fmt = parse, fmt

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0]
        self.data = None
        if raw is None or not str(raw).strip():
            return
        if has_forbidden_chars(str(raw)):
            raise ValueError(_l("This field contains characters that are not allowed."))
        self.data = self.parse(str(raw))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.fmt(self.data) if self.data is not None else ""


def plain_decimal(value) -> str:
    """A Decimal for an input box without trailing zeros: 20.00 → "20", 24.50 → "24.5"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class VersionField(_VersionField):
    """The shared version field, except that a submission without it carries no version (and is refused),
    instead of silently taking the version of the record the form was built from."""

    def process_formdata(self, valuelist):
        if not valuelist:
            self.data = None
            return
        super().process_formdata(valuelist)


def optional_int(value) -> int | None:
    """Coerce a select value to int; "" means none."""
    if value in (None, ""):
        return None
    return int(value)


class SelectField(_SelectField):
    """A select whose wrong values get our message (named like WTForms' so the form macros style it)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_value_message", CHOOSE_ONE)
        kwargs.setdefault("invalid_choice_message", CHOOSE_ONE)
        super().__init__(label, validators, **kwargs)


class RequiredChoice:
    """A select must have a non-empty value."""

    field_flags = {"required": True}

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
        return enum_cls(value)

    return coerce

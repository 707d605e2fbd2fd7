"""Validators and fields shared by every feature's forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import ValidationError

from registry.common.text import has_forbidden_chars


class NoControlChars:
    """Refuse NUL, other control characters and lone surrogates (PostgreSQL rejects NUL in text)."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        if isinstance(field.data, str) and has_forbidden_chars(field.data):
            raise ValidationError(self.message or _l("This field contains characters that are not allowed."))


class VersionField(HiddenField):
    """Hidden field carrying the record version the form was loaded with (optimistic locking)."""

    def process_formdata(self, valuelist):
        if not valuelist:  # no version submitted: check_version must refuse it
            self.data = None
            return
        super().process_formdata(valuelist)
        try:
            self.data = int(self.data) if self.data not in (None, "") else None
        except ValueError:
            self.data = None


def strip_filter(value):
    """Trim surrounding whitespace from text input."""
    return value.strip() if isinstance(value, str) else value

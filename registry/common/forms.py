"""Validators and fields shared by every feature's forms, and the base of every form.

``Form`` puts WTForms' own messages in the user's language. WTForms writes some messages itself ("Not a valid
choice." when a select gets a value it does not offer, "Not a valid integer value.", the default of
``DataRequired``…) and ships no Vietnamese catalogue, so a Vietnamese page showed them in English. Its messages are
listed at the end of this module so that extraction puts them in the registry's own catalogue (translated there),
and ``RegistryForm`` makes WTForms look them up through Flask-Babel.
"""
from __future__ import annotations

import wtforms
from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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


class BabelTranslations:
    """WTForms' translations interface over the request's Flask-Babel catalogue. WTForms formats the result itself
    (``%(min)d``…), so nothing is formatted here."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


TRANSLATIONS = BabelTranslations()


class _TranslatedMeta:
    def get_translations(self, form):
        return TRANSLATIONS


class RegistryForm(FlaskForm):
    """Base class of the registry's forms (a test checks that every form derives from it)."""

    class Meta(_TranslatedMeta):
        pass


class RegistrySubform(wtforms.Form):
    """Base class of the rows and groups nested in a form (``FieldList(FormField(...))``): no CSRF token of their
    own, WTForms' messages translated like the form's."""

    class Meta(_TranslatedMeta):
        pass


# WTForms 3.2's messages (wtforms/locale/wtforms.pot), for extraction only.
WTFORMS_MESSAGES = (
    _l("Invalid field name '%s'."),
    _l("Field must be equal to %(other_name)s."),
    lazy_ngettext("Field must be at least %(min)d character long.",
                  "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 1),
    lazy_ngettext("Field must be exactly %(max)d character long.",
                  "Field must be exactly %(max)d characters long.", 1),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid IP address."),
    _l("Invalid Mac address."),
    _l("Invalid URL."),
    _l("Invalid UUID."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
    _l("Invalid CSRF Token."),
    _l("CSRF token missing."),
    _l("CSRF failed."),
    _l("CSRF token expired."),
    _l("Invalid Choice: could not coerce."),
    _l("Choices cannot be None."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid week value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)

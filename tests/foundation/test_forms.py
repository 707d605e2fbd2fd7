"""Every form derives from the registry's base form, so WTForms' own messages come in the user's language."""
from __future__ import annotations

import wtforms
from flask_babel import force_locale
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length

from registry.common.fields import ParsedField
from registry.common.forms import RegistryForm, RegistrySubform


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_of_the_registry_derives_from_the_base_form(app):
    forms = {c for c in _subclasses(FlaskForm) if c.__module__.startswith("registry.")}
    subforms = {c for c in _subclasses(wtforms.Form) if c.__module__.startswith("registry.")} - forms
    assert len(forms) > 40 and len(subforms) >= 5  # every feature's forms were imported by the factory
    assert {f.__qualname__ for f in forms if not issubclass(f, RegistryForm)} == set()
    assert {f.__qualname__ for f in subforms if not issubclass(f, (RegistryForm, RegistrySubform))} == set()


class _Sample(RegistryForm):
    name = StringField(validators=[DataRequired(), Length(max=3)])
    count = IntegerField()


def test_wtforms_own_messages_are_translated(app):
    for lang, required, too_long, integer in (
            ("vi", "Trường này là bắt buộc.", "Không được dài quá 3 ký tự.", "Số nguyên không hợp lệ."),
            ("en", "This field is required.", "Field cannot be longer than 3 characters.",
             "Not a valid integer value.")):
        with app.test_request_context("/", method="POST", data={"name": "", "count": "x"}), force_locale(lang):
            form = _Sample(meta={"csrf": False})
            assert not form.validate()
            assert form.name.errors == [required] and form.count.errors == [integer]
        with app.test_request_context("/", method="POST", data={"name": "abcd"}), force_locale(lang):
            form = _Sample(meta={"csrf": False})
            form.validate()
            assert form.name.errors == [too_long]


class _Parsed(RegistryForm):
    amount = ParsedField(parse=int)


def test_an_over_long_entry_is_told_its_length_not_that_its_characters_are_wrong(app):
    with app.test_request_context("/", method="POST", data={"amount": "1" * 201}), force_locale("en"):
        form = _Parsed(meta={"csrf": False})
        assert not form.validate()
        assert form.amount.errors == ["Use at most 200 characters."]
    with app.test_request_context("/", method="POST", data={"amount": "12\x00"}), force_locale("vi"):
        form = _Parsed(meta={"csrf": False})
        assert not form.validate()
        assert form.amount.errors == ["Trường này chứa ký tự không được phép."]

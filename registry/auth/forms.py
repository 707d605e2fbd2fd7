"""Sign-in, password and user-administration forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp, ValidationError

from registry.auth.passwords import MAX_LENGTH, policy_problems
from registry.common.forms import NoControlChars, RegistryForm, VersionField, strip_filter
from registry.common.permissions import Role
from registry.common.text import clean


def role_choices():
    """Role options in the user's language."""
    labels = {Role.ADMIN: _l("Administrator"), Role.MANAGER: _l("Manager"), Role.CLERK: _l("Clerk"),
              Role.INSPECTOR: _l("Inspector")}
    return [(r.value, labels[r]) for r in Role]


def _none_if_empty(value):
    value = strip_filter(value)
    return value or None


class LoginForm(RegistryForm):
    """Sign in with username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80), NoControlChars()],
                           render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class ConfirmPasswordForm(RegistryForm):
    """A signed-in user types their password again before a sensitive action."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class _NewPasswordMixin:
    """Checks ``new_password`` against the policy; the form sets ``_username`` before validating."""

    _username: str | None = None

    def validate_new_password(self, field):
        problems = policy_problems(field.data or "", username=self._username)
        if problems:
            raise ValidationError(" ".join(problems))


def _new_password(label):
    return PasswordField(label, validators=[DataRequired(), Length(max=MAX_LENGTH)],
                         render_kw={"autocomplete": "new-password"},
                         description=_l("At least 12 characters. A phrase of several words is easy to remember "
                                        "and hard to guess."))


def _confirm_password():
    return PasswordField(_l("Repeat the password"), render_kw={"autocomplete": "new-password"},
                         validators=[DataRequired(), EqualTo("new_password", _l("The two passwords differ."))])


class ChangePasswordForm(_NewPasswordMixin, RegistryForm):
    """A user changes their own password."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = _new_password(_l("New password"))
    confirm = _confirm_password()


class UserForm(RegistryForm):
    """An administrator edits an account's name, contact details and role."""

    full_name = StringField(_l("Full name"), filters=[clean],
                            validators=[DataRequired(), Length(max=200), NoControlChars()],
                            description=_l("As it should appear on documents, e.g. Nguyễn Thị Lan."))
    email = EmailField(_l("E-mail"), filters=[_none_if_empty],
                       validators=[Optional(), Length(max=254), NoControlChars(),
                                   Email(message=_l("Enter an e-mail address such as lan.nt@example.gov.vn."))])
    phone = StringField(_l("Phone"), filters=[_none_if_empty],
                        validators=[Optional(), Length(max=30),
                                    Regexp(r"^[0-9 +().-]*$",
                                           message=_l("Use digits, spaces and + ( ) . - only."))])
    role = SelectField(_l("Role"), choices=role_choices, validate_choice=True)
    version_id = VersionField()


class NewUserForm(_NewPasswordMixin, UserForm):
    """Creating an account: a username and the first password as well."""

    username = StringField(_l("Username"), filters=[strip_filter], validators=[
        DataRequired(), Length(min=3, max=80),
        Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters without accents, digits, dot, dash or underscore."))],
        description=_l("Used to sign in, e.g. lan.nt. It cannot be changed later."),
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    new_password = _new_password(_l("Password"))
    confirm = _confirm_password()

    def validate(self, extra_validators=None):
        self._username = self.username.data
        return super().validate(extra_validators)


class ResetPasswordForm(_NewPasswordMixin, RegistryForm):
    """An administrator sets a new password for someone."""

    new_password = _new_password(_l("New password"))
    confirm = _confirm_password()

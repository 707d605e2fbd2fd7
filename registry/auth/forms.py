"""Sign-in, password and user-administration forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from registry.auth.passwords import policy_problems
from registry.common.forms import NoControlChars
from registry.common.permissions import Role


def role_choices():
    """Role options in the user's language."""
    labels = {Role.ADMIN: _l("Administrator"), Role.MANAGER: _l("Manager"), Role.CLERK: _l("Clerk"),
              Role.INSPECTOR: _l("Inspector")}
    return [(r.value, labels[r]) for r in Role]


class LoginForm(FlaskForm):
    """Sign in with username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80), NoControlChars()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class _NewPasswordMixin:
    def validate_new_password(self, field):
        username = getattr(self, "_username", None)
        problems = policy_problems(field.data or "", username=username)
        if problems:
            raise ValidationError(" ".join(problems))


class ChangePasswordForm(_NewPasswordMixin, FlaskForm):
    """A user changes their own password."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new_password", _l("The passwords differ."))])


class UserForm(FlaskForm):
    """An administrator creates or edits an account."""

    username = StringField(_l("Username"), validators=[
        DataRequired(), Length(min=3, max=80),
        Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, dot, dash or underscore only."))])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200), NoControlChars()])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30),
                                                 Regexp(r"^[0-9 +().-]*$", message=_l("Digits only."))])
    role = SelectField(_l("Role"), choices=role_choices, validate_choice=True)
    version_id = HiddenField()


class NewUserForm(_NewPasswordMixin, UserForm):
    """Creating an account also sets its first password."""

    new_password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=256)])

    def validate(self, extra_validators=None):
        self._username = self.username.data
        return super().validate(extra_validators)


class ResetPasswordForm(_NewPasswordMixin, FlaskForm):
    """An administrator sets a new password for someone."""

    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])

"""E-mail to a person whose credentials changed, so that a change they did not make does not go unnoticed.

Sent for a password changed by its owner or reset by an administrator (web or ``flask users reset-password``), and
for a new e-mail address (to the old address and the new one), in the person's language. It goes out after the
change is committed: a mail server that is down never blocks or undoes the change. Each attempt, delivered or not,
is in the audit log (``user.credential_notice``).
"""
from __future__ import annotations

import enum

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from registry.auth.models import User
from registry.common import audit
from registry.common.mailer import DELIVERY_ERRORS, Mailer, build_message
from registry.db import utcnow
from registry.extensions import db

#: seconds to wait for the mail server: the person is waiting for the page
NOTICE_TIMEOUT = 10


class CredentialChange(enum.StrEnum):
    """What changed (the values name events, they are not secrets)."""

    PASSWORD_CHANGED = "password_changed"  # noqa: S105
    PASSWORD_RESET = "password_reset"  # noqa: S105
    EMAIL_CHANGED = "email_changed"


def notify(user: User, change: CredentialChange, *, old_email: str | None = None) -> bool | None:
    """Tell ``user`` by e-mail that ``change`` happened (commits the audit record of the attempt).

    :returns: True if the server accepted every message, False if not, None if there was nobody to write to.
    """
    recipients = [a for a in dict.fromkeys([user.email, old_email if change is CredentialChange.EMAIL_CHANGED
                                            else None]) if a]
    if not recipients:
        return None
    lang = user.language if user.language in current_app.config["LANGUAGES"] else \
        current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        subject, text = _compose(user, change, old_email)
    config = {**current_app.config, "MAIL_TIMEOUT": min(float(current_app.config.get("MAIL_TIMEOUT", 30)),
                                                         NOTICE_TIMEOUT)}
    delivered = True
    try:
        with Mailer(config) as mailer:
            for address in recipients:
                mailer.send(build_message(to=address, subject=subject, text=text, lang=lang))
    except DELIVERY_ERRORS as exc:
        delivered = False
        current_app.logger.warning("credential notice to user %s not delivered: %s", user.id, exc)
    audit.record("user.credential_notice", user, {"change": str(change), "delivered": delivered,
                                                  "recipients": len(recipients)})
    db.session.commit()
    return delivered


def _compose(user: User, change: CredentialChange, old_email: str | None) -> tuple[str, str]:
    from registry.common.formatting import fmt_datetime

    when = fmt_datetime(utcnow())
    if change is CredentialChange.PASSWORD_CHANGED:
        subject = _("Your password was changed")
        what = _("The password of your account %(username)s was changed on %(when)s.", username=user.username,
                 when=when)
    elif change is CredentialChange.PASSWORD_RESET:
        subject = _("Your password was reset by an administrator")
        what = _("An administrator set a new password for your account %(username)s on %(when)s. You have been "
                 "signed out everywhere.", username=user.username, when=when)
    else:
        subject = _("The e-mail address of your account was changed")
        what = _("The e-mail address of your account %(username)s was changed from %(old)s to %(new)s on "
                 "%(when)s.", username=user.username, old=old_email or "—", new=user.email or "—", when=when)
    text = "\n\n".join([
        _("Hello %(name)s,", name=user.full_name),
        what,
        _("If you did not make or ask for this change, tell your administrator at once: someone else may be using "
          "your account."),
        _("— Venue registry, Department of Culture and Sports"),
    ]) + "\n"
    return subject, text

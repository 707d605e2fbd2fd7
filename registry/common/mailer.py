"""Sending e-mail through SMTP with the standard library (``smtplib`` + ``EmailMessage``).

Configuration (``MAIL_*``): ``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_USE_TLS`` (STARTTLS), ``MAIL_USE_SSL`` (implicit
TLS), ``MAIL_USERNAME``/``MAIL_PASSWORD``, ``MAIL_DEFAULT_SENDER``, ``MAIL_TIMEOUT`` (seconds, default 30). In
development run a local catch-all server (``python -m aiosmtpd -n -l 127.0.0.1:8025``); the tests start one.

One :class:`Mailer` keeps one SMTP connection for a whole run and reconnects once if the server dropped it.
"""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

#: Errors that mean "this message was not delivered" (the run records them and goes on with the next digest).
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)


def build_message(*, to: str, subject: str, text: str, html: str | None = None, lang: str = "vi",
                  message_id: str | None = None, sender: str | None = None) -> EmailMessage:
    """A UTF-8 message (text, plus an HTML alternative when given) with a stable Message-ID."""
    msg = EmailMessage()
    msg["From"] = sender or current_app.config.get("MAIL_DEFAULT_SENDER", "registry@localhost")
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id or make_msgid(domain="registry.local")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text, charset="utf-8")
    if html:
        msg.add_alternative(html, subtype="html", charset="utf-8")
    msg["Content-Language"] = lang  # after set_content, which drops Content-* headers
    return msg


class Mailer:
    """A context manager around one SMTP session: ``with Mailer() as m: m.send(msg)``."""

    def __init__(self, config=None):
        config = config or current_app.config
        self.host = config.get("MAIL_SERVER", "127.0.0.1")
        self.port = int(config.get("MAIL_PORT", 25))
        self.use_tls = bool(config.get("MAIL_USE_TLS"))
        self.use_ssl = bool(config.get("MAIL_USE_SSL"))
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.timeout = float(config.get("MAIL_TIMEOUT", 30))
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
        if self.username:
            smtp.login(self.username, self.password or "")
        return smtp

    def send(self, message: EmailMessage) -> str:
        """Hand ``message`` to the SMTP server; returns its Message-ID once the server accepted it.

        :raises smtplib.SMTPException, OSError: the server refused the message or could not be reached.
        """
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPServerDisconnected:
            self._smtp = self._connect()  # the server closed an idle session: one fresh attempt
            self._smtp.send_message(message)
        return str(message["Message-ID"])

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except DELIVERY_ERRORS:
                pass
            self._smtp = None

"""Optimistic locking for forms: the version a form was loaded with must still be current when it is saved."""
from __future__ import annotations

from flask_babel import gettext as _


class ConcurrentEditError(Exception):
    """The record changed after the form was opened; nothing was written."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("Someone else changed this record after you opened it. Your changes were "
                                      "not saved. The current version is shown below with your input kept; "
                                      "check it and save again."))


def check_version(obj, submitted: int | None) -> None:
    """Refuse the write if ``submitted`` is not ``obj.version_id``.

    :raises ConcurrentEditError: when the versions differ or the form carried none.
    """
    if submitted is None or int(submitted) != obj.version_id:
        raise ConcurrentEditError()

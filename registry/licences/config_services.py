"""Changes to the licensing configuration (types, fees, calendar, authorities, signers, protected sites).

Each change is audited as ``config.update`` with its field-level diff. Issued licences never change: they carry a
snapshot, and each application keeps the fee lines it was charged. Editing the holiday calendar moves the legal
deadlines of applications whose clock is running, and says how many moved.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from registry.common import audit
from registry.extensions import db
from registry.licences.errors import LicensingError
from registry.licences.models import OPEN_STATUSES, Application
from registry.licences.workdays import forget_calendar


def save(obj, values: dict, *, what: str, key: str) -> dict:
    """Apply ``values`` to a configuration row (new or existing) and audit the change.

    :param what: the kind of row (``licence_type``, ``fee_rule`` …) as recorded in the audit event.
    :param key: the row's human key (its code, its day) for the audit event.
    :returns: the field-level changes (empty when nothing changed).
    """
    fields = tuple(values)
    is_new = obj.id is None if hasattr(obj, "id") else True
    before = {} if is_new else audit.snapshot(obj, fields)
    for field, value in values.items():
        setattr(obj, field, value)
    if is_new:
        db.session.add(obj)
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(obj, fields))
    if changes:
        audit.record("config.update", obj, {"what": what, "key": key, "new": is_new, **changes})
    return changes


def delete(obj, *, what: str, key: str) -> None:
    """Remove a configuration row and audit it."""
    audit.record("config.update", obj, {"what": what, "key": key, "deleted": True})
    db.session.delete(obj)
    db.session.flush()


def code_taken(model, code: str, except_id: int | None = None) -> bool:
    row = db.session.execute(select(model.id).where(model.code == code)).first()
    return row is not None and row[0] != except_id


def check_code_free(model, code: str, except_id: int | None = None) -> None:
    """:raises LicensingError: if another row already uses ``code``."""
    if code_taken(model, code, except_id):
        raise LicensingError(_("This code is already used."), field="code")


def recompute_due_dates() -> int:
    """Recount the legal deadline of every open application whose clock runs, after the calendar changed.

    :returns: how many due dates moved.
    """
    from registry.licences.services import processing_days
    from registry.licences.workdays import calendar

    forget_calendar()
    cal, moved = calendar(), 0
    rows = db.session.execute(select(Application).where(Application.status.in_(OPEN_STATUSES),
                                                        Application.clock_started_on.is_not(None))).scalars()
    for application in rows:
        due = cal.add(application.clock_started_on, processing_days(application))
        if due != application.due_on:
            application.due_on = due
            moved += 1
    db.session.flush()
    if moved:
        audit.record("config.update", changes={"what": "due_dates", "moved": moved})
    return moved

"""Showing a concurrent edit: the user's input stays on the form, with the saved values that differ (HTTP 409)."""
from __future__ import annotations

from flask import render_template

from registry.common.labels import label
from registry.extensions import db


def _shown(obj, name: str) -> str:
    value = getattr(obj, name, None)
    if name == "ward_id" and value is not None:
        return obj.ward.name
    if hasattr(value, "value"):
        return label(value)
    if hasattr(value, "hour") and not hasattr(value, "day"):
        return value.strftime("%H:%M")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else str(value)


def differences(form, obj, names) -> list[tuple[str, str]]:
    """Fields whose saved value differs from what the user submitted: ``(label, saved value)``."""
    return [(str(form[name].label.text), _shown(obj, name)) for name in names
            if form[name].data != getattr(obj, name, None)]


def render_conflict(template: str, form, obj, exc: Exception, **context):
    """Re-render ``form`` with the user's input, the saved values that differ, and status 409.

    The form's version becomes the current one, so saving again (after checking) goes through.
    """
    db.session.refresh(obj)
    names = [f.name for f in form if f.name not in ("csrf_token", "version_id") and hasattr(obj, f.name)]
    conflict = differences(form, obj, names)
    form.form_errors.append(str(exc))
    form.version_id.data = obj.version_id
    return render_template(template, form=form, conflict=conflict, **context), 409

"""Small helpers shared by the licensing views (no view imports another view module)."""
from __future__ import annotations

from flask import flash

from registry.licences.errors import LicensingError


def attach_error(form, exc: LicensingError) -> None:
    """Show a service's refusal next to its field, or as a message when it names none on this form."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(exc)] if isinstance(field.errors, list) else [str(exc)]
    else:
        flash(str(exc), "danger")


def lang() -> str:
    """The language of the current request."""
    from registry.i18n import current_language

    return current_language()

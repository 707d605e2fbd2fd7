"""What the inspection pages share: the blueprint, ``render``, the load-or-abort helpers and form helpers."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user

from registry.common.permissions import deny
from registry.common.text import parse_id
from registry.extensions import db
from registry.inspections import queries, services
from registry.inspections.forms import VenueSearchForm
from registry.inspections.models import Inspection
from registry.inspections.services import InspectionError

bp = Blueprint("inspections", __name__, url_prefix="/inspections")


def render(template: str, **context) -> str:
    """``render_template`` with this feature's helpers: ``vnd(amount)`` and ``venue_kind(kind)``.

    Passed explicitly (not by a blueprint context processor) because the inspector's home page is rendered by
    ``main.home`` calling ``today`` directly.
    """
    return render_template(template, vnd=services.fmt_money, venue_kind=services.venue_kind_label, **context)


def inspection_or_404(inspection_id: int) -> Inspection:
    """The visit with what its pages show, or 404.

    :raises werkzeug.exceptions.NotFound: if there is no such visit.
    """
    inspection = queries.load_inspection(inspection_id)
    if inspection is None:
        abort(404)
    return inspection


def viewable(inspection_id: int) -> Inspection:
    """The visit if the user may read it; 404 or 403 otherwise."""
    inspection = inspection_or_404(inspection_id)
    if not services.can_view(current_user, inspection):
        deny("inspection.view")
    return inspection


def conductable(inspection_id: int) -> Inspection:
    """The visit if the user may work on it (lead, team member or planner); 404 or 403 otherwise."""
    inspection = inspection_or_404(inspection_id)
    if not services.can_conduct(current_user, inspection):
        deny("inspection.conduct")
    return inspection


def attach(form, exc: InspectionError) -> None:
    """Show a service refusal next to its field (or at the top of the form)."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(exc)]
    else:
        form.form_errors.append(str(exc))


def suspend_url(licence) -> str | None:
    """Where the licence's suspension form is, if the licences pages are installed."""
    if licence is None:
        return None
    if "licences.detail" in current_app.view_functions:
        return url_for("licences.detail", licence_id=licence.id, _anchor="suspend")
    return None


def venue_for_form(raw) -> object | None:
    """The venue a planning or complaint form is for (``venue_id`` as posted or in the query), or None."""
    from registry.venues.models import Venue

    venue_id = parse_id(raw)
    return db.session.get(Venue, venue_id) if venue_id is not None else None


def render_venue_search(template: str) -> str:
    """The "find the venue first" step of a form that starts from a venue."""
    search = VenueSearchForm(request.args)
    results = queries.search_venues(search.q.data or "") if search.q.data and search.validate() else []
    return render(template, venue=None, search=search, results=results)


def item_values(inspection: Inspection, posted: dict | None = None) -> dict[int, dict]:
    """Each checklist item's answer and note as shown in the form: saved values, overlaid with ``posted``."""
    values = {item.id: {"result": item.result.value if item.result else "", "note": item.note or ""}
              for item in inspection.items}
    for item_id, answer in (posted or {}).items():
        if item_id in values:
            for key, value in answer.items():
                values[item_id][key] = getattr(value, "value", value) or ""
    return values

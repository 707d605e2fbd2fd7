"""One visit's page, and starting the visit from it."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from registry.common.permissions import Permission, require
from registry.db import today_local
from registry.extensions import db
from registry.i18n import current_language
from registry.inspections import queries, services, violations
from registry.inspections.forms import ReissueForm, StartForm, SuspendForm
from registry.inspections.models import Inspection, InspectionStatus
from registry.inspections.services import InspectionError
from registry.inspections.views.shared import bp, conductable, render, suspend_url, viewable


@bp.get("/<int:inspection_id>")
@require(Permission.INSPECTION_VIEW)
def detail(inspection_id: int):
    """One visit: what was planned, found and decided, the minutes, and original vs follow-up."""
    inspection = viewable(inspection_id)
    return _render_detail(inspection)


def _render_detail(inspection: Inspection, status: int = 200, **forms):
    conduct = services.can_conduct(current_user, inspection)
    prompt = violations.suspension_prompt(inspection)
    licence = inspection.licence
    return render(
        "inspections/detail.html", inspection=inspection, can_conduct=conduct, can_plan=services.can_plan(
            current_user), comparison=queries.comparison(inspection), prompt=prompt,
        duty_count=violations.duty_violation_count(inspection.licence_id) if licence is not None else 0,
        suspend_url=suspend_url(licence), start_form=forms.get("start_form") or StartForm(),
        reissue_form=ReissueForm(), amended_after_minutes=inspection.amended_after_minutes,
        open_findings=services.open_findings(inspection) if inspection.status == InspectionStatus.COMPLETED else [],
        lang=current_language(), today=today_local(), legal_reference=violations.legal_reference,
        suspend_form=SuspendForm()), status


@bp.post("/<int:inspection_id>/start")
@require(Permission.INSPECTION_CONDUCT)
def start(inspection_id: int):
    """Start the visit (time, and location if the inspector agreed) and open the checklist."""
    inspection = conductable(inspection_id)
    form = StartForm()
    if not form.validate_on_submit():
        return _render_detail(inspection, 400, start_form=form)
    located = form.record_location.data and form.latitude.data is not None and form.longitude.data is not None
    try:
        services.start_visit(inspection, latitude=float(form.latitude.data) if located else None,
                             longitude=float(form.longitude.data) if located else None,
                             accuracy=form.accuracy.data if located else None)
    except InspectionError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    db.session.commit()
    return redirect(url_for("inspections.visit", inspection_id=inspection.id))

"""After a visit: schedule its follow-up; amend it once completed."""
from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.common.concurrency import ConcurrentEditError
from registry.common.permissions import Permission, deny, require
from registry.db import today_local
from registry.extensions import db
from registry.i18n import current_language
from registry.inspections import queries, services
from registry.inspections.forms import AmendForm, FollowUpForm, parse_item_values
from registry.inspections.models import InspectionStatus
from registry.inspections.services import InspectionError
from registry.inspections.views.shared import (
    attach,
    bp,
    conductable,
    inspection_or_404,
    item_values,
    render,
    viewable,
)


@bp.route("/<int:inspection_id>/follow-up", methods=["GET", "POST"])
@require(Permission.INSPECTION_CONDUCT)
def follow_up(inspection_id: int):
    """Schedule a follow-up that carries the open findings forward (planners or the visit's lead)."""
    inspection = viewable(inspection_id)
    if not (services.can_plan(current_user) or inspection.lead_id == current_user.id):
        deny("inspection.follow_up")
    form = FollowUpForm(lead_choices=queries.conductor_choices())
    if request.method == "GET":
        deadlines = [v.remedy_due_on for v in inspection.violations if v.remedy_due_on]
        form.scheduled_on.data = max(deadlines + [today_local() + timedelta(days=7)])
        form.lead_id.data = inspection.lead_id
    if form.validate_on_submit():
        from registry.auth.models import User

        try:
            new = services.schedule_follow_up(inspection, scheduled_on=form.scheduled_on.data,
                                              lead=db.session.get(User, form.lead_id.data), planned_by=current_user)
        except InspectionError as exc:
            db.session.rollback()
            attach(form, exc)
        else:
            db.session.commit()
            flash(_("Follow-up scheduled for %(day)s.", day=new.scheduled_on.strftime("%d/%m/%Y")), "success")
            return redirect(url_for("inspections.detail", inspection_id=new.id))
    return render("inspections/follow_up.html", inspection=inspection, form=form,
                           findings=services.open_findings(inspection), lang=current_language()), (
        400 if request.method == "POST" else 200)


@bp.route("/<int:inspection_id>/amend", methods=["GET", "POST"])
@require(Permission.INSPECTION_CONDUCT)
def amend(inspection_id: int):
    """Correct a completed visit: the reason is required; the change is kept and audited."""
    inspection = conductable(inspection_id)
    if inspection.status != InspectionStatus.COMPLETED:
        flash(_("Only a completed visit is amended."), "info")
        return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    form = AmendForm() if request.method == "POST" else AmendForm(obj=inspection, version_id=inspection.version_id)
    answers, item_errors = ({}, {})
    if request.method == "POST":
        answers, item_errors = parse_item_values(
            {k: v for k, v in request.form.items() if k.endswith("-note")}, set(services.items_by_id(inspection)))
    if request.method == "POST" and form.validate_on_submit() and not item_errors:
        notes = {item_id: a.get("note") for item_id, a in answers.items() if "note" in a}
        try:
            services.amend(inspection, reason=form.reason.data, values=form.values(), notes=notes, by=current_user,
                           version=form.version_id.data)
        except ConcurrentEditError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            inspection = inspection_or_404(inspection_id)
            form.version_id.data = inspection.version_id
            return _render_amend(inspection, form, answers, item_errors, 409)
        except InspectionError as exc:
            db.session.rollback()
            attach(form, exc)
        else:
            db.session.commit()
            flash(_("Amendment recorded."), "success")
            return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    return _render_amend(inspection, form, answers, item_errors, 400 if request.method == "POST" else 200)


def _render_amend(inspection, form, answers, item_errors, status):
    return render("inspections/amend.html", inspection=inspection, form=form,
                           values=item_values(inspection, answers), item_errors=item_errors,
                           lang=current_language()), status

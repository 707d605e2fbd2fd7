"""Planning a visit, and rescheduling, reassigning or cancelling a planned one."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.common.concurrency import ConcurrentEditError
from registry.common.permissions import Permission, require
from registry.common.text import parse_id
from registry.db import today_local
from registry.extensions import db
from registry.inspections import queries, services
from registry.inspections.forms import AssignForm, CancelForm, PlanForm, RescheduleForm
from registry.inspections.models import Complaint, Inspection, InspectionKind
from registry.inspections.services import InspectionError
from registry.inspections.views.shared import (
    attach,
    bp,
    inspection_or_404,
    render,
    render_venue_search,
    venue_for_form,
    viewable,
)


def _plan_form(venue, complaint=None):
    applications = [(a.id, f"{a.ref} — {a.received_on:%d/%m/%Y}") for a in queries.venue_applications(venue.id)]
    form = PlanForm(lead_choices=queries.conductor_choices(), user_choices=queries.user_choices(),
                    application_choices=applications)
    if request.method == "GET":
        form.venue_id.data = venue.id
        form.scheduled_on.data = today_local()
        if complaint is not None:
            form.complaint_id.data = complaint.id
            form.kind.data = InspectionKind.COMPLAINT
        elif request.args.get("kind") in {k.value for k in InspectionKind}:
            form.kind.data = InspectionKind(request.args["kind"])
    return form


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.INSPECTION_PLAN)
def plan():
    """Plan a visit: find the venue, then set kind, date, window, lead and team."""
    venue = venue_for_form(request.values.get("venue_id"))
    complaint_id = parse_id(request.values.get("complaint_id"))
    complaint = db.session.get(Complaint, complaint_id) if complaint_id is not None else None
    if venue is None:
        return render_venue_search("inspections/plan.html")
    form = _plan_form(venue, complaint)
    existing = services.planned_in_year(venue.operator_id, (form.scheduled_on.data or today_local()).year)
    if form.validate_on_submit():
        from registry.auth.models import User

        lead = db.session.get(User, form.lead_id.data)
        members = []
        for row in form.member_rows():
            user = db.session.get(User, row.user_id.data) if row.user_id.data else None
            members.append(services.MemberData(full_name=row.full_name.data or (user.full_name if user else ""),
                                               agency=row.agency.data, user_id=user.id if user else None,
                                               position=row.position.data))
        application = None
        if form.application_id.data:
            from registry.licences.models import Application

            application = db.session.get(Application, form.application_id.data)
        try:
            inspection = services.plan_inspection(
                venue=venue, kind=form.kind.data, scheduled_on=form.scheduled_on.data, lead=lead,
                planned_by=current_user, window_from=form.window_from.data, window_to=form.window_to.data,
                members=members, decision_number=form.decision_number.data, purpose=form.purpose.data,
                application=application, complaint=complaint, override_reason=form.override_reason.data)
        except services.PlanLimitError as exc:
            attach(form, exc)
            existing = exc.existing
        except InspectionError as exc:
            attach(form, exc)
        else:
            db.session.commit()
            flash(_("Visit to %(venue)s planned for %(day)s.", venue=venue.name,
                    day=inspection.scheduled_on.strftime("%d/%m/%Y")), "success")
            return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    status = 400 if request.method == "POST" else 200
    return render("inspections/plan.html", venue=venue, form=form, complaint=complaint,
                           existing=existing, search=None), status


@bp.route("/<int:inspection_id>/manage", methods=["GET", "POST"])
@require(Permission.INSPECTION_PLAN)
def manage(inspection_id: int):
    """Reschedule, reassign or cancel a planned visit."""
    inspection = viewable(inspection_id)
    leads = queries.conductor_choices()
    action = request.form.get("action") if request.method == "POST" else None
    forms = {
        "reschedule": RescheduleForm(prefix="r") if action == "reschedule" else RescheduleForm(
            prefix="r", formdata=None, version_id=inspection.version_id, scheduled_on=inspection.scheduled_on),
        "assign": AssignForm(prefix="a", lead_choices=leads) if action == "assign" else AssignForm(
            prefix="a", formdata=None, lead_choices=leads, version_id=inspection.version_id,
            lead_id=inspection.lead_id),
        "cancel": CancelForm(prefix="c") if action == "cancel" else CancelForm(
            prefix="c", formdata=None, version_id=inspection.version_id),
    }
    form = forms.get(action)
    if form is not None and form.validate_on_submit():
        from registry.auth.models import User

        try:
            if action == "reschedule":
                services.reschedule(inspection, form.scheduled_on.data, form.reason.data, version=form.version_id.data)
                message = _("Visit moved to %(day)s.", day=form.scheduled_on.data.strftime("%d/%m/%Y"))
            elif action == "assign":
                services.assign(inspection, db.session.get(User, form.lead_id.data), version=form.version_id.data)
                message = _("Visit assigned.")
            else:
                services.cancel(inspection, form.reason.data, version=form.version_id.data)
                message = _("Visit cancelled.")
        except ConcurrentEditError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            form.version_id.data = db.session.get(Inspection, inspection_id).version_id
            return render("inspections/manage.html", inspection=inspection_or_404(inspection_id),
                                   forms=forms), 409
        except InspectionError as exc:
            db.session.rollback()
            attach(form, exc)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    status = 400 if request.method == "POST" else 200
    return render("inspections/manage.html", inspection=inspection, forms=forms), status

"""Complaints from the public and other agencies: the list, recording one, closing one."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.common.permissions import Permission, require
from registry.db import today_local
from registry.extensions import db
from registry.inspections import complaints as complaint_services
from registry.inspections import queries
from registry.inspections.forms import CloseComplaintForm, ComplaintForm
from registry.inspections.models import Complaint
from registry.inspections.services import InspectionError
from registry.inspections.views.shared import attach, bp, render, render_venue_search, venue_for_form


@bp.get("/complaints")
@require(Permission.INSPECTION_VIEW)
def complaints():
    """Complaints from the public and other agencies, and what became of them."""
    status = request.args.get("status") or "open"
    return render("inspections/complaints.html", complaints=queries.complaints(
        None if status == "all" else status), status=status, close_form=CloseComplaintForm())


@bp.route("/complaints/new", methods=["GET", "POST"])
@require(Permission.INSPECTION_PLAN)
def new_complaint():
    """Record a complaint against a venue (find the venue first)."""
    venue = venue_for_form(request.values.get("venue_id"))
    if venue is None:
        return render_venue_search("inspections/complaint_form.html")
    form = ComplaintForm()
    if request.method == "GET":
        form.venue_id.data = venue.id
        form.received_on.data = today_local()
    if form.validate_on_submit():
        try:
            complaint = complaint_services.record_complaint(
                venue, received_on=form.received_on.data, source=form.source.data, summary=form.summary.data,
                complainant=form.complainant.data, by=current_user)
        except InspectionError as exc:
            db.session.rollback()
            attach(form, exc)
        else:
            db.session.commit()
            flash(_("Complaint recorded."), "success")
            if request.form.get("next") == "plan":
                return redirect(url_for("inspections.plan", venue_id=venue.id, complaint_id=complaint.id))
            return redirect(url_for("inspections.complaints"))
    return render("inspections/complaint_form.html", venue=venue, form=form, search=None), (
        400 if request.method == "POST" else 200)


@bp.post("/complaints/<int:complaint_id>/close")
@require(Permission.INSPECTION_PLAN)
def close_complaint(complaint_id: int):
    """Close a complaint with a note on how it was handled."""
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404)
    form = CloseComplaintForm()
    if form.validate_on_submit():
        try:
            complaint_services.close_complaint(complaint, form.note.data)
        except InspectionError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("Complaint closed."), "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("inspections.complaints"))

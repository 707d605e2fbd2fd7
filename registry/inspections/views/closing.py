"""Closing a visit (or recording an attempt), and its minutes: the stored PDF and re-issuing it."""
from __future__ import annotations

from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.common.concurrency import ConcurrentEditError
from registry.common.permissions import Permission, require
from registry.db import today_local
from registry.extensions import db
from registry.i18n import current_language
from registry.inspections import services
from registry.inspections.forms import CloseForm, ReissueForm
from registry.inspections.models import AttemptReason, Inspection, InspectionOutcome, InspectionStatus, ItemResult
from registry.inspections.services import InspectionError
from registry.inspections.views.shared import attach, bp, conductable, inspection_or_404, render, viewable


@bp.route("/<int:inspection_id>/close", methods=["GET", "POST"])
@require(Permission.INSPECTION_CONDUCT)
def close(inspection_id: int):
    """Close the visit with its outcome (minutes issued, follow-up scheduled), or record an attempt."""
    inspection = conductable(inspection_id)
    if inspection.is_locked:
        flash(_("This visit is already closed."), "info")
        return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    form = CloseForm()
    if request.method == "GET":
        form.version_id.data = inspection.version_id
        failed = any(i.result == ItemResult.FAIL for i in inspection.items)
        if inspection.status == InspectionStatus.IN_PROGRESS:
            form.outcome.data = "violations" if failed else "compliant"
    if form.validate_on_submit():
        try:
            if form.is_attempt:
                services.record_attempt(inspection, AttemptReason(form.outcome.data), form.next_date.data,
                                        note=form.attempt_note.data, by=current_user, version=form.version_id.data)
                message = _("Attempt recorded. The visit stays open and is moved to %(day)s.",
                            day=form.next_date.data.strftime("%d/%m/%Y"))
                result = None
            else:
                result = services.close_visit(inspection, InspectionOutcome(form.outcome.data), by=current_user,
                                              version=form.version_id.data)
                message = _("Visit closed. Minutes %(number)s issued.", number=inspection.minutes_number)
        except ConcurrentEditError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            form.version_id.data = db.session.get(Inspection, inspection_id).version_id
            return _render_close(inspection_or_404(inspection_id), form, 409)
        except InspectionError as exc:
            db.session.rollback()
            attach(form, exc)
            return _render_close(inspection_or_404(inspection_id), form, 400)
        db.session.commit()
        flash(message, "success")
        if result is not None and result.follow_up is not None:
            flash(_("Follow-up visit scheduled for %(day)s with the open findings carried forward.",
                    day=result.follow_up.scheduled_on.strftime("%d/%m/%Y")), "info")
        return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    return _render_close(inspection, form, 400 if request.method == "POST" else 200)


def _render_close(inspection: Inspection, form: CloseForm, status: int):
    return render("inspections/close.html", inspection=inspection, form=form,
                           unanswered=services.unanswered(inspection), today=today_local(),
                           failed=[i for i in inspection.items if i.result == ItemResult.FAIL],
                           lang=current_language()), status


@bp.get("/<int:inspection_id>/minutes.pdf")
@require(Permission.INSPECTION_VIEW)
def minutes_pdf(inspection_id: int):
    """The stored minutes PDF, byte for byte as issued."""
    import io

    from registry.documents.services import document_bytes

    inspection = viewable(inspection_id)
    document = inspection.minutes_document
    if document is None:
        abort(404)
    name = f"bien-ban-{(inspection.minutes_number or str(inspection.id)).replace('/', '-')}.pdf"
    response = send_file(io.BytesIO(document_bytes(document)), mimetype="application/pdf", as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<int:inspection_id>/minutes/reissue")
@require(Permission.INSPECTION_CONDUCT)
def reissue_minutes(inspection_id: int):
    """Print the minutes again, same number, with the amendments made since."""
    from registry.inspections.minutes import issue_minutes

    inspection = conductable(inspection_id)
    if not ReissueForm().validate_on_submit() or inspection.status != InspectionStatus.COMPLETED:
        abort(400)
    issue_minutes(inspection, issued_by=current_user)
    db.session.commit()
    flash(_("Minutes %(number)s re-issued with the amendments.", number=inspection.minutes_number), "success")
    return redirect(url_for("inspections.detail", inspection_id=inspection.id))

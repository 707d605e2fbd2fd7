"""The visit under way: the checklist form (without JS), its autosave (with JS), and photo uploads."""
from __future__ import annotations

from flask import flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from registry.common.concurrency import ConcurrentEditError
from registry.common.permissions import Permission, require
from registry.common.text import parse_id
from registry.extensions import db
from registry.i18n import current_language
from registry.inspections import services, violations
from registry.inspections.forms import PhotoForm, VisitForm, parse_item_values
from registry.inspections.models import Inspection, InspectionStatus, Violation
from registry.inspections.services import InspectionError, LockedError
from registry.inspections.views.shared import attach, bp, conductable, inspection_or_404, item_values, render


def _render_visit(inspection: Inspection, form: VisitForm, *, status: int = 200, item_errors=None, posted=None,
                  photo_form: PhotoForm | None = None, conflict: str | None = None):
    return render(
        "inspections/visit.html", inspection=inspection, form=form, values=item_values(inspection, posted),
        item_errors=item_errors or {}, photo_form=photo_form or PhotoForm(item_choices=_photo_item_choices(inspection)),
        conflict=conflict, lang=current_language(), prompt=violations.suspension_prompt(inspection),
        duty_count=violations.duty_violation_count(inspection.licence_id), legal_reference=violations.legal_reference,
        sections=_sections(inspection)), status


def _photo_item_choices(inspection: Inspection) -> list[tuple[int, str]]:
    return [(i.id, i.label(current_language())[:80]) for i in inspection.items]


def _sections(inspection: Inspection) -> list[tuple[str, list]]:
    from registry.inspections.checklists import SECTION_LABELS

    grouped: dict[str, list] = {}
    for item in inspection.items:
        grouped.setdefault(item.section, []).append(item)
    return [(SECTION_LABELS.get(name, name), items) for name, items in grouped.items()]


@bp.route("/<int:inspection_id>/visit", methods=["GET", "POST"])
@require(Permission.INSPECTION_CONDUCT)
def visit(inspection_id: int):
    """The checklist, headcounts, statements, photos and violations of a visit under way (works without JS)."""
    inspection = conductable(inspection_id)
    if inspection.status != InspectionStatus.IN_PROGRESS:
        if request.method == "POST":
            flash(_("This visit is not under way: nothing was saved."), "warning")
        return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    form = VisitForm()
    if request.method == "GET":
        form = VisitForm(obj=inspection, version_id=inspection.version_id)
        return _render_visit(inspection, form)
    answers, item_errors = parse_item_values(request.form, set(services.items_by_id(inspection)))
    if not form.validate_on_submit() or item_errors:
        return _render_visit(inspection, form, status=400, item_errors=item_errors, posted=answers)
    try:
        services.save_visit(inspection, form.values(), answers, version=form.version_id.data)
    except ConcurrentEditError as exc:
        db.session.rollback()
        inspection = inspection_or_404(inspection_id)
        form.version_id.data = inspection.version_id
        return _render_visit(inspection, form, status=409, posted=answers, conflict=str(exc))
    except InspectionError as exc:
        db.session.rollback()
        attach(form, exc)
        return _render_visit(inspection_or_404(inspection_id), form, status=400, posted=answers)
    db.session.commit()
    return _after_save(inspection, request.form.get("next", "save"))


def _after_save(inspection: Inspection, action: str):
    """Where the visit form's buttons lead once everything typed is saved."""
    target = url_for("inspections.visit", inspection_id=inspection.id)
    if action == "close":
        return redirect(url_for("inspections.close", inspection_id=inspection.id))
    if action.startswith("violation:"):
        item = action.split(":", 1)[1]
        return redirect(url_for("inspections.add_violation", inspection_id=inspection.id,
                                item=parse_id(item)))
    if action.startswith("remove-violation:") and (violation_id := parse_id(action.split(":", 1)[1])) is not None:
        violation = db.session.get(Violation, violation_id)
        if violation is not None and violation.inspection_id == inspection.id:
            try:
                violations.remove_violation(violation)
            except InspectionError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                db.session.commit()
                flash(_("Violation removed."), "success")
        return redirect(target + "#violations")
    if action == "photo":
        return _upload_photo(inspection, target)
    flash(_("Saved."), "success")
    return redirect(target)


def _upload_photo(inspection: Inspection, target: str):
    from registry.inspections.photos import PhotoError, add_photo, discard_file

    photo_form = PhotoForm(item_choices=_photo_item_choices(inspection))
    if not photo_form.validate():
        db.session.rollback()
        return _render_visit(inspection_or_404(inspection.id), VisitForm(
            obj=inspection, version_id=inspection.version_id), status=400, photo_form=photo_form)
    item = db.session.get(services.InspectionItem, photo_form.item_id.data) if photo_form.item_id.data else None
    try:
        photo = add_photo(inspection, photo_form.photo.data, keep_location=photo_form.keep_location.data, item=item,
                          caption=photo_form.caption.data, by=current_user)
    except PhotoError as exc:
        db.session.rollback()
        photo_form.photo.errors = [str(exc)]
        fresh = inspection_or_404(inspection.id)
        return _render_visit(fresh, VisitForm(obj=fresh, version_id=fresh.version_id), status=400,
                             photo_form=photo_form)
    try:
        db.session.commit()
    except Exception:
        discard_file(photo)
        raise
    flash(_("Photo added."), "success")
    return redirect(target + "#photos")


@bp.post("/<int:inspection_id>/autosave")
@require(Permission.INSPECTION_CONDUCT)
def autosave(inspection_id: int):
    """Save what was typed (JSON; called by inspections.js on every change, with the CSRF header)."""
    inspection = conductable(inspection_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("fields"), dict) or len(payload["fields"]) > 2000:
        return jsonify(error="bad_request", message=_("The saved data could not be read. Reload the page.")), 400
    fields = {str(k)[:60]: ("" if v is None else str(v)) for k, v in payload["fields"].items()}
    version = payload.get("version")
    if not isinstance(version, int):
        return jsonify(error="bad_request", message=_("The saved data could not be read. Reload the page.")), 400
    if inspection.is_locked:
        return jsonify(error="locked", message=str(LockedError(_(
            "This visit is closed and can no longer be changed. Record a correction as an amendment.")))), 423
    answers, errors = parse_item_values(fields, set(services.items_by_id(inspection)))
    present = {k for k in fields if k in VisitForm.FIELDS}
    form = VisitForm(formdata=MultiDict(fields), meta={"csrf": False})
    form.validate()
    errors.update({name: str(form[name].errors[0]) for name in present if form[name].errors})
    if errors:
        return jsonify(error="invalid", errors=errors, message=_("Some fields could not be saved.")), 422
    try:
        services.save_visit(inspection, form.values(present), answers, version=version)
    except ConcurrentEditError:
        db.session.rollback()
        current = db.session.get(Inspection, inspection_id)
        return jsonify(error="conflict", version=current.version_id, message=_(
            "Someone else saved this visit after this page was opened, so your last changes were not saved. They are "
            "still on this phone. Keep them (fields you did not touch keep the other person's values), or discard "
            "them and reload.")), 409
    except InspectionError as exc:
        db.session.rollback()
        return jsonify(error="refused", message=str(exc), errors={exc.field: str(exc)} if exc.field else {}), 422
    db.session.commit()
    return jsonify(ok=True, version=inspection.version_id, saved_at=inspection.draft_saved_at.isoformat())

"""Violations and what follows: record one from the catalogue; suspend the licence from the prompt."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from registry.common.concurrency import ConcurrentEditError
from registry.common.permissions import Permission, require
from registry.common.text import parse_id
from registry.extensions import db
from registry.i18n import current_language
from registry.inspections import queries, sanctions, services, violations
from registry.inspections.forms import SuspendForm, ViolationForm
from registry.inspections.models import InspectionStatus, ViolationType
from registry.inspections.services import InspectionError
from registry.inspections.views.shared import attach, bp, conductable, render, suspend_url, viewable


@bp.route("/<int:inspection_id>/violations/new", methods=["GET", "POST"])
@require(Permission.INSPECTION_CONDUCT)
def add_violation(inspection_id: int):
    """Record a violation from the catalogue: legal reference, fine range for this operator, remedy and deadline."""
    inspection = conductable(inspection_id)
    if inspection.status != InspectionStatus.IN_PROGRESS:
        flash(_("Violations are recorded while the visit is under way."), "warning")
        return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    raw_item = request.values.get("item") or request.values.get("item_id") or ""
    item = services.items_by_id(inspection).get(parse_id(raw_item))
    fitting = queries.violation_types_for(inspection.venue.kind.value)
    lang = current_language()
    ranges = {v.id: violations.fine_range(v, inspection.operator) for v in fitting}
    form = ViolationForm(type_choices=[
        SelectChoice(v.id, f"{v.description(lang)} ({violations.legal_reference(v, lang)})",
                     render_kw=_range_attrs(v, ranges[v.id], lang)) for v in fitting])
    if request.method == "GET":
        form.item_id.data = item.id if item else ""
        suggested = next((v for v in fitting if item is not None and v.code == item.violation_code), None)
        if suggested is not None:
            form.violation_type_id.data = suggested.id
            form.remedy.data = suggested.remedy_vi  # printed on the (Vietnamese) minutes as written
    if form.validate_on_submit():
        vtype = next((v for v in fitting if v.id == form.violation_type_id.data), None)
        try:
            if vtype is None:
                raise InspectionError(_("Choose one of the options."), "violation_type_id")
            violations.record_violation(inspection, vtype, item=item, amount=form.amount.data,
                                      warning=form.warning.data, remedy=form.remedy.data,
                                      remedy_due_on=form.remedy_due_on.data, by=current_user)
        except ConcurrentEditError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        except InspectionError as exc:
            db.session.rollback()
            attach(form, exc)
        else:
            db.session.commit()
            flash(_("Violation recorded."), "success")
            prompt = violations.suspension_prompt(inspection)
            if prompt is not None:
                flash(_("This is visit no. %(n)d with a violation of operating duties on licence %(number)s: the "
                        "licence holder should receive a suspension notice (Decree 54/2019 Art. 15(1)(b)).",
                        n=prompt.count, number=prompt.licence.number_display), "danger")
            return redirect(url_for("inspections.visit", inspection_id=inspection.id) + "#violations")
    status = 400 if request.method == "POST" else 200
    return render("inspections/violation.html", inspection=inspection, form=form, item=item,
                           types=fitting, ranges=ranges, lang=lang, legal_reference=violations.legal_reference,
                           subject=violations.subject_for(inspection.operator),
                           duty_count=violations.duty_violation_count(inspection.licence_id)), status


def _range_attrs(vtype: ViolationType, rng: violations.FineRange, lang: str) -> dict:
    fmt_money = services.fmt_money
    who = _("individual") if rng.subject.value == "individual" else _("organisation ×%(m)d", m=rng.multiplier)
    if rng.configured:
        text = _("Fine for this operator (%(who)s): %(low)s – %(high)s", who=who, low=fmt_money(rng.low),
                 high=fmt_money(rng.high))
        if not rng.verified:
            text += " " + _("(amounts unverified)")
    else:
        text = _("No fine range configured (amounts unverified): at most %(high)s", high=fmt_money(rng.high))
    return {"data-range": text, "data-remedy": vtype.remedy_vi, "data-warning": "1" if vtype.warning_allowed else "0"}


@bp.post("/<int:inspection_id>/suspend")
@require(Permission.LICENCE_SANCTION)
def suspend(inspection_id: int):
    """From the prompt: suspend the licence after a second operating-duty violation and issue the notice."""
    inspection = viewable(inspection_id)
    prompt = violations.suspension_prompt(inspection)
    if prompt is None or not SuspendForm().validate_on_submit():
        flash(_("There is no suspension to issue for this visit."), "warning")
        return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    try:
        sanctions.suspend_for_duty_violations(prompt, by=current_user)
    except sanctions.SuspensionUnavailable:
        abort(404)
    except ValueError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    db.session.commit()
    flash(_("Licence %(number)s suspended and the suspension notice issued.",
            number=prompt.licence.number_display), "success")
    target = suspend_url(prompt.licence)
    return redirect(target.split("#")[0] if target else url_for("inspections.detail", inspection_id=inspection.id))

"""Inspection pages: the inspector's day, the list, a visit (start, checklist with autosave, violations, photos,
close, minutes, follow-up, amendments), planning, the risk queue, workload and complaints."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from registry.common.concurrency import ConcurrentEditError
from registry.common.modules import import_optional
from registry.common.permissions import Permission, deny, require
from registry.db import today_local
from registry.extensions import db
from registry.i18n import current_language
from registry.inspections import complaints as complaint_services
from registry.inspections import queries, risk, services, violations
from registry.inspections.forms import (
    AmendForm,
    AssignForm,
    CancelForm,
    CloseComplaintForm,
    CloseForm,
    ComplaintForm,
    FollowUpForm,
    PhotoForm,
    PlanForm,
    ReissueForm,
    RescheduleForm,
    StartForm,
    VenueSearchForm,
    ViolationForm,
    VisitForm,
    parse_item_values,
)
from registry.inspections.models import (
    AttemptReason,
    Complaint,
    Inspection,
    InspectionKind,
    InspectionOutcome,
    InspectionPhoto,
    InspectionStatus,
    ItemResult,
    Violation,
    ViolationType,
)
from registry.inspections.services import InspectionError, LockedError

bp = Blueprint("inspections", __name__, url_prefix="/inspections")


def _timeline_field_labels() -> None:
    """Name the fields our events record on the venue timeline (a feature of the venues package)."""
    from flask_babel import lazy_gettext as _l

    timeline = import_optional("registry.venues.timeline")
    if timeline is None or not hasattr(timeline, "register_field_labels"):
        return
    timeline.register_field_labels({
        "inspection_kind": _l("Kind of inspection"), "scheduled_on": _l("Date"), "lead": _l("Lead"),
        "team": _l("Team"), "decision_number": _l("Decision number"), "complaint_id": _l("Complaint"),
        "original_id": _l("Original visit"), "application_id": _l("Application"), "started_at": _l("Started"),
        "started_local": _l("Started (local time)"), "location_recorded": _l("Location recorded"),
        "items": _l("Checklist items"), "outcome": _l("Outcome"), "ended_at": _l("Ended"),
        "ended_local": _l("Ended (local time)"), "failed_items": _l("Failed items"), "violations": _l("Violations"),
        "customers_count": _l("Customers present"), "staff_count": _l("Staff present"),
        "refused_to_sign": _l("Refused to sign"), "findings": _l("Open findings"), "finding": _l("Finding"),
        "note": _l("Note"), "reason": _l("Reason"), "inspection_id": _l("Inspection"),
        "reference": _l("Legal reference"), "violation_code": _l("Catalogue row"),
        "amount": _l("Proposed fine (đồng)"), "subject": _l("Fined as"),
        "remedy": _l("Remedial measure"), "remedy_due_on": _l("Remedy deadline"), "warning": _l("Warning"),
        "operating_duty": _l("Operating duty"), "number": _l("Number"), "document_id": _l("Document"),
        "reissue": _l("Re-issued"), "summary": _l("Summary"), "source": _l("From"),
        "received_on": _l("Received on"), "already_planned": _l("Already planned"), "year": _l("Year"),
    })


_timeline_field_labels()


def render(template: str, **context) -> str:
    """``render_template`` with this feature's helpers: ``vnd(amount)`` and ``venue_kind(kind)``.

    Passed explicitly (not by a blueprint context processor) because the inspector's home page is rendered by
    ``main.home`` calling ``today`` directly.
    """
    return render_template(template, vnd=services.fmt_money, venue_kind=services.venue_kind_label, **context)


# ----------------------------------------------------------------------------------------------- helpers
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


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _suspend_url(licence) -> str | None:
    if licence is None:
        return None
    if "licences.detail" in current_app.view_functions:
        return url_for("licences.detail", licence_id=licence.id, _anchor="suspend")
    return None


# ----------------------------------------------------------------------------------------------- lists
@bp.get("/today")
@require(Permission.INSPECTION_CONDUCT)
def today():
    """The inspector's home: visits under way, today's, overdue and upcoming ones."""
    day = queries.my_day(current_user.id, today_local())
    return render("inspections/today.html", day=day, today=today_local(), lang=current_language())


@bp.get("/")
@require(Permission.INSPECTION_VIEW)
def index():
    """All visits (an inspector's own), filtered and paged; planners also see prompts and shortcuts."""
    filters = queries.Filters.from_args(request.args)
    page = queries.list_inspections(filters, current_user, today_local(), request.args.get("after"))
    prompts = queries.suspension_prompts() if services.can_plan(current_user) else []
    leads = queries.conductor_choices() if services.can_plan(current_user) else []
    return render("inspections/index.html", page=page, filters=filters, args=filters.as_args(),
                           prompts=prompts, leads=leads, today=today_local(), statuses=list(InspectionStatus),
                           kinds=list(InspectionKind))


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
    amended_after_minutes = bool(inspection.amendments and inspection.minutes_document is not None and
                                 inspection.amendments[-1].amended_at > inspection.minutes_document.issued_at)
    return render(
        "inspections/detail.html", inspection=inspection, can_conduct=conduct, can_plan=services.can_plan(
            current_user), comparison=queries.comparison(inspection), prompt=prompt,
        duty_count=violations.duty_violation_count(inspection.licence_id) if licence is not None else 0,
        suspend_url=_suspend_url(licence), start_form=forms.get("start_form") or StartForm(),
        reissue_form=ReissueForm(), amended_after_minutes=amended_after_minutes,
        open_findings=services.open_findings(inspection) if inspection.status == InspectionStatus.COMPLETED else [],
        lang=current_language(), today=today_local(), legal_reference=violations.legal_reference,
        suspend_form=ReissueForm()), status


# ----------------------------------------------------------------------------------------------- planning
def _venue_for_form(raw) -> object | None:
    from registry.venues.models import Venue

    try:
        return db.session.get(Venue, int(raw)) if raw and str(raw).isdigit() and len(str(raw)) < 10 else None
    except (TypeError, ValueError):
        return None


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
    venue = _venue_for_form(request.values.get("venue_id"))
    complaint = db.session.get(Complaint, int(request.values["complaint_id"])) if (
        request.values.get("complaint_id", "").isdigit() and len(request.values["complaint_id"]) < 10) else None
    if venue is None:
        search = VenueSearchForm(request.args)
        results = queries.search_venues(search.q.data or "") if search.q.data and search.validate() else []
        return render("inspections/plan.html", venue=None, search=search, results=results)
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


@bp.get("/queue")
@require(Permission.INSPECTION_PLAN)
def queue():
    """Venues due for a visit, by risk score with its reasons; plan a visit from each row."""
    limit = min(max(request.args.get("limit", 50, type=int) or 50, 10), 500)
    kind = request.args.get("kind")
    entries, total = risk.risk_queue(today_local(), kind=kind, include_planned=request.args.get("planned") == "1",
                                     limit=limit)
    from registry.venues.models import VenueKind

    return render("inspections/queue.html", entries=entries, total=total, limit=limit, kind=kind,
                           kinds=list(VenueKind), weights=risk.weights(), planned=request.args.get("planned") == "1",
                           year=today_local().year)


@bp.get("/workload")
@require(Permission.INSPECTION_PLAN)
def workload():
    """Open, this week's and overdue visits per inspector."""
    return render("inspections/workload.html", loads=queries.workload(today_local()), today=today_local())


# ----------------------------------------------------------------------------------------------- the visit
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


def _item_values(inspection: Inspection, posted: dict | None = None) -> dict[int, dict]:
    values = {item.id: {"result": item.result.value if item.result else "", "note": item.note or ""}
              for item in inspection.items}
    for item_id, answer in (posted or {}).items():
        if item_id in values:
            for key, value in answer.items():
                values[item_id][key] = getattr(value, "value", value) or ""
    return values


def _render_visit(inspection: Inspection, form: VisitForm, *, status: int = 200, item_errors=None, posted=None,
                  photo_form: PhotoForm | None = None, conflict: str | None = None):
    choices = [(i.id, i.label(current_language())[:80]) for i in inspection.items]
    return render(
        "inspections/visit.html", inspection=inspection, form=form, values=_item_values(inspection, posted),
        item_errors=item_errors or {}, photo_form=photo_form or PhotoForm(item_choices=choices),
        conflict=conflict, lang=current_language(), prompt=violations.suspension_prompt(inspection),
        duty_count=violations.duty_violation_count(inspection.licence_id), legal_reference=violations.legal_reference,
        sections=_sections(inspection)), status


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
                                item=item if item.isdigit() else None))
    if action.startswith("remove-violation:") and action.split(":", 1)[1].isdigit():
        violation = db.session.get(Violation, int(action.split(":", 1)[1]))
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

    choices = [(i.id, i.label(current_language())[:80]) for i in inspection.items]
    photo_form = PhotoForm(item_choices=choices)
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


@bp.route("/<int:inspection_id>/violations/new", methods=["GET", "POST"])
@require(Permission.INSPECTION_CONDUCT)
def add_violation(inspection_id: int):
    """Record a violation from the catalogue: legal reference, fine range for this operator, remedy and deadline."""
    inspection = conductable(inspection_id)
    if inspection.status != InspectionStatus.IN_PROGRESS:
        flash(_("Violations are recorded while the visit is under way."), "warning")
        return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    raw_item = request.values.get("item") or request.values.get("item_id") or ""
    item = services.items_by_id(inspection).get(int(raw_item)) if raw_item.isdigit() and len(raw_item) < 10 else None
    kinds = db.session.execute(select(ViolationType).where(ViolationType.active)
                               .order_by(ViolationType.position, ViolationType.id)).scalars().all()
    kind_value = inspection.venue.kind.value
    fitting = [v for v in kinds if not v.venue_kinds or kind_value in v.venue_kinds]
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


@bp.get("/<int:inspection_id>/photos/<int:photo_id>")
@require(Permission.INSPECTION_VIEW)
def photo(inspection_id: int, photo_id: int):
    """A photo of the visit, to people who may see the visit (never from the static folder)."""
    from registry.inspections.photos import PhotoError, photo_path

    inspection = viewable(inspection_id)
    item = db.session.get(InspectionPhoto, photo_id)
    if item is None or item.inspection_id != inspection.id:
        abort(404)
    try:
        path = photo_path(item)
    except PhotoError:
        abort(404)
    if not path.is_file():
        abort(404)
    extension = "jpg" if item.content_type == "image/jpeg" else "png"
    response = send_file(path, mimetype=item.content_type, as_attachment=False,
                         download_name=f"inspection-{inspection.id}-photo-{item.id}.{extension}", max_age=0)
    response.headers["Content-Disposition"] = (
        f'inline; filename="inspection-{inspection.id}-photo-{item.id}.{extension}"')
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


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
                if inspection.status != InspectionStatus.IN_PROGRESS:
                    raise InspectionError(_("Start the visit before closing it."), "outcome")
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
                           values=_item_values(inspection, answers), item_errors=item_errors,
                           lang=current_language()), status


# ----------------------------------------------------------------------------------------------- managing
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


@bp.post("/<int:inspection_id>/suspend")
@require(Permission.LICENCE_SANCTION)
def suspend(inspection_id: int):
    """From the prompt: suspend the licence after a second operating-duty violation and issue the notice."""
    inspection = viewable(inspection_id)
    prompt = violations.suspension_prompt(inspection)
    if prompt is None or not ReissueForm().validate_on_submit():
        flash(_("There is no suspension to issue for this visit."), "warning")
        return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    lifecycle = import_optional("registry.licences.lifecycle")
    if lifecycle is None or not hasattr(lifecycle, "suspend"):
        abort(404)
    minutes = sorted({v.inspection.minutes_number for v in db.session.execute(
        select(Violation).where(Violation.licence_id == prompt.licence.id, Violation.operating_duty)).scalars()
        if v.inspection.minutes_number})
    reason = _("Second violation of operating duties (Decree 54/2019 Art. 15(1)(b)), recorded in minutes %(list)s.",
               list=", ".join(minutes) or "—")
    try:
        sanction = lifecycle.suspend(prompt.licence, starts_on=today_local(), reason=reason, by=current_user)
        notices = import_optional("registry.documents.notices")
        if notices is not None and hasattr(notices, "issue_suspension_notice"):
            notices.issue_suspension_notice(prompt.licence, sanction, issued_by=current_user)
    except ValueError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    db.session.commit()
    flash(_("Licence %(number)s suspended and the suspension notice issued.",
            number=prompt.licence.number_display), "success")
    target = _suspend_url(prompt.licence)
    return redirect(target.split("#")[0] if target else url_for("inspections.detail", inspection_id=inspection.id))


# ----------------------------------------------------------------------------------------------- complaints
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
    venue = _venue_for_form(request.values.get("venue_id"))
    if venue is None:
        search = VenueSearchForm(request.args)
        results = queries.search_venues(search.q.data or "") if search.q.data and search.validate() else []
        return render("inspections/complaint_form.html", venue=None, search=search, results=results)
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

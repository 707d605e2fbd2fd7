"""``/applications``: the dossier list with days left, intake of a new dossier, and the step-by-step dossier page."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from registry.auth.models import User
from registry.common.concurrency import ConcurrentEditError, check_version
from registry.common.fields import options
from registry.common.formatting import fmt_area
from registry.common.permissions import Permission, Role, can, require
from registry.common.text import fold, parse_id
from registry.db import today_local
from registry.extensions import db
from registry.licences import dossier, queries, services
from registry.licences.errors import LicensingError
from registry.licences.fees import FeeQuote
from registry.licences.forms import (
    LOCATION_CHANGE,
    ApplicationForm,
    AppraisalForm,
    AssignForm,
    ChecklistForm,
    DecisionForm,
    FeeForm,
    PaymentForm,
    PrerequisiteForm,
    RoomAreasForm,
    TransitionForm,
    tri_state,
)
from registry.licences.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Licence,
    LicenceStatus,
    LicenceType,
    PrerequisiteKind,
)
from registry.licences.viewhelpers import attach_error, lang
from registry.reference.models import Sport
from registry.venues.models import Operator, Venue

bp = Blueprint("applications", __name__, url_prefix="/applications")


def load_application(application_id: int) -> Application:
    """The application with what its page shows, or 404."""
    application = db.session.execute(select(Application).where(Application.id == application_id).options(
        joinedload(Application.venue).selectinload(Venue.rooms), joinedload(Application.licence_type),
        joinedload(Application.operator), joinedload(Application.subject_licence),
        joinedload(Application.licence), selectinload(Application.payments),
        selectinload(Application.transitions))).unique().scalar_one_or_none()
    if application is None:
        abort(404)
    return application


def officers() -> list[User]:
    return list(db.session.execute(select(User).where(User.active.is_(True), User.role.in_(
        [Role.CLERK, Role.MANAGER])).order_by(User.full_name)).scalars())


# ------------------------------------------------------------------------------------------------ list
@bp.get("/")
@require(Permission.APPLICATION_VIEW)
def index():
    """Applications, most urgent first, with working days left."""
    filters = queries.ApplicationFilters.from_args(request.args)
    page = queries.search_applications(filters, after=request.args.get("after"))
    today = today_local()
    return render_template("applications/index.html", page=page, filters=filters, args=filters.as_args(),
                           days={a.id: queries.days_left(a, today) for a in page.rows},
                           types=queries.licence_types(), officers=officers(), statuses=list(ApplicationStatus))


# ------------------------------------------------------------------------------------------------ intake
def _venue_matches(q: str) -> list[Venue]:
    terms = [t for t in fold(q).split(" ") if t][:6]
    if not terms:
        return []
    return list(db.session.execute(select(Venue).where(*[Venue.search_text.contains(t, autoescape=True)
                                                         for t in terms])
                                   .options(joinedload(Venue.operator), joinedload(Venue.ward))
                                   .order_by(Venue.name_key, Venue.id).limit(25)).unique().scalars())


def _fill_choices(form: ApplicationForm, venue: Venue) -> list[Licence]:
    types = queries.licence_types(active_only=True)
    form.licence_type_id.choices = options([("", _("Choose…"))] + [(t.id, t.name(lang())) for t in types])
    licences = list(db.session.execute(select(Licence).where(
        Licence.venue_id == venue.id, Licence.status.in_([LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED]))
        .options(joinedload(Licence.licence_type)).order_by(Licence.issued_on.desc())).unique().scalars())
    form.subject_licence_id.choices = options([("", _("None (new licence)"))] + [
        (lic.id, f"{lic.number_display} — {lic.licence_type.name(lang())}") for lic in licences])
    form.remove_rooms.choices = options([(r.code, f"{r.code} ({fmt_area(r.area_m2)})") for r in venue.active_rooms])
    offered = {s.sport_id for s in venue.sports}
    sports = list(db.session.execute(select(Sport).order_by(Sport.name_vi)).scalars())
    form.add_sports.choices = options([(s.id, s.name(lang())) for s in sports if s.id not in offered])
    form.remove_sports.choices = options([(s.sport_id, s.sport.name(lang())) for s in venue.sports])
    return licences


def _new_operator(form: ApplicationForm) -> Operator | None:
    number = (form.operator_registration.data or "").replace(" ", "").upper()
    if not number:
        return None
    operator = db.session.execute(select(Operator).where(Operator.registration_number == number)).scalar_one_or_none()
    if operator is None:
        form.operator_registration.errors.append(_("No operator with this registration number is in the register; "
                                                   "register the new owner first."))
    return operator


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.APPLICATION_EDIT)
def new():
    """Take in a dossier: find the venue, then the licence type, procedure, channel and date received."""
    venue_id = request.values.get("venue_id", "")
    venue = db.session.get(Venue, venue_pk) if (venue_pk := parse_id(venue_id)) is not None else None
    if venue is None:
        q = " ".join((request.args.get("q") or "")[:200].split())
        return render_template("applications/new_pick.html", q=q, venues=_venue_matches(q) if q else [])
    form = ApplicationForm()
    licences = _fill_choices(form, venue)
    if request.method == "GET":
        form.venue_id.data, form.received_on.data = venue.id, today_local()
        subject = request.args.get("licence_id", "")
        subject_id = parse_id(subject)
        if subject_id in {lic.id for lic in licences}:
            form.subject_licence_id.data = subject_id
            form.licence_type_id.data = next(lic.licence_type_id for lic in licences if lic.id == subject_id)
        if request.args.get("kind") in {k.value for k in ApplicationKind}:
            form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        operator = _new_operator(form) if form.kind.data == ApplicationKind.ADJUST_OWNER else None
        if not form.operator_registration.errors:
            try:
                application = services.receive_application(**_intake_values(form, venue, operator))
            except LicensingError as exc:
                attach_error(form, exc)
            else:
                db.session.commit()
                flash(_("Application %(ref)s received. Legal deadline: %(due)s.", ref=application.ref,
                        due=application.due_on.strftime("%d/%m/%Y")), "success")
                return redirect(url_for("applications.detail", application_id=application.id))
    status = 400 if request.method == "POST" else 200
    categories = {t.id: t.category.value for t in queries.licence_types(active_only=True)}
    return render_template("applications/new.html", form=form, venue=venue, licences=licences,
                           type_categories=categories), status


def _intake_values(form: ApplicationForm, venue: Venue, operator) -> dict:
    kind = form.kind.data
    location = kind == LOCATION_CHANGE
    subject = db.session.get(Licence, form.subject_licence_id.data) if form.subject_licence_id.data else None
    changes = {"add_rooms": form.cleaned_add_rooms, "remove_rooms": list(form.remove_rooms.data or []),
               "add_sports": [{"sport_id": s, "sells_instruction": bool(form.add_sports_instruction.data),
                               "open_water": False} for s in form.add_sports.data or []],
               "remove_sports": list(form.remove_sports.data or []), "description": form.notes.data}
    return {"licence_type": db.session.get(LicenceType, form.licence_type_id.data),
            "kind": ApplicationKind.ADJUST_ROOMS if location else ApplicationKind(kind), "venue": venue,
            "channel": form.channel.data, "received_on": form.received_on.data, "prepared_by": current_user,
            "operator": operator, "subject_licence": subject, "changes": changes, "event_name": form.event_name.data,
            "event_starts_on": form.event_starts_on.data, "event_ends_on": form.event_ends_on.data,
            "notes": form.notes.data, "location_change": location}


# ------------------------------------------------------------------------------------------------ dossier page
def _forms(application: Application, **given) -> dict:
    """Every form of the dossier page, with ``given`` ones (carrying errors) in place of fresh ones."""
    version = application.version_id
    forms = {
        "transition": TransitionForm(formdata=None, on=today_local(), version_id=version),
        "decision": DecisionForm(formdata=None, on=today_local(), version_id=version),
        "document": PrerequisiteForm(formdata=None),
        "checklist": ChecklistForm(formdata=None, items=application.checklist, version_id=version),
        "appraisal": AppraisalForm(formdata=None, appraised_on=application.appraised_on or today_local(),
                                   no_inner_latch={True: "yes", False: "no"}.get(application.no_inner_latch, ""),
                                   no_non_fire_alarm={True: "yes", False: "no"}.get(application.no_non_fire_alarm,
                                                                                    ""),
                                   notes=application.appraisal_notes, version_id=version),
        "rooms": RoomAreasForm(formdata=None, version_id=version, rooms=[
            {"room_id": r.id, "area_m2": r.area_m2} for r in application.venue.active_rooms]),
        "payment": PaymentForm(formdata=None, paid_on=today_local(), amount=application.fee_outstanding or None),
        "fee": FeeForm(formdata=None, version_id=version),
        "assign": AssignForm(formdata=None, officer_id=application.assigned_to_id),
    }
    forms.update(given)
    forms["checklist"].items.choices = options([(d["key"], d.get(lang()) or d.get("en", d["key"]))
                                                for d in application.licence_type.required_documents])
    forms["assign"].officer_id.choices = options([(u.id, u.full_name) for u in officers()])
    return forms


def render_detail(application: Application, status: int = 200, **given):
    """The dossier page (status 400 with the failed form in ``given``)."""
    verdict = dossier.verdict(application) if application.is_open else None
    quote = FeeQuote.from_dict(application.fee_breakdown)
    can_decide = can(Permission.APPLICATION_DECIDE) and application.prepared_by_id != current_user.id
    return render_template(
        "applications/detail.html", application=application, forms=_forms(application, **given),
        verdict=verdict, quote=quote, days=queries.days_left(application),
        next_statuses=[s for s in services.allowed_transitions(application) if s not in services.DECISIONS],
        decisions=[s for s in services.allowed_transitions(application) if s in services.DECISIONS],
        problems=services.approval_problems(application) if application.is_open else [],
        can_decide=can_decide, documents=dossier.venue_documents(application.venue_id),
        current_docs={k.value: dossier.rules.current_documents(dossier.venue_documents(application.venue_id),
                                                               k.value)[:1] for k in PrerequisiteKind},
        rooms_after=dossier.rooms_after(application) if application.venue.kind.has_rooms else [],
        sports_after=dossier.sports_after(application), transitions=_transitions(application),
        new_owner=application.operator if application.kind == ApplicationKind.ADJUST_OWNER else None,
        previous_owner=db.session.get(Operator, application.changes.get("previous_operator_id"))
        if application.changes.get("previous_operator_id") else None,
        sports=_sport_names(application), today=today_local(),
        processing_days=services.processing_days(application)), status


def _transitions(application: Application):
    ids = {t.by_id for t in application.transitions if t.by_id}
    users = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all()) if ids else {}
    return [(t, users.get(t.by_id)) for t in application.transitions]


def _sport_names(application: Application) -> dict[int, str]:
    changes = application.changes
    ids = [a["sport_id"] for a in changes.get("add_sports", [])] + list(changes.get("remove_sports", []))
    if not ids:
        return {}
    return {s.id: s.name(lang()) for s in db.session.execute(select(Sport).where(Sport.id.in_(ids))).scalars()}


@bp.get("/<int:application_id>")
@require(Permission.APPLICATION_VIEW)
def detail(application_id: int):
    """The dossier, step by step: papers, eligibility, fee, appraisal, decision, history."""
    return render_detail(load_application(application_id))


def _done(application: Application, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("applications.detail", application_id=application.id, _anchor=request.form.get(
        "anchor", "") or None))


@bp.post("/<int:application_id>/transition")
@require(Permission.APPLICATION_EDIT)
def transition(application_id: int):
    """Move the dossier to its next status (needs completion, accepted, appraisal, delivered, withdrawn)."""
    application = load_application(application_id)
    form = TransitionForm()
    if form.validate_on_submit():
        try:
            check_version(application, form.version_id.data)
            to = ApplicationStatus(form.to.data)
            services.transition(application, to, by=current_user, on=form.on.data, reason=form.reason.data)
        except ConcurrentEditError as exc:
            flash(str(exc), "danger")
            return render_detail(application, 409, transition=form)
        except ValueError as exc:
            if isinstance(exc, LicensingError):
                attach_error(form, exc)
            else:
                flash(_("Choose one of the actions offered."), "danger")
        else:
            return _done(application, _("Application %(ref)s is now “%(status)s”.", ref=application.ref,
                                        status=_label(to)))
    return render_detail(application, 400, transition=form)


def _label(value) -> str:
    from registry.common.labels import label

    return label(value)


@bp.post("/<int:application_id>/decide")
@require(Permission.APPLICATION_DECIDE)
def decide(application_id: int):
    """A manager approves (issuing the licence) or refuses, with reasons."""
    application = load_application(application_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            check_version(application, form.version_id.data)
            licence = services.decide(application, approve=form.decision.data == "approve", by=current_user,
                                      reason=form.reason.data, on=form.on.data)
        except ConcurrentEditError as exc:
            flash(str(exc), "danger")
            return render_detail(application, 409, decision=form)
        except LicensingError as exc:
            db.session.rollback()
            application = load_application(application_id)
            attach_error(form, exc)
        else:
            if licence is None:
                return _done(application, _("Application %(ref)s refused.", ref=application.ref))
            db.session.commit()
            flash(_("Approved: licence %(number)s issued and its PDF stored.", number=licence.number_display),
                  "success")
            return redirect(url_for("licences.detail", licence_id=licence.id))
    return render_detail(application, 400, decision=form)


@bp.post("/<int:application_id>/documents")
@require(Permission.APPLICATION_EDIT)
def add_document(application_id: int):
    """Record a prerequisite certificate for the venue."""
    application = load_application(application_id)
    form = PrerequisiteForm()
    if form.validate_on_submit():
        try:
            services.add_prerequisite(application.venue, kind=form.kind.data, number=form.number.data,
                                      issued_on=form.issued_on.data, issuer=form.issuer.data,
                                      expires_on=form.expires_on.data, notes=form.notes.data)
        except LicensingError as exc:
            attach_error(form, exc)
        else:
            return _done(application, _("Document recorded."))
    return render_detail(application, 400, document=form)


@bp.post("/<int:application_id>/checklist")
@require(Permission.APPLICATION_EDIT)
def checklist(application_id: int):
    """Tick the papers handed in."""
    application = load_application(application_id)
    form = ChecklistForm()
    form.items.choices = options([(d["key"], d["key"]) for d in application.licence_type.required_documents])
    if form.validate_on_submit():
        try:
            check_version(application, form.version_id.data)
            services.set_checklist(application, form.items.data or [])
        except (LicensingError, ConcurrentEditError) as exc:
            flash(str(exc), "danger")
        else:
            return _done(application, _("Checklist saved."))
    return render_detail(application, 400, checklist=form)


@bp.post("/<int:application_id>/appraisal")
@require(Permission.APPLICATION_EDIT)
def appraisal(application_id: int):
    """Record the on-site appraisal findings."""
    application = load_application(application_id)
    form = AppraisalForm()
    if form.validate_on_submit():
        try:
            check_version(application, form.version_id.data)
            services.record_appraisal(application, appraised_on=form.appraised_on.data,
                                      no_inner_latch=tri_state(form.no_inner_latch.data),
                                      no_non_fire_alarm=tri_state(form.no_non_fire_alarm.data),
                                      notes=form.notes.data)
        except ConcurrentEditError as exc:
            flash(str(exc), "danger")
            return render_detail(application, 409, appraisal=form)
        except LicensingError as exc:
            attach_error(form, exc)
        else:
            return _done(application, _("Appraisal findings saved."))
    return render_detail(application, 400, appraisal=form)


@bp.post("/<int:application_id>/rooms")
@require(Permission.APPLICATION_EDIT)
def rooms(application_id: int):
    """Correct room areas as measured at appraisal (written to the venue register, with history)."""
    application = load_application(application_id)
    form = RoomAreasForm()
    if form.validate_on_submit():
        areas = {}
        for entry in form.rooms.entries:
            room_id = entry.form.room_id.data or ""
            if (room_pk := parse_id(room_id)) is not None:
                areas[room_pk] = Decimal(entry.form.area_m2.data)
        try:
            check_version(application, form.version_id.data)
            changed = services.correct_rooms(application, areas, by=current_user)
        except ConcurrentEditError as exc:
            flash(str(exc), "danger")
            return render_detail(application, 409, rooms=form)
        except LicensingError as exc:
            attach_error(form, exc)
        else:
            message = _("Room areas saved in the venue register.") if changed else _("No area changed.")
            if changed and application.payments == [] and dossier.fee_quote(application).total != application.fee_due:
                message += " " + _("The fee changes with the rooms: recalculate it.")
            return _done(application, message)
    return render_detail(application, 400, rooms=form)


@bp.post("/<int:application_id>/fee")
@require(Permission.APPLICATION_EDIT)
def fee(application_id: int):
    """Recalculate the fee from the schedule."""
    application = load_application(application_id)
    form = FeeForm()
    if form.validate_on_submit():
        try:
            services.recalculate_fee(application)
        except LicensingError as exc:
            flash(str(exc), "danger")
        else:
            return _done(application, _("Fee recalculated."))
    return render_detail(application, 400, fee=form)


@bp.post("/<int:application_id>/payments")
@require(Permission.APPLICATION_EDIT)
def payment(application_id: int):
    """Record a fee payment with its receipt."""
    application = load_application(application_id)
    form = PaymentForm()
    if form.validate_on_submit():
        try:
            services.record_payment(application, receipt_number=form.receipt_number.data,
                                    paid_on=form.paid_on.data, amount=form.amount.data, by=current_user)
        except LicensingError as exc:
            attach_error(form, exc)
        else:
            return _done(application, _("Payment recorded."))
    return render_detail(application, 400, payment=form)


@bp.post("/<int:application_id>/assign")
@require(Permission.APPLICATION_EDIT)
def assign(application_id: int):
    """Give the application to an officer."""
    application = load_application(application_id)
    form = AssignForm()
    form.officer_id.choices = options([(u.id, u.full_name) for u in officers()])
    if form.validate_on_submit():
        try:
            services.assign(application, db.session.get(User, form.officer_id.data))
        except LicensingError as exc:
            flash(str(exc), "danger")
        else:
            return _done(application, _("Officer changed."))
    return render_detail(application, 400, assign=form)

"""Venue pages: list with search and export, detail with timeline, register, edit, close, rooms, sports, staff."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from registry.common import audit
from registry.common.concurrency import ConcurrentEditError, check_version
from registry.common.exports import csv_response, xlsx_response
from registry.common.labels import label
from registry.common.permissions import Permission, require
from registry.db import today_local
from registry.errors import render_error
from registry.extensions import db
from registry.i18n import current_language
from registry.reference.models import Sport
from registry.venues import queries, services
from registry.venues.conflicts import render_conflict
from registry.venues.forms import (
    CloseForm,
    NewVenueForm,
    RoomRowForm,
    RoomsForm,
    SportsForm,
    StaffForm,
    StaffRowForm,
    VenueForm,
    VersionOnlyForm,
    set_staff_row_choices,
)
from registry.venues.models import Operator, Venue, VenueKind, VenueStatus
from registry.venues.services import VenueError
from registry.venues.timeline import describe

bp = Blueprint("venues", __name__, url_prefix="/venues")

VENUE_FORM_FIELDS = ("name", "kind", "house_number", "street", "ward_id", "latitude", "longitude", "phone",
                     "capacity", "opens_at", "closes_at", "status", "notes")


def venue_or_404(venue_id: int) -> Venue:
    """The venue with what its pages show, or 404.

    :raises werkzeug.exceptions.NotFound: if there is no such venue.
    """
    venue = queries.load_venue(venue_id)
    if venue is None:
        abort(404)
    return venue


def _list_args():
    filters = queries.VenueFilters.from_args(request.args)
    sort = request.args.get("sort") if request.args.get("sort") in queries.SORTS else "name"
    return filters, sort


@bp.get("/")
@require(Permission.VENUE_VIEW)
def index():
    """Search, filter and page through the register."""
    filters, sort = _list_args()
    page = queries.search_venues(filters, sort, request.args.get("after"))
    operator = db.session.get(Operator, filters.operator_id) if filters.operator_id else None
    return render_template("venues/index.html", page=page, filters=filters, sort=sort, operator=operator,
                           areas=queries.area_choices(), args=dict(filters.as_args(), sort=sort),
                           kinds=list(VenueKind), statuses=list(VenueStatus))


EXPORT_FORMATS = ("csv", "xlsx")


def _export_header() -> list[str]:
    return [_("Reference"), _("Trading name"), _("Kind"), _("Status"), _("Operator"), _("Registration number"),
            _("House number"), _("Street"), _("Ward or commune"), _("District"), _("City"), _("Phone"),
            _("Capacity"), _("Opens at"), _("Closes at"), _("Rooms in use"), _("Latitude"), _("Longitude"),
            _("Registered on"), _("Closed on")]


def _export_rows(filters, sort, spreadsheet: bool):
    labels = {m: label(m) for m in (*VenueKind, *VenueStatus)}  # once, not once per row

    def text(value):
        return None if value is None else (value if spreadsheet else str(value))

    for r in queries.export_venues(filters, sort):
        yield [r.ref, r.name, labels[r.kind], labels[r.status], r.operator_name, r.registration_number,
               r.house_number, r.street, r.ward_name, r.district_name, r.city, r.phone, r.capacity,
               r.opens_at.strftime("%H:%M") if r.opens_at else None,
               r.closes_at.strftime("%H:%M") if r.closes_at else None,
               r.room_count if r.kind.has_rooms else None, text(r.latitude), text(r.longitude),
               r.created_at.date().isoformat(), r.closed_on.isoformat() if r.closed_on else None]


@bp.get("/export.<fmt>")
@require(Permission.VENUE_EXPORT)
def export(fmt: str):
    """Download the filtered list as CSV or XLSX (the export itself is audited)."""
    if fmt not in EXPORT_FORMATS:
        abort(404)
    filters, sort = _list_args()
    db.session.commit()  # end the read transaction of the sign-in check; the audit write begins its own
    g.write_transaction = True
    audit.record("venue.export", changes={"format": fmt, "filters": filters.as_args(), "sort": sort})
    db.session.commit()
    g.write_transaction = False  # the export itself only reads: don't hold the write lock while streaming
    name = f"venues-{today_local().isoformat()}.{fmt}"
    header = _export_header()
    if fmt == "csv":
        return csv_response(name, header, _export_rows(filters, sort, spreadsheet=False))
    return xlsx_response(name, _("Venues"), header, _export_rows(filters, sort, spreadsheet=True))


@bp.get("/<int:venue_id>")
@require(Permission.VENUE_VIEW)
def detail(venue_id: int):
    """A venue's facts, rooms or sports and staff, and its timeline."""
    venue = venue_or_404(venue_id)
    before = request.args.get("before", type=int)
    events, older = queries.timeline(venue_id=venue.id, before=before)
    return render_template("venues/detail.html", venue=venue, entries=describe(events), older=older,
                           before=before, state_form=VersionOnlyForm(version_id=venue.version_id),
                           lang=current_language())


# ----------------------------------------------------------------------------------------------- register / edit
def _venue_data(form: VenueForm) -> dict:
    data = {name: form[name].data for name in VENUE_FORM_FIELDS if name in form}
    data["operator"] = form.operator
    return data


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.VENUE_EDIT)
def new():
    """Register a venue for a registered operator, with its rooms."""
    form = NewVenueForm(ward_choices=queries.ward_choices())
    if request.method == "GET":
        operator = db.session.get(Operator, request.args.get("operator", type=int) or 0)
        if operator is not None:
            form.operator_number.data = operator.registration_number
        kind = request.args.get("kind")
        if kind in {k.value for k in VenueKind}:
            form.kind.data = VenueKind(kind)
    elif "add_room" in request.form:
        form.rooms.append_entry()
        return _render_new(form)
    elif form.validate_on_submit():
        try:
            venue = services.create_venue(_venue_data(form), form.cleaned_rooms, by_user_id=current_user.id)
        except VenueError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(name)s is registered.", name=venue.name), "success")
            return redirect(url_for(".detail", venue_id=venue.id))
    return _render_new(form)


def _operator_hint(number: str | None) -> Operator | None:
    if not number:
        return None
    return db.session.execute(select(Operator).where(Operator.registration_number == number)).scalar_one_or_none()


def _render_new(form):
    return render_template("venues/form.html", form=form, venue=None, row_template=RoomRowForm(
        prefix="rooms-__index__-"), operator=form.operator or _operator_hint(form.operator_number.data))


@bp.route("/<int:venue_id>/edit", methods=["GET", "POST"])
@require(Permission.VENUE_EDIT)
def edit(venue_id: int):
    """Change a venue's facts (optimistic locking: a concurrent edit is refused with 409, input kept)."""
    venue = venue_or_404(venue_id)
    form = VenueForm(obj=venue, ward_choices=queries.ward_choices(keep_id=venue.ward_id),
                     current_operator_id=venue.operator_id)
    if request.method == "GET":
        form.operator_number.data = venue.operator.registration_number
    if venue.is_closed:
        del form.status
    if form.validate_on_submit():
        try:
            check_version(venue, form.version_id.data)
            services.update_venue(venue, _venue_data(form))
        except ConcurrentEditError as exc:
            db.session.rollback()
            return render_conflict("venues/form.html", form, venue, exc, venue=venue, row_template=None,
                                   operator=None)
        except VenueError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Changes to %(name)s are saved.", name=venue.name), "success")
            return redirect(url_for(".detail", venue_id=venue.id))
    return render_template("venues/form.html", form=form, venue=venue, row_template=None, operator=None)


@bp.route("/<int:venue_id>/close", methods=["GET", "POST"])
@require(Permission.VENUE_EDIT)
def close(venue_id: int):
    """Close a venue on a date, with the reason."""
    venue = venue_or_404(venue_id)
    form = CloseForm()
    if request.method == "GET":
        form.version_id.data, form.closed_on.data = venue.version_id, today_local()
    elif form.validate_on_submit():
        try:
            check_version(venue, form.version_id.data)
            services.close_venue(venue, form.closed_on.data, form.reason.data)
        except ConcurrentEditError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            form.version_id.data = venue.version_id
            return render_template("venues/close.html", form=form, venue=venue), 409
        except VenueError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(name)s is recorded as closed.", name=venue.name), "success")
            return redirect(url_for(".detail", venue_id=venue.id))
    return render_template("venues/close.html", form=form, venue=venue)


@bp.post("/<int:venue_id>/reopen")
@require(Permission.VENUE_EDIT)
def reopen(venue_id: int):
    """Reopen a closed venue."""
    venue = venue_or_404(venue_id)
    form = VersionOnlyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        check_version(venue, form.version_id.data)
        services.reopen_venue(venue)
    except ConcurrentEditError as exc:
        db.session.rollback()
        return render_error(409, str(exc))
    except VenueError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("%(name)s is operating again.", name=venue.name), "success")
    return redirect(url_for(".detail", venue_id=venue.id))


# ----------------------------------------------------------------------------------------------- rooms
@bp.route("/<int:venue_id>/rooms", methods=["GET", "POST"])
@require(Permission.VENUE_EDIT)
def rooms(venue_id: int):
    """Add, change, take out of use or remove rooms; every change keeps the previous version."""
    venue = venue_or_404(venue_id)
    if not venue.kind.has_rooms:
        flash(_("Only karaoke and dance-hall venues have rooms."), "warning")
        return redirect(url_for(".detail", venue_id=venue.id))
    form = RoomsForm(kind=venue.kind)
    status = 200
    if request.method == "GET":
        for room in venue.rooms:
            form.rooms.append_entry({"room_id": str(room.id), "code": room.code, "area_m2": room.area_m2,
                                     "active": room.active})
        form.rooms.append_entry()
        form.version_id.data = venue.version_id
    elif "add_room" in request.form:
        form.rooms.append_entry()
    elif form.validate_on_submit():
        try:
            check_version(venue, form.version_id.data)
            changes = services.set_rooms(venue, form.cleaned_rooms, by_user_id=current_user.id)
        except ConcurrentEditError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            form.version_id.data = venue.version_id
            status = 409
        except VenueError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            if changes:
                flash(_("Rooms saved: %(n)d change(s) recorded.", n=len(changes)), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for(".detail", venue_id=venue.id) + "#rooms")
    current = {str(r.id): r for r in venue.rooms}
    return render_template("venues/rooms.html", form=form, venue=venue, current=current,
                           row_template=RoomRowForm(prefix="rooms-__index__-")), status


@bp.get("/<int:venue_id>/rooms/history")
@require(Permission.VENUE_VIEW)
def room_history(venue_id: int):
    """Every version of every room, with when it applied and who changed it."""
    venue = venue_or_404(venue_id)
    return render_template("venues/room_history.html", venue=venue, history=queries.room_history(venue.id))


# ----------------------------------------------------------------------------------------------- sports and staff
def _catalogue(lang: str) -> list[Sport]:
    from registry.common.text import fold

    return sorted(db.session.execute(select(Sport)).scalars(), key=lambda s: fold(s.name(lang)))


@bp.route("/<int:venue_id>/sports", methods=["GET", "POST"])
@require(Permission.VENUE_EDIT)
def sports(venue_id: int):
    """Pick the sports a facility offers from the catalogue."""
    venue = venue_or_404(venue_id)
    if venue.kind != VenueKind.SPORTS:
        flash(_("Only sports facilities offer sports."), "warning")
        return redirect(url_for(".detail", venue_id=venue.id))
    lang = current_language()
    catalogue = _catalogue(lang)
    form = SportsForm(catalogue_ids={s.id for s in catalogue})
    status = 200
    if request.method == "GET":
        offered = {vs.sport_id: vs for vs in venue.sports}
        for sport in catalogue:
            vs = offered.get(sport.id)
            form.sports.append_entry({"sport_id": str(sport.id), "offered": vs is not None,
                                      "sells_instruction": bool(vs and vs.sells_instruction),
                                      "open_water": bool(vs and vs.open_water)})
        form.version_id.data = venue.version_id
    elif form.validate_on_submit():
        try:
            check_version(venue, form.version_id.data)
            services.set_sports(venue, form.cleaned_sports)
        except ConcurrentEditError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            form.version_id.data = venue.version_id
            status = 409
        except VenueError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Sports saved."), "success")
            return redirect(url_for(".detail", venue_id=venue.id) + "#sports")
    by_id = {str(s.id): s for s in catalogue}
    return render_template("venues/sports.html", form=form, venue=venue, by_id=by_id, lang=lang), status


def _sport_choices(venue: Venue, lang: str) -> list[SelectChoice]:
    return [SelectChoice(str(vs.sport_id), vs.sport.name(lang)) for vs in venue.sports]


@bp.route("/<int:venue_id>/staff", methods=["GET", "POST"])
@require(Permission.VENUE_EDIT)
def staff(venue_id: int):
    """Record instructors, rescue and medical staff with their qualifications."""
    venue = venue_or_404(venue_id)
    if venue.kind != VenueKind.SPORTS:
        flash(_("Only sports facilities record sports staff."), "warning")
        return redirect(url_for(".detail", venue_id=venue.id))
    lang = current_language()
    choices = _sport_choices(venue, lang)
    form = StaffForm(sport_choices=choices)
    status = 200
    if request.method == "GET":
        for person in venue.staff:
            form.staff.append_entry({"staff_id": str(person.id), "full_name": person.full_name,
                                     "role": person.role, "qualification": person.qualification,
                                     "document_number": person.document_number, "sport_id": person.sport_id,
                                     "active": person.active})
        form.staff.append_entry()
        form.version_id.data = venue.version_id
    elif "add_person" in request.form:
        form.staff.append_entry()
    elif form.validate_on_submit():
        try:
            check_version(venue, form.version_id.data)
            services.set_staff(venue, form.cleaned_staff)
        except ConcurrentEditError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            form.version_id.data = venue.version_id
            status = 409
        except VenueError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Staff saved."), "success")
            return redirect(url_for(".detail", venue_id=venue.id) + "#staff")
    for entry in form.staff.entries:
        set_staff_row_choices(entry.form, choices)
    template_row = StaffRowForm(prefix="staff-__index__-")
    set_staff_row_choices(template_row, choices)
    return render_template("venues/staff.html", form=form, venue=venue, row_template=template_row), status

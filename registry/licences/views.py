"""``/licences``: the licence register (filters, search, export), the licence page and its measures, and the
clerk's desk (their home page)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from registry.common import audit
from registry.common.concurrency import ConcurrentEditError, check_version
from registry.common.exports import csv_response, xlsx_response
from registry.common.labels import label
from registry.common.permissions import Permission, require
from registry.db import today_local
from registry.extensions import db
from registry.licences import lifecycle, queries
from registry.licences.errors import LicensingError
from registry.licences.forms import CESSATION_REASONS, CeaseForm, LiftForm, RevokeForm, SuspendForm
from registry.licences.models import Licence, LicenceStatus, Sanction, SanctionKind, category_label, fee_unit_label
from registry.licences.viewhelpers import attach_error
from registry.reference.models import AdminUnit, UnitLevel

bp = Blueprint("licences", __name__, url_prefix="/licences")


@bp.app_template_filter("licence_category")
def licence_category_filter(value) -> str:
    """``{{ t.category|licence_category }}``."""
    return category_label(value)


@bp.app_template_filter("fee_unit")
def fee_unit_filter(value) -> str:
    """``{{ rule.unit|fee_unit }}``."""
    return fee_unit_label(value)


@bp.app_template_global("licences_for_venue")
def venue_licences(venue_id: int) -> dict:
    """``{"current": [...], "past": [...]}`` for ``templates/licences/_venue_licences.html`` on the venue page."""
    return queries.licences_for_venue(venue_id)


def districts() -> list[AdminUnit]:
    return list(db.session.execute(select(AdminUnit).where(AdminUnit.level == UnitLevel.DISTRICT)
                                   .order_by(AdminUnit.valid_to.is_not(None), AdminUnit.name)).scalars())


@bp.get("/desk")
@require(Permission.APPLICATION_VIEW)
def clerk_home():
    """The clerk's start page: what is overdue, what falls due soon, what waits for papers, quick actions."""
    return render_template("licences/desk.html", desk=queries.desk(current_user), today=today_local(),
                           days=queries.days_left)


@bp.get("/")
@require(Permission.LICENCE_VIEW)
def index():
    """Licences, newest first, with filters and search by number or venue."""
    filters = queries.LicenceFilters.from_args(request.args)
    page = queries.search_licences(filters, after=request.args.get("after"))
    return render_template("licences/index.html", page=page, filters=filters, args=filters.as_args(),
                           types=queries.licence_types(), statuses=list(LicenceStatus), districts=districts(),
                           today=today_local())


EXPORT_HEADER = ("number", "licence_type", "status", "issued_on", "valid_from", "expires_on", "venue_ref", "venue",
                 "address", "district", "operator", "registration_number", "rooms", "total_area_m2", "sports",
                 "supersedes")


def _export_rows(filters):
    for lic in queries.iter_licences(filters):
        snap = lic.snapshot
        yield (lic.number_display, lic.licence_type.code, lic.status.value, lic.issued_on.isoformat(),
               lic.valid_from.isoformat(), lic.expires_on.isoformat() if lic.expires_on else "",
               lic.venue.ref, lic.venue.name, (snap.get("venue") or {}).get("address", ""),
               lic.venue.district.name if lic.venue.district else "", lic.operator.name,
               lic.operator.registration_number, snap.get("room_count", ""), snap.get("total_area_m2", ""),
               "; ".join(s.get("code", "") for s in snap.get("sports") or []), snap.get("supersedes") or "")


@bp.get("/export")
@require(Permission.LICENCE_VIEW)
def export():
    """The filtered list as CSV or XLSX (no personal ID numbers)."""
    filters = queries.LicenceFilters.from_args(request.args)
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        abort(404)
    db.session.commit()  # end the read transaction of the sign-in check; the audit write begins its own
    g.write_transaction = True
    audit.record("licence.export", changes={"format": fmt, "filters": filters.as_args()})
    db.session.commit()
    g.write_transaction = False  # the export itself only reads: no write lock while streaming
    name = f"licences-{today_local().isoformat()}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(name, _("Licences"), EXPORT_HEADER, _export_rows(filters))
    return csv_response(name, EXPORT_HEADER, _export_rows(filters))


def _load(licence_id: int) -> Licence:
    licence = queries.load_licence(licence_id)
    if licence is None:
        abort(404)
    return licence


def render_detail(licence: Licence, status: int = 200, **given):
    """The licence page (status 400 with the failed form in ``given``)."""
    version, today = licence.version_id, today_local()
    forms = {"suspend": SuspendForm(formdata=None, starts_on=today, version_id=version),
             "revoke": RevokeForm(formdata=None, on=today, version_id=version),
             "cease": CeaseForm(formdata=None, on=today, version_id=version),
             "lift": LiftForm(formdata=None, lifted_on=today, version_id=version)}
    forms.update(given)
    snap = licence.snapshot
    event = snap.get("event") or {}
    dates = {"registration": _iso((snap.get("operator") or {}).get("registration_date")),
             "event_starts": _iso(event.get("starts_on")), "event_ends": _iso(event.get("ends_on"))}
    return render_template("licences/detail.html", licence=licence, snap=snap, dates=dates, forms=forms,
                           in_grace=lifecycle.in_grace(licence, today), today=today,
                           open_application=_open_application(licence)), status


def _iso(value):
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _open_application(licence: Licence):
    from registry.licences.models import OPEN_STATUSES, Application

    return db.session.execute(select(Application).where(Application.subject_licence_id == licence.id,
                                                        Application.status.in_(OPEN_STATUSES))).scalars().first()


@bp.get("/<int:licence_id>")
@require(Permission.LICENCE_VIEW)
def detail(licence_id: int):
    """A licence: number, status, what it licenses (from its snapshot), measures, predecessor and successors."""
    return render_detail(_load(licence_id))


def _done(licence: Licence, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("licences.detail", licence_id=licence.id))


def _measure(licence_id: int, form_cls, name: str, action):
    licence = _load(licence_id)
    form = form_cls()
    if form.validate_on_submit():
        try:
            check_version(licence, form.version_id.data)
            message = action(licence, form)
        except ConcurrentEditError as exc:
            flash(str(exc), "danger")
            return render_detail(licence, 409, **{name: form})
        except LicensingError as exc:
            attach_error(form, exc)
        else:
            return _done(licence, message)
    return render_detail(licence, 400, **{name: form})


@bp.post("/<int:licence_id>/suspend")
@require(Permission.LICENCE_SANCTION)
def suspend(licence_id: int):
    """Suspend the licence (the issuer's notice, or another agency's measure)."""
    def action(licence, form):
        sanction = lifecycle.suspend(licence, kind=form.kind.data, starts_on=form.starts_on.data,
                                     ends_on=form.ends_on.data, reason=form.reason.data,
                                     document_number=form.document_number.data,
                                     issuing_body=form.issuing_body.data, by=current_user)
        if sanction.kind == SanctionKind.SUSPENSION:  # the issuer's own notice; other agencies issue theirs
            from registry.documents.notices import issue_suspension_notice

            issue_suspension_notice(licence, sanction, issued_by=current_user)
        return _("Licence %(number)s suspended.", number=licence.number_display)

    return _measure(licence_id, SuspendForm, "suspend", action)


@bp.post("/<int:licence_id>/sanctions/<int:sanction_id>/lift")
@require(Permission.LICENCE_SANCTION)
def lift(licence_id: int, sanction_id: int):
    """Lift one suspension."""
    sanction = db.session.get(Sanction, sanction_id)
    if sanction is None or sanction.licence_id != licence_id:
        abort(404)

    def action(licence, form):
        lifecycle.lift_suspension(sanction, lifted_on=form.lifted_on.data, reason=form.reason.data, by=current_user)
        if licence.status == LicenceStatus.ACTIVE:
            return _("Suspension lifted: licence %(number)s is valid again.", number=licence.number_display)
        return _("Suspension lifted; another suspension is still in force.")

    return _measure(licence_id, LiftForm, "lift", action)


@bp.post("/<int:licence_id>/revoke")
@require(Permission.LICENCE_SANCTION)
def revoke(licence_id: int):
    """Revoke the licence."""
    def action(licence, form):
        sanction = lifecycle.revoke(licence, on=form.on.data, reason=form.reason.data,
                                    document_number=form.document_number.data, issuing_body=form.issuing_body.data,
                                    by=current_user)
        from registry.documents.notices import issue_revocation_decision

        issue_revocation_decision(licence, sanction, issued_by=current_user)
        return _("Licence %(number)s revoked.", number=licence.number_display)

    return _measure(licence_id, RevokeForm, "revoke", action)


@bp.post("/<int:licence_id>/cease")
@require(Permission.LICENCE_SANCTION)
def cease(licence_id: int):
    """Record that the holder stopped trading (surrender, closure)."""
    def action(licence, form):
        cause = dict(CESSATION_REASONS).get(form.cause.data, "")
        reason = f"{cause}. {form.reason.data}" if form.reason.data else str(cause)
        lifecycle.cease(licence, on=form.on.data, reason=reason, document_number=form.document_number.data,
                        by=current_user)
        return _("Licence %(number)s recorded as ceased (%(status)s).", number=licence.number_display,
                 status=label(LicenceStatus.CEASED))

    return _measure(licence_id, CeaseForm, "cease", action)

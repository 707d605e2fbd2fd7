"""``/config``: the administrator's licensing configuration — licence types, fee schedules, the holiday calendar,
issuing authorities and signers, protected sites."""
from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import extract, func, select
from sqlalchemy.orm import selectinload

from registry.common.concurrency import ConcurrentEditError, check_version
from registry.common.fields import options
from registry.common.permissions import Permission, require
from registry.common.text import fold, parse_id
from registry.db import today_local
from registry.extensions import db
from registry.licences import config_services as cs
from registry.licences.config_forms import (
    AuthorityForm,
    DeleteForm,
    FeeRuleForm,
    FeeScheduleForm,
    HolidayForm,
    LicenceTypeForm,
    ProtectedSiteForm,
    SignerForm,
)
from registry.licences.errors import LicensingError
from registry.licences.models import (
    FeeRule,
    FeeSchedule,
    IssuingAuthority,
    LicenceType,
    ProtectedSite,
    ProtectedSiteKind,
    Signer,
)
from registry.licences.viewhelpers import attach_error
from registry.reference.models import Holiday

bp = Blueprint("config", __name__, url_prefix="/config")


def _get(model, row_id: int):
    row = db.session.get(model, row_id)
    if row is None:
        abort(404)
    return row


def _form_page(form, *, title: str, back: str, fields: list[str], status: int = 200, intro: str | None = None,
               delete_url: str | None = None):
    return render_template("config/form.html", form=form, title=title, back=back, fields=fields, intro=intro,
                           delete_url=delete_url, delete_form=DeleteForm()), status


def _saved(message: str, endpoint: str, **values):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


@bp.get("/")
@require(Permission.CONFIG_MANAGE)
def index():
    """What a city configures, with counts."""
    counts = {
        "types": db.session.execute(select(func.count()).select_from(LicenceType)).scalar_one(),
        "schedules": db.session.execute(select(func.count()).select_from(FeeSchedule)).scalar_one(),
        "holidays": db.session.execute(select(func.count()).select_from(Holiday)).scalar_one(),
        "authorities": db.session.execute(select(func.count()).select_from(IssuingAuthority)).scalar_one(),
        "sites": db.session.execute(select(func.count()).select_from(ProtectedSite)).scalar_one(),
    }
    return render_template("config/index.html", counts=counts)


# ------------------------------------------------------------------------------------------------ licence types
TYPE_FIELDS = ["code", "category", "name_vi", "name_en", "title_vi", "title_en", "symbol", "authority_id",
               "default_signer_id", "term_months", "grace_days", "processing_days", "adjustment_processing_days",
               "procedure_code", "legal_basis_vi", "legal_basis_en", "required_documents_json", "rules_json",
               "conditions_json", "eligibility_note_vi", "eligibility_note_en", "active"]


@bp.get("/licence-types")
@require(Permission.CONFIG_MANAGE)
def licence_types():
    """Licence types."""
    rows = db.session.execute(select(LicenceType).options(selectinload(LicenceType.authority),
                                                          selectinload(LicenceType.default_signer))
                              .order_by(LicenceType.category, LicenceType.code)).scalars().all()
    return render_template("config/licence_types.html", rows=rows)


def _type_choices(form: LicenceTypeForm) -> None:
    authorities = db.session.execute(select(IssuingAuthority).order_by(IssuingAuthority.name)).scalars().all()
    form.authority_id.choices = options([("", _("Choose…"))] + [(a.id, f"{a.name} ({a.code})")
                                                                for a in authorities])
    signers = db.session.execute(select(Signer).order_by(Signer.full_name)).scalars().all()
    form.default_signer_id.choices = options([("", _("None"))] + [
        (s.id, f"{s.full_name} — {s.prefix + ' ' if s.prefix else ''}{s.position}") for s in signers])


def _pretty(text: str) -> str:
    return json.dumps(json.loads(text or "[]"), ensure_ascii=False, indent=2)


@bp.route("/licence-types/new", methods=["GET", "POST"])
@bp.route("/licence-types/<int:type_id>", methods=["GET", "POST"])
@require(Permission.CONFIG_MANAGE)
def licence_type(type_id: int | None = None):
    """Add or edit a licence type (rules and documents as JSON, checked before saving)."""
    row = _get(LicenceType, type_id) if type_id else None
    form = LicenceTypeForm(obj=row) if row else LicenceTypeForm(active=True, grace_days=0, processing_days=5,
                                                                 adjustment_processing_days=4,
                                                                 required_documents_json="[]", rules_json="[]",
                                                                 conditions_json="[]")
    _type_choices(form)
    if row and request.method == "GET":
        for name in ("required_documents_json", "rules_json", "conditions_json"):
            getattr(form, name).data = _pretty(getattr(row, name))
    if row:
        form.code.data, form.category.data = row.code, row.category  # fixed once created
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in TYPE_FIELDS}
        for name in ("required_documents_json", "rules_json", "conditions_json"):
            values[name] = json.dumps(getattr(form, name).parsed, ensure_ascii=False)
        for name in ("legal_basis_vi", "legal_basis_en", "eligibility_note_vi", "eligibility_note_en"):
            values[name] = values[name] or ""
        values["active"] = bool(values["active"])
        try:
            if row is not None:
                check_version(row, form.version_id.data)
            cs.check_code_free(LicenceType, values["code"], row.id if row else None)
            row = row or LicenceType()
            cs.save(row, values, what="licence_type", key=values["code"])
        except ConcurrentEditError as exc:
            flash(str(exc), "danger")
            return _form_page(form, title=_("Licence type"), back=url_for("config.licence_types"),
                              fields=TYPE_FIELDS, status=409)
        except LicensingError as exc:
            attach_error(form, exc)
        else:
            return _saved(_("Licence type %(code)s saved. Licences already issued keep what they printed.",
                            code=row.code), "config.licence_types")
    status = 400 if request.method == "POST" else 200
    fields = TYPE_FIELDS if row is None else [f for f in TYPE_FIELDS if f not in ("code", "category")]
    title = _("Licence type %(code)s", code=row.code) if row else _("New licence type")
    return _form_page(form, title=title, back=url_for("config.licence_types"), fields=fields, status=status,
                      intro=_("Rule kinds: min_room_area, protected_distance, opening_hours, prerequisites, "
                              "sports_staffing, declared, event_period."))


# ------------------------------------------------------------------------------------------------ fees
SCHEDULE_FIELDS = ["code", "name_vi", "name_en", "legal_basis_vi", "legal_basis_en", "effective_from",
                   "effective_to", "verified", "note"]
RULE_FIELDS = ["category", "kind", "tier", "unit", "min_units", "max_units", "amount", "per_unit", "cap",
               "label_vi", "label_en", "verified", "note"]


@bp.get("/fees")
@require(Permission.CONFIG_MANAGE)
def fees():
    """Fee schedules with their rules."""
    rows = db.session.execute(select(FeeSchedule).options(selectinload(FeeSchedule.rules))
                              .order_by(FeeSchedule.effective_from.desc(), FeeSchedule.code)).scalars().all()
    return render_template("config/fees.html", rows=rows, today=today_local())


@bp.route("/fees/new", methods=["GET", "POST"])
@bp.route("/fees/<int:schedule_id>", methods=["GET", "POST"])
@require(Permission.CONFIG_MANAGE)
def fee_schedule(schedule_id: int | None = None):
    """Add or edit a fee schedule."""
    row = _get(FeeSchedule, schedule_id) if schedule_id else None
    form = FeeScheduleForm(obj=row) if row else FeeScheduleForm(verified=False)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in SCHEDULE_FIELDS}
        values.update(verified=bool(values["verified"]), legal_basis_vi=values["legal_basis_vi"] or "",
                      legal_basis_en=values["legal_basis_en"] or "")
        try:
            if row is not None:
                check_version(row, form.version_id.data)
            cs.check_code_free(FeeSchedule, values["code"], row.id if row else None)
            row = row or FeeSchedule()
            cs.save(row, values, what="fee_schedule", key=values["code"])
        except (ConcurrentEditError, LicensingError) as exc:
            attach_error(form, exc) if isinstance(exc, LicensingError) else flash(str(exc), "danger")
        else:
            return _saved(_("Fee schedule saved."), "config.fees")
    status = 400 if request.method == "POST" else 200
    return _form_page(form, title=_("Fee schedule"), back=url_for("config.fees"), fields=SCHEDULE_FIELDS,
                      status=status)


@bp.route("/fees/<int:schedule_id>/rules/new", methods=["GET", "POST"])
@bp.route("/fees/rules/<int:rule_id>", methods=["GET", "POST"])
@require(Permission.CONFIG_MANAGE)
def fee_rule(schedule_id: int | None = None, rule_id: int | None = None):
    """Add or edit a line of a fee schedule."""
    row = _get(FeeRule, rule_id) if rule_id else None
    schedule = row.schedule if row else _get(FeeSchedule, schedule_id)
    form = FeeRuleForm(obj=row) if row else FeeRuleForm(verified=schedule.verified)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in RULE_FIELDS}
        values.update(verified=bool(values["verified"]), amount=values["amount"] or 0,
                      per_unit=values["per_unit"] or 0, schedule_id=schedule.id)
        try:
            if row is not None:
                check_version(row, form.version_id.data)
            row = row or FeeRule()
            cs.save(row, values, what="fee_rule", key=f"{schedule.code}: {values['label_en']}")
        except ConcurrentEditError as exc:
            flash(str(exc), "danger")
        else:
            return _saved(_("Fee rule saved."), "config.fees", _anchor=f"schedule-{schedule.id}")
    status = 400 if request.method == "POST" else 200
    return _form_page(form, title=_("Fee rule of %(schedule)s", schedule=schedule.code),
                      back=url_for("config.fees"), fields=RULE_FIELDS, status=status,
                      delete_url=url_for("config.fee_rule_delete", rule_id=row.id) if row else None,
                      intro=_("Amounts are whole đồng. A rule counting rooms or sports applies when their number "
                              "is within From–To; the amount is the flat amount plus the amount per unit, capped."))


@bp.post("/fees/rules/<int:rule_id>/delete")
@require(Permission.CONFIG_MANAGE)
def fee_rule_delete(rule_id: int):
    """Remove a fee rule (fees already recorded on applications stay as charged)."""
    row = _get(FeeRule, rule_id)
    if DeleteForm().validate_on_submit():
        cs.delete(row, what="fee_rule", key=f"{row.schedule.code}: {row.label_en}")
        return _saved(_("Fee rule removed."), "config.fees")
    abort(400)


# ------------------------------------------------------------------------------------------------ holidays
HOLIDAY_FIELDS = ["day", "kind", "name_vi", "name_en", "verified"]


@bp.get("/holidays")
@require(Permission.CONFIG_MANAGE)
def holidays():
    """The working-day calendar of one year."""
    years = [y for (y,) in db.session.execute(select(extract("year", Holiday.day).label("y")).distinct()
                                              .order_by("y")).all()]
    year_arg = request.args.get("year", "")
    year = parse_id(year_arg, max_digits=4) or 0
    year = year if 1900 < year < 3000 else today_local().year
    rows = db.session.execute(select(Holiday).where(Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31))
                              .order_by(Holiday.day)).scalars().all()
    return render_template("config/holidays.html", rows=rows, year=year,
                           years=sorted({int(y) for y in years} | {year}))


def _holiday_saved(message: str, year: int):
    moved = cs.recompute_due_dates()
    if moved:
        message += " " + _("%(n)d open applications have a new due date.", n=moved)
    return _saved(message, "config.holidays", year=year)


@bp.route("/holidays/new", methods=["GET", "POST"])
@bp.route("/holidays/<int:holiday_id>", methods=["GET", "POST"])
@require(Permission.CONFIG_MANAGE)
def holiday(holiday_id: int | None = None):
    """Add or edit a day of the calendar; open applications' due dates are recounted."""
    row = _get(Holiday, holiday_id) if holiday_id else None
    form = HolidayForm(obj=row) if row else HolidayForm(verified=True)
    if form.validate_on_submit():
        taken = db.session.execute(select(Holiday.id).where(Holiday.day == form.day.data)).first()
        if taken is not None and (row is None or taken[0] != row.id):
            form.day.errors.append(_("This day is already in the calendar."))
        else:
            values = {name: getattr(form, name).data for name in HOLIDAY_FIELDS}
            values["verified"] = bool(values["verified"])
            row = row or Holiday()
            cs.save(row, values, what="holiday", key=values["day"].isoformat())
            return _holiday_saved(_("Calendar saved."), values["day"].year)
    status = 400 if request.method == "POST" else 200
    return _form_page(form, title=_("Calendar day"), back=url_for("config.holidays"), fields=HOLIDAY_FIELDS,
                      status=status, delete_url=url_for("config.holiday_delete", holiday_id=row.id) if row else None,
                      intro=_("List every day of an official break, weekend days included. A make-up working day "
                              "is a Saturday or Sunday worked in exchange for a bridge day."))


@bp.post("/holidays/<int:holiday_id>/delete")
@require(Permission.CONFIG_MANAGE)
def holiday_delete(holiday_id: int):
    """Remove a day from the calendar."""
    row = _get(Holiday, holiday_id)
    if DeleteForm().validate_on_submit():
        year = row.day.year
        cs.delete(row, what="holiday", key=row.day.isoformat())
        return _holiday_saved(_("Day removed from the calendar."), year)
    abort(400)


# ------------------------------------------------------------------------------------------------ authorities
AUTHORITY_FIELDS = ["code", "parent_body", "parent_body_en", "name", "name_en", "abbreviation", "place_name",
                    "valid_from", "valid_to", "active"]
SIGNER_FIELDS = ["authority_id", "full_name", "prefix", "prefix_en", "position", "position_en", "active"]


@bp.get("/authorities")
@require(Permission.CONFIG_MANAGE)
def authorities():
    """Issuing authorities and their signers."""
    rows = db.session.execute(select(IssuingAuthority).order_by(IssuingAuthority.active.desc(),
                                                                IssuingAuthority.name)).scalars().all()
    signers = db.session.execute(select(Signer).order_by(Signer.full_name)).scalars().all()
    by_authority: dict[int, list] = {}
    for signer in signers:
        by_authority.setdefault(signer.authority_id, []).append(signer)
    return render_template("config/authorities.html", rows=rows, signers=by_authority)


@bp.route("/authorities/new", methods=["GET", "POST"])
@bp.route("/authorities/<int:authority_id>", methods=["GET", "POST"])
@require(Permission.CONFIG_MANAGE)
def authority(authority_id: int | None = None):
    """Add or edit an issuing authority."""
    row = _get(IssuingAuthority, authority_id) if authority_id else None
    form = AuthorityForm(obj=row) if row else AuthorityForm(active=True)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in AUTHORITY_FIELDS}
        values.update(active=bool(values["active"]), parent_body=values["parent_body"] or "",
                      parent_body_en=values["parent_body_en"] or "")
        try:
            cs.check_code_free(IssuingAuthority, values["code"], row.id if row else None)
        except LicensingError as exc:
            attach_error(form, exc)
        else:
            row = row or IssuingAuthority()
            cs.save(row, values, what="authority", key=values["code"])
            return _saved(_("Authority saved. Licences already issued keep the header they printed."),
                          "config.authorities")
    status = 400 if request.method == "POST" else 200
    return _form_page(form, title=_("Issuing authority"), back=url_for("config.authorities"),
                      fields=AUTHORITY_FIELDS, status=status)


@bp.route("/signers/new", methods=["GET", "POST"])
@bp.route("/signers/<int:signer_id>", methods=["GET", "POST"])
@require(Permission.CONFIG_MANAGE)
def signer(signer_id: int | None = None):
    """Add or edit a signer."""
    row = _get(Signer, signer_id) if signer_id else None
    form = SignerForm(obj=row) if row else SignerForm(active=True)
    form.authority_id.choices = options([("", _("Choose…"))] + [
        (a.id, a.name) for a in db.session.execute(select(IssuingAuthority).order_by(IssuingAuthority.name)).scalars()])
    if request.method == "GET" and row is None and parse_id(request.args.get("authority")) is not None:
        form.authority_id.data = parse_id(request.args.get("authority"))
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in SIGNER_FIELDS}
        values["active"] = bool(values["active"])
        row = row or Signer()
        cs.save(row, values, what="signer", key=values["full_name"])
        return _saved(_("Signer saved."), "config.authorities")
    status = 400 if request.method == "POST" else 200
    return _form_page(form, title=_("Signer"), back=url_for("config.authorities"), fields=SIGNER_FIELDS,
                      status=status)


# ------------------------------------------------------------------------------------------------ protected sites
SITE_FIELDS = ["name", "kind", "address", "latitude", "longitude", "active", "verified", "source"]


@bp.get("/protected-sites")
@require(Permission.CONFIG_MANAGE)
def protected_sites():
    """Schools, hospitals, religious sites and relics used by the dance-hall distance rule."""
    query = select(ProtectedSite).order_by(ProtectedSite.kind, ProtectedSite.name, ProtectedSite.id)
    kind = request.args.get("kind", "")
    if kind in {k.value for k in ProtectedSiteKind}:
        query = query.where(ProtectedSite.kind == kind)
    rows = db.session.execute(query).scalars().all()
    q = fold((request.args.get("q") or "")[:100])
    if q:
        rows = [r for r in rows if q in fold(f"{r.name} {r.address or ''}")]
    return render_template("config/protected_sites.html", rows=rows, kind=kind, q=request.args.get("q", "")[:100],
                           kinds=list(ProtectedSiteKind))


def _site_code(name: str) -> str:
    base = "SITE-" + "".join(c for c in fold(name).upper().replace(" ", "-") if c.isalnum() or c == "-")[:40]
    code, n = base, 1
    while cs.code_taken(ProtectedSite, code):
        n += 1
        code = f"{base}-{n}"
    return code


@bp.route("/protected-sites/new", methods=["GET", "POST"])
@bp.route("/protected-sites/<int:site_id>", methods=["GET", "POST"])
@require(Permission.CONFIG_MANAGE)
def protected_site(site_id: int | None = None):
    """Add or edit a protected site."""
    row = _get(ProtectedSite, site_id) if site_id else None
    form = ProtectedSiteForm(obj=row) if row else ProtectedSiteForm(active=True)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in SITE_FIELDS}
        values.update(active=bool(values["active"]), verified=bool(values["verified"]))
        try:
            if row is not None:
                check_version(row, form.version_id.data)
            if row is None:
                row = ProtectedSite(code=_site_code(values["name"]))
            cs.save(row, values, what="protected_site", key=row.code)
        except ConcurrentEditError as exc:
            flash(str(exc), "danger")
        else:
            return _saved(_("Protected site saved."), "config.protected_sites")
    status = 400 if request.method == "POST" else 200
    return _form_page(form, title=_("Protected site"), back=url_for("config.protected_sites"), fields=SITE_FIELDS,
                      status=status,
                      delete_url=url_for("config.protected_site_delete", site_id=row.id) if row else None)


@bp.post("/protected-sites/<int:site_id>/delete")
@require(Permission.CONFIG_MANAGE)
def protected_site_delete(site_id: int):
    """Remove a protected site."""
    row = _get(ProtectedSite, site_id)
    if DeleteForm().validate_on_submit():
        cs.delete(row, what="protected_site", key=row.code)
        return _saved(_("Protected site removed."), "config.protected_sites")
    abort(400)

"""Operator pages: list with search and export, detail with venues and timeline, register, edit, close."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from registry.common import audit
from registry.common.concurrency import ConcurrentEditError, check_version
from registry.common.exports import csv_response, xlsx_response
from registry.common.labels import label
from registry.common.permissions import Permission, require
from registry.db import today_local
from registry.errors import render_error
from registry.extensions import db
from registry.venues import queries, services
from registry.venues.conflicts import render_conflict
from registry.venues.forms import CloseForm, OperatorForm, VersionOnlyForm
from registry.venues.models import Operator, OperatorKind
from registry.venues.services import OPERATOR_FIELDS, VenueError
from registry.venues.timeline import describe

bp = Blueprint("operators", __name__, url_prefix="/operators")


def operator_or_404(operator_id: int) -> Operator:
    """The operator, or 404.

    :raises werkzeug.exceptions.NotFound: if there is no such operator.
    """
    operator = db.session.get(Operator, operator_id)
    if operator is None:
        abort(404)
    return operator


def _list_args():
    filters = queries.OperatorFilters.from_args(request.args)
    sort = request.args.get("sort") if request.args.get("sort") in queries.SORTS else "name"
    return filters, sort


@bp.get("/")
@require(Permission.VENUE_VIEW)
def index():
    """Search and page through operators."""
    filters, sort = _list_args()
    page = queries.search_operators(filters, sort, request.args.get("after"))
    return render_template("operators/index.html", page=page, filters=filters, sort=sort,
                           args=dict(filters.as_args(), sort=sort), kinds=list(OperatorKind))


@bp.get("/export.<fmt>")
@require(Permission.VENUE_EXPORT)
def export(fmt: str):
    """Download the filtered operator list as CSV or XLSX (audited)."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    filters, sort = _list_args()
    db.session.commit()
    g.write_transaction = True
    audit.record("operator.export", changes={"format": fmt, "filters": filters.as_args(), "sort": sort})
    db.session.commit()
    g.write_transaction = False
    header = [_("Name"), _("Legal form"), _("Registration number"), _("Registration date"), _("Head office"),
              _("Legal representative"), _("Responsible for security and order"), _("Phone"), _("E-mail"),
              _("Venues"), _("Closed on")]
    rows = []
    after = None
    while True:  # keyset pages of 1,000 rows keep memory flat
        page = queries.search_operators(filters, sort, after, limit=1000)
        rows.extend([o.name, label(o.kind), o.registration_number,
                     o.registration_date.isoformat() if o.registration_date else None, o.head_office,
                     o.legal_rep_name, o.security_person_name, o.phone, o.email, n,
                     o.closed_on.isoformat() if o.closed_on else None] for o, n in page.rows)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    name = f"operators-{today_local().isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_response(name, header, rows)
    return xlsx_response(name, _("Operators"), header, rows)


@bp.get("/<int:operator_id>")
@require(Permission.VENUE_VIEW)
def detail(operator_id: int):
    """An operator's details, its venues, and its timeline."""
    operator = operator_or_404(operator_id)
    before = request.args.get("before", type=int)
    events, older = queries.timeline(operator_id=operator.id, before=before)
    return render_template("operators/detail.html", operator=operator, venues=queries.operator_venues(operator.id),
                           entries=describe(events), older=older, before=before,
                           state_form=VersionOnlyForm(version_id=operator.version_id))


def _data(form: OperatorForm) -> dict:
    return {name: form[name].data for name in OPERATOR_FIELDS}


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.VENUE_EDIT)
def new():
    """Register an operator."""
    form = OperatorForm()
    if form.validate_on_submit():
        try:
            operator = services.create_operator(_data(form))
        except VenueError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(name)s is registered. You can now register its venues.", name=operator.name), "success")
            return redirect(url_for(".detail", operator_id=operator.id))
    return render_template("operators/form.html", form=form, operator=None)


@bp.route("/<int:operator_id>/edit", methods=["GET", "POST"])
@require(Permission.VENUE_EDIT)
def edit(operator_id: int):
    """Change an operator's details (a concurrent edit is refused with 409, input kept)."""
    operator = operator_or_404(operator_id)
    form = OperatorForm(obj=operator, operator_id=operator.id)
    if form.validate_on_submit():
        try:
            check_version(operator, form.version_id.data)
            services.update_operator(operator, _data(form))
        except ConcurrentEditError as exc:
            db.session.rollback()
            return render_conflict("operators/form.html", form, operator, exc, operator=operator)
        except VenueError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Changes to %(name)s are saved.", name=operator.name), "success")
            return redirect(url_for(".detail", operator_id=operator.id))
    return render_template("operators/form.html", form=form, operator=operator)


@bp.route("/<int:operator_id>/close", methods=["GET", "POST"])
@require(Permission.VENUE_EDIT)
def close(operator_id: int):
    """Record that an operator stopped trading (its venues must be closed first)."""
    operator = operator_or_404(operator_id)
    form = CloseForm()
    if request.method == "GET":
        form.version_id.data, form.closed_on.data = operator.version_id, today_local()
    elif form.validate_on_submit():
        try:
            check_version(operator, form.version_id.data)
            services.close_operator(operator, form.closed_on.data, form.reason.data)
        except ConcurrentEditError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            form.version_id.data = operator.version_id
            return render_template("operators/close.html", form=form, operator=operator), 409
        except VenueError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(name)s is recorded as closed.", name=operator.name), "success")
            return redirect(url_for(".detail", operator_id=operator.id))
    return render_template("operators/close.html", form=form, operator=operator)


@bp.post("/<int:operator_id>/reopen")
@require(Permission.VENUE_EDIT)
def reopen(operator_id: int):
    """Reopen a closed operator."""
    operator = operator_or_404(operator_id)
    form = VersionOnlyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        check_version(operator, form.version_id.data)
        services.reopen_operator(operator)
    except ConcurrentEditError as exc:
        db.session.rollback()
        return render_error(409, str(exc))
    except VenueError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("%(name)s is active again.", name=operator.name), "success")
    return redirect(url_for(".detail", operator_id=operator.id))

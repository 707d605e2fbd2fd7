"""Read-only lists of the reference data staff need: administrative units (with codes, for imports) and sports."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from registry.common.permissions import Permission, require
from registry.common.text import fold
from registry.db import today_local
from registry.extensions import db
from registry.i18n import current_language
from registry.reference.models import AdminUnit, Sport, UnitLevel

bp = Blueprint("reference", __name__, url_prefix="/reference")


@bp.get("/units")
@require(Permission.VENUE_VIEW)
def units():
    """Administrative units: those valid today, or all including former ones (``?all=1``)."""
    show_all = request.args.get("all") == "1"
    today = today_local()
    rows = db.session.execute(select(AdminUnit).options(joinedload(AdminUnit.parent))).scalars().all()
    if not show_all:
        rows = [u for u in rows if u.valid_on(today)]
    order = {UnitLevel.PROVINCE: 0, UnitLevel.DISTRICT: 1, UnitLevel.COMMUNE: 2}
    rows.sort(key=lambda u: (order[u.level], not u.valid_on(today), fold(u.parent.short_name) if u.parent else "",
                             fold(u.short_name)))
    return render_template("reference/units.html", units=rows, show_all=show_all, today=today)


@bp.get("/sports")
@require(Permission.VENUE_VIEW)
def sports():
    """The sports catalogue with its Circular 04/2019 flags."""
    lang = current_language()
    rows = sorted(db.session.execute(select(Sport)).scalars(), key=lambda s: fold(s.name(lang)))
    return render_template("reference/sports.html", sports=rows, lang=lang)

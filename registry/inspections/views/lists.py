"""Lists: the inspector's day, all visits, the risk queue and the workload."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from registry.common.permissions import Permission, require
from registry.db import today_local
from registry.i18n import current_language
from registry.inspections import queries, risk, services
from registry.inspections.models import InspectionKind, InspectionStatus
from registry.inspections.views.shared import bp, render


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
    planner = services.can_plan(current_user)
    prompts = queries.suspension_prompts() if planner else []
    leads = queries.conductor_choices() if planner else []
    return render("inspections/index.html", page=page, filters=filters, args=filters.as_args(),
                           prompts=prompts, leads=leads, today=today_local(), statuses=list(InspectionStatus),
                           kinds=list(InspectionKind))


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

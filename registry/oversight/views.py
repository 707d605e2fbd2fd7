"""The manager's pages: dashboard of what falls due (home of the manager role), due lists and their exports, chart
tables, reminder preview → send → delivery log, consequence rules, and reports."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select

from registry.common import audit
from registry.common.exports import csv_response, xlsx_response
from registry.common.labels import label
from registry.common.permissions import Permission, require
from registry.db import today_local
from registry.extensions import db
from registry.i18n import current_language
from registry.oversight import queries, reminders, reports, rules, trends
from registry.oversight.charts import render as render_chart
from registry.oversight.forms import (
    ApplyRulesForm,
    DueFilterForm,
    PeriodForm,
    RegisterReportForm,
    ReminderForm,
    ReminderSendForm,
    YearsForm,
)
from registry.oversight.models import ConsequenceRule, LicenceFlag, ReminderDigest, ReminderNotice, ReminderRun
from registry.oversight.sources import DueQuery, first_link, sources

bp = Blueprint("oversight", __name__)


@bp.app_template_filter("oversight_options")
def _oversight_options(field):
    """``field|oversight_options``: the options of a filter select (a filter, so imported macros see it)."""
    from registry.oversight.forms import options_html

    return options_html(field)

EXPORT_FORMATS = ("csv", "xlsx")
DASHBOARD_ROWS = 20


def _filter_form() -> tuple[DueFilterForm, dict]:
    choices = queries.filter_choices(current_language())
    form = DueFilterForm(request.args, choices=choices, sources=sources())
    form.validate()
    return form, choices


def _query(form: DueFilterForm) -> DueQuery:
    return DueQuery(today=today_local(), filters=form.filters(), lang=current_language())


def _links(items) -> dict:
    """``{(kind, id): url}`` of the items whose record page exists."""
    out = {}
    for item in items:
        found = first_link(item, current_app.view_functions)
        if found is not None:
            out[item.key] = url_for(found[0], **found[1])
    return out


@dataclass
class Row:
    """A due item with its words computed once per page (each distinct date, day count and label is formatted
    once: a page of 50 rows repeats them, and each translation or date format goes through Flask-Babel)."""

    item: object
    kind_label: str
    due_text: str
    days_text: str
    badge: str
    grace_text: str = ""


def _rows(items) -> list[Row]:
    from flask_babel import ngettext

    from registry.common.formatting import fmt_date

    dates: dict = {}
    days: dict = {}
    kinds = {s.key: str(s.short_label) for s in sources()}

    def date_text(d):
        if d not in dates:
            dates[d] = fmt_date(d)
        return dates[d]

    def days_text(item):
        key = (item.working_days, item.days_left)
        if key not in days:
            n = abs(item.days_left)
            if item.days_left == 0 and not item.overdue:
                days[key] = _("due today")
            elif item.working_days:
                days[key] = (ngettext("%(num)d working day overdue", "%(num)d working days overdue", n)
                             if item.days_left < 0 else
                             ngettext("%(num)d working day left", "%(num)d working days left", n))
            else:
                days[key] = (ngettext("%(num)d day overdue", "%(num)d days overdue", n) if item.days_left < 0
                             else ngettext("%(num)d day left", "%(num)d days left", n))
        return days[key]

    rows = []
    for item in items:
        badge = ("text-bg-danger" if item.overdue or item.days_left == 0 else
                 "text-bg-warning" if item.days_left <= 7 else "text-bg-light border")
        grace = _("grace period until %(date)s", date=date_text(item.grace_until)) if item.in_grace else ""
        rows.append(Row(item, kinds.get(item.kind, item.kind), date_text(item.due_on), days_text(item), badge,
                        grace))
    return rows


def _names(choices: dict) -> dict:
    wards = {w[0]: w[1] for w in choices["wards"]}
    return {"district": dict(choices["districts"]), "ward": wards, "type": dict(choices["types"]),
            "officer": dict(choices["officers"])}


# ------------------------------------------------------------------ dashboard
@bp.get("/dashboard")
@require(Permission.DASHBOARD_VIEW)
def dashboard():
    """What expires or falls due in 30/60/90 days and what is overdue, with charts (the manager's home page)."""
    form, choices = _filter_form()
    q = _query(form)
    counts = queries.bucket_counts(q)
    page = queries.due_page(queries.window_query(q, "due30"), limit=DASHBOARD_ROWS)
    return render_template("oversight/dashboard.html", form=form, q=q, counts=counts, page=page,
                           rows=_rows(page.items), links=_links(page.items), names=_names(choices),
                           sources={s.key: s for s in sources()}, charts_html=_charts_html(q),
                           args=q.filters.as_args(), horizons=queries.HORIZONS)


def _charts_html(q: DueQuery) -> Markup:
    """The trends section, rendered once per filters, day and language and cached with the chart data."""

    def render() -> Markup:
        charts = trends.dashboard_charts(q.filters, q.today)
        html = render_template("oversight/_charts.html", charts=[(c, render_chart(c)) for c in charts],
                               args=q.filters.as_args())
        return Markup(html)  # noqa: S704 (the output of an autoescaped template)

    return trends.cached(("charts_html", q.filters, q.today, current_language()), render)


@bp.get("/dashboard/due")
@require(Permission.DASHBOARD_VIEW)
def due():
    """The full list of due items for one window, filterable, 50 per page (keyset)."""
    form, choices = _filter_form()
    q = _query(form)
    window = form.chosen_window()
    page = queries.due_page(queries.window_query(q, window), form.chosen_kinds(),
                            limit=current_app.config.get("PAGE_SIZE", 50), after=request.args.get("after"))
    args = {**q.filters.as_args(), "window": window, "what": form.what.data if form.chosen_kinds() else None}
    from registry.oversight.forms import WINDOW_LABELS

    kinds = form.chosen_kinds()
    return render_template("oversight/due.html", form=form, q=q, page=page, rows=_rows(page.items),
                           links=_links(page.items),
                           names=_names(choices), window=window, args={k: v for k, v in args.items() if v},
                           window_label=WINDOW_LABELS[window], sources={s.key: s for s in sources()},
                           what_label=sources(kinds)[0].label if kinds else None)


def _export_row(item, names: dict, links: dict) -> list:
    src = item.source
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    return [item.due_on.isoformat(), item.days_left, _("working days") if item.working_days else _("days"),
            _("yes") if item.overdue else "", item.grace_until.isoformat() if item.in_grace and item.grace_until
            else "", str(src.label), item.label, item.title, item.detail, item.venue_name, item.operator_name,
            names["district"].get(item.district_id, ""), names["ward"].get(item.ward_id, ""),
            label_kind(item.venue_kind), names["type"].get(item.licence_type_id, ""),
            names["officer"].get(item.officer_id, ""), "; ".join(item.affected),
            base + links[item.key] if item.key in links else ""]


def label_kind(kind: str | None) -> str:
    from registry.venues.models import VenueKind

    return label(VenueKind(kind)) if kind else ""


EXPORT_HEADER = (
    "Due date", "Days left", "Counted in", "Overdue", "Grace period until", "What", "Record", "Title", "Detail",
    "Venue", "Operator", "District", "Ward or commune", "Venue kind", "Licence type", "Responsible officer",
    "Licences affected", "Link")


@bp.get("/dashboard/due.<fmt>")
@require(Permission.DASHBOARD_VIEW)
def due_export(fmt: str):
    """Every item of the chosen window and filters as CSV (streamed) or XLSX (up to OVERSIGHT_XLSX_MAX_ROWS)."""
    if fmt not in EXPORT_FORMATS:
        abort(404)
    form, choices = _filter_form()
    q = queries.window_query(_query(form), form.chosen_window())
    kinds = form.chosen_kinds()
    _audit_export("oversight.export", {"format": fmt, "window": form.chosen_window(), "what": kinds,
                                       "filters": q.filters.as_args()})
    names = _names(choices)
    header = [_(h) for h in EXPORT_HEADER]
    name = f"due-{q.today.isoformat()}.{fmt}"

    def rows():
        for batch in _batches(queries.iter_due(q, kinds)):
            links = _links(batch)
            for item in batch:
                yield _export_row(item, names, links)

    if fmt == "csv":
        return csv_response(name, header, rows())
    return _xlsx_or_refuse(name, _("Due"), header, rows())


def _batches(items, size: int = 500):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _xlsx_or_refuse(name: str, title: str, header, rows):
    """An XLSX workbook is built in memory: above the configured size, ask for the CSV (which streams)."""
    limit = int(current_app.config.get("OVERSIGHT_XLSX_MAX_ROWS", 50_000))
    kept = []
    for row in rows:
        kept.append(row)
        if len(kept) > limit:
            flash(_("More than %(n)s rows: please download the CSV file instead (it has no size limit).",
                    n=f"{limit:,}"), "warning")
            return redirect(request.referrer or url_for(".dashboard"))
    return xlsx_response(name, title, header, kept)


def _audit_export(action: str, details: dict) -> None:
    db.session.commit()  # end the read transaction; the audit write begins its own
    g.write_transaction = True
    audit.record(action, changes=details)
    db.session.commit()
    g.write_transaction = False  # the export itself only reads


@bp.get("/dashboard/charts/<name>.<fmt>")
@require(Permission.DASHBOARD_VIEW)
def chart_export(name: str, fmt: str):
    """The table behind one dashboard chart, as CSV or XLSX."""
    if fmt not in EXPORT_FORMATS:
        abort(404)
    form, _choices = _filter_form()
    q = _query(form)
    chart = next((c for c in trends.dashboard_charts(q.filters, q.today) if c.name == name), None)
    if chart is None:
        abort(404)
    header, rows = chart.table()
    filename = f"{name}-{q.today.isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, chart.title, header, rows)


# ------------------------------------------------------------------ reminders
def _reminder_form():
    form = ReminderForm(request.args)
    valid = form.validate() if request.args else True  # no arguments: the defaults, no "required" message
    horizon = form.horizon.data if valid and form.horizon.data is not None else 30
    channel = form.channel.data if valid and form.channel.data else "email"
    return form, horizon, channel


@bp.get("/reminders/")
@require(Permission.DASHBOARD_VIEW)
def reminders_preview():
    """Who would receive what, in their language, before anything is sent."""
    form, horizon, channel = _reminder_form()
    today = today_local()
    plan = reminders.plan(today, horizon, channel=channel)
    recent = db.session.execute(select(ReminderRun).order_by(ReminderRun.id.desc()).limit(5)).scalars().all()
    send_form = ReminderSendForm(horizon=horizon, channel=channel)
    return render_template("oversight/reminders.html", form=form, send_form=send_form, plan=plan, today=today,
                           recent=recent, horizon=horizon, channel=channel)


@bp.get("/reminders/preview/<int:operator_id>")
@require(Permission.DASHBOARD_VIEW)
def reminder_digest(operator_id: int):
    """One operator's digest exactly as it would be sent (subject, text and HTML, in their language)."""
    form, horizon, channel = _reminder_form()
    today = today_local()
    plan = reminders.plan(today, horizon, channel=channel, operator_ids=[operator_id])
    digest = next((d for d in plan.digests if d.operator_id == operator_id), None)
    if digest is None:
        abort(404)
    rendered = digest.render(today) if digest.to_send else None
    return render_template("oversight/digest.html", digest=digest, rendered=rendered, horizon=horizon,
                           channel=channel, today=today)


@bp.get("/reminders/preview/<int:operator_id>.pdf")
@require(Permission.DASHBOARD_VIEW)
def reminder_letter_preview(operator_id: int):
    """The letter one operator would receive, as a PDF (a preview: nothing is recorded)."""
    from registry.documents.pdf import render_pdf
    from registry.oversight import digests

    _form, horizon, channel = _reminder_form()
    today = today_local()
    plan = reminders.plan(today, horizon, channel=channel, operator_ids=[operator_id])
    digest = next((d for d in plan.digests if d.operator_id == operator_id and d.to_send), None)
    if digest is None:
        abort(404)
    context = digests.letters_context([digests.letter(digest.render(today), today=today)], today=today)
    return Response(render_pdf(digests.LETTER_TEMPLATE, context), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="reminder-preview-{operator_id}.pdf"'})


@bp.post("/reminders/send")
@require(Permission.REMINDER_SEND)
def reminders_send():
    """Send the digests of the preview (each notice at most once) and show the delivery log of the run."""
    form = ReminderSendForm()
    if not form.validate_on_submit():
        flash(_("The reminders were not sent: %(errors)s",
                errors="; ".join(e for errs in form.errors.values() for e in errs)), "danger")
        return redirect(url_for(".reminders_preview"))
    try:
        result = reminders.send(today_local(), form.horizon.data, channel=form.channel.data, trigger="web")
    except reminders.ReminderError as exc:
        flash(str(exc), "danger")
        return redirect(url_for(".reminders_preview"))
    if result.failures:
        flash(_("%(sent)d digest(s) sent, %(failed)d could not be delivered: see the log below.",
                sent=result.digests_sent, failed=result.failures), "warning")
    elif result.digests_sent:
        flash(_("%(sent)d digest(s) sent (%(notices)d notices).", sent=result.digests_sent,
                notices=result.notices_sent), "success")
    else:
        flash(_("Nothing new to send: every notice in this horizon was already sent."), "info")
    return redirect(url_for(".reminder_run", run_id=result.run_id))


@bp.get("/reminders/runs/")
@require(Permission.DASHBOARD_VIEW)
def reminder_runs():
    """Every run, newest first (keyset on id)."""
    before = request.args.get("before", type=int)
    stmt = select(ReminderRun).order_by(ReminderRun.id.desc()).limit(51)
    if before:
        stmt = stmt.where(ReminderRun.id < before)
    runs = db.session.execute(stmt).scalars().all()
    older = runs[50].id + 1 if len(runs) > 50 else None
    return render_template("oversight/runs.html", runs=runs[:50], older=older)


@bp.get("/reminders/runs/<int:run_id>")
@require(Permission.DASHBOARD_VIEW)
def reminder_run(run_id: int):
    """The delivery log of one run: each digest, its recipient, status and notices."""
    run = db.session.get(ReminderRun, run_id)
    if run is None:
        abort(404)
    digests = db.session.execute(select(ReminderDigest).where(ReminderDigest.run_id == run.id)
                                 .order_by(ReminderDigest.id)).scalars().all()
    from registry.venues.models import Operator

    operators = dict(db.session.execute(select(Operator.id, Operator.name).where(
        Operator.id.in_({d.operator_id for d in digests}))).all()) if digests else {}
    notices = db.session.execute(select(ReminderNotice).where(ReminderNotice.digest_id.in_(
        [d.id for d in digests])).order_by(ReminderNotice.id)).scalars().all() if digests else []
    by_digest: dict[int, list] = {}
    for n in notices:
        by_digest.setdefault(n.digest_id, []).append(n)
    return render_template("oversight/run.html", run=run, digests=digests, operators=operators,
                           notices=by_digest, sources={s.key: s for s in sources()})


# ------------------------------------------------------------------ consequence rules
@bp.get("/rules/")
@require(Permission.DASHBOARD_VIEW)
def rules_index():
    """The consequence rules in force and the licences they flagged."""
    rule_rows = db.session.execute(select(ConsequenceRule).order_by(ConsequenceRule.id)).scalars().all()
    open_counts = dict(db.session.execute(select(LicenceFlag.rule_id, func.count()).where(
        LicenceFlag.cleared_on.is_(None)).group_by(LicenceFlag.rule_id)).all())
    from registry.licences.models import PrerequisiteKind

    return render_template("oversight/rules.html", rules=rule_rows, open_counts=open_counts, form=ApplyRulesForm(),
                           lang=current_language(), doc_labels={k.value: label(k) for k in PrerequisiteKind})


@bp.post("/rules/apply")
@require(Permission.LICENCE_SANCTION)
def rules_apply():
    """Apply the rules now (the scheduled ``flask rules apply`` does the same)."""
    form = ApplyRulesForm()
    if not form.validate_on_submit():
        abort(400)
    result = rules.apply_rules(today_local())
    db.session.commit()
    flash(rules.describe(result), "success" if result.changed else "info")
    return redirect(url_for(".rules_index"))


# ------------------------------------------------------------------ reports
@bp.get("/reports/", endpoint="reports")
@require(Permission.REPORT_VIEW)
def reports_index():
    """The list of reports."""
    return render_template("oversight/reports/index.html", today=today_local(),
                           has_inspections=reports.inspections_installed())


def _report_response(report: reports.Report, fmt: str | None, template: str, **context):
    """HTML, or the report's table as CSV (streamed) / XLSX / PDF (short reports only)."""
    if fmt is None:
        return render_template(template, report=report, **context)
    if fmt not in (*EXPORT_FORMATS, "pdf"):
        abort(404)
    _audit_export("report.export", {"report": report.name, "format": fmt, "params": report.params})
    filename = f"{report.name}-{today_local().isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, report.header, report.rows())
    if fmt == "xlsx":
        return _xlsx_or_refuse(filename, report.title, report.header, report.rows())
    if not report.printable:
        flash(_("This report is too long to print: download the CSV or XLSX file."), "warning")
        return redirect(request.referrer or url_for(".reports"))
    pdf = reports.render_pdf(report)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/reports/register", defaults={"fmt": None})
@bp.get("/reports/register.<fmt>")
@require(Permission.REPORT_VIEW)
def report_register(fmt):
    """The register of licences on a date, by status, kind or district."""
    form = RegisterReportForm(request.args)
    form.validate()
    on = form.on.data if form.on.data and not form.on.errors else today_local()
    group = form.group.data if form.group.data and not form.group.errors else "status"
    if not form.on.errors:
        form.on.data = on  # show the date the report is for
    report = reports.register_report(on, group, lang=current_language())
    return _report_response(report, fmt, "oversight/reports/register.html", form=form)


@bp.get("/reports/processing-times", defaults={"fmt": None})
@bp.get("/reports/processing-times.<fmt>")
@require(Permission.REPORT_VIEW)
def report_processing(fmt):
    """Median and 90th percentile processing time per licence type, in working days."""
    form = PeriodForm(request.args)
    start, end = _period(form, days=365)
    report = reports.processing_report(start, end, lang=current_language())
    return _report_response(report, fmt, "oversight/reports/table.html", form=form,
                            endpoint="oversight.report_processing")


@bp.get("/reports/inspections", defaults={"fmt": None})
@bp.get("/reports/inspections.<fmt>")
@require(Permission.REPORT_VIEW)
def report_inspections(fmt):
    """Inspections and violations per month, quarter or year."""
    if not reports.inspections_installed():
        abort(404)
    form = PeriodForm(request.args)
    start, end = _period(form, days=365)
    step = form.step.data if form.step.data in ("month", "quarter", "year") and not form.step.errors else "month"
    report = reports.inspections_report(start, end, step, lang=current_language())
    return _report_response(report, fmt, "oversight/reports/table.html", form=form,
                            endpoint="oversight.report_inspections", show_step=True)


@bp.get("/reports/renewals", defaults={"fmt": None})
@bp.get("/reports/renewals.<fmt>")
@require(Permission.REPORT_VIEW)
def report_renewals(fmt):
    """Renewals per year for licence types with a term, and how many of the licences that expired were renewed."""
    form = YearsForm(request.args)
    valid = form.validate()
    this_year = today_local().year
    first = form.first.data if valid and form.first.data else this_year - 4
    last = form.last.data if valid and form.last.data else this_year
    if valid:
        form.first.data, form.last.data = first, last
    report = reports.renewals_report(first, last, lang=current_language())
    return _report_response(report, fmt, "oversight/reports/table.html", form=form,
                            endpoint="oversight.report_renewals")


@bp.get("/reports/workload", defaults={"fmt": None})
@bp.get("/reports/workload.<fmt>")
@require(Permission.REPORT_VIEW)
def report_workload(fmt):
    """Each inspector's planned, overdue and completed visits and open remedy deadlines."""
    if not reports.inspections_installed():
        abort(404)
    report = reports.workload_report(today_local())
    return _report_response(report, fmt, "oversight/reports/table.html", form=None,
                            endpoint="oversight.report_workload")


def _period(form: PeriodForm, *, days: int):
    form.validate()
    today = today_local()
    end = form.end.data if form.end.data and not form.end.errors else today
    start = form.start.data if form.start.data and not form.start.errors else end - timedelta(days=days)
    if start > end:
        start = end - timedelta(days=days)
    if not (form.start.errors or form.end.errors):
        form.start.data, form.end.data = start, end  # show the period the report covers
    return start, end

"""The audit log: every recorded action, newest first, with filters, record histories, CSV export and an
on-demand check of the hash chain.
"""
from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from registry.common import audit
from registry.common.audit import AuditChainHead, AuditEvent, VerifyResult, verify_chain
from registry.common.exports import csv_response
from registry.common.forms import NoControlChars, RegistryForm, strip_filter
from registry.common.labels import ACTION_LABELS, action_label, label
from registry.common.permissions import Permission, Role, require
from registry.common.text import parse_id
from registry.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 50
EXPORT_BATCH = 1000
#: Events checked per second by ``verify_chain`` on the reference machine (50,000 in 5.6 s), for the estimate.
VERIFY_RATE = 9000
#: Above this many events a check would outlast a web request (gunicorn's timeout): it is left to the CLI.
VERIFY_WEB_LIMIT = 300_000
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
ACTION_PATTERN = r"^[a-z_]+(\.[a-z_]*)*$"
ENTITY_PATTERN = re.compile(r"^[a-z][a-z_]{0,39}$")

#: Names of the record types events are about (their table names); others are shown as recorded.
ENTITY_LABELS: dict[str, object] = {
    "venues": _l("Venue"), "operators": _l("Operator"), "users": _l("User account"), "rooms": _l("Room"),
    "venue_sports": _l("Sport offered"), "venue_staff": _l("Sports staff"), "admin_units": _l("Administrative unit"),
    "sports": _l("Sport"), "holidays": _l("Holiday"), "licences": _l("Licence"), "applications": _l("Application"),
    "inspections": _l("Inspection"), "documents": _l("Document"), "violations": _l("Violation"),
    "sanctions": _l("Sanction"), "fee_schedules": _l("Fee schedule"), "reminders": _l("Reminder"),
}
#: Groups of actions offered in the action filter (an action code prefix → its name).
ACTION_GROUPS: dict[str, object] = {
    "venue.": _l("Venues"), "room.": _l("Rooms"), "operator.": _l("Operators"), "application.": _l("Applications"),
    "licence.": _l("Licences"), "inspection.": _l("Inspections"), "document.": _l("Documents"),
    "user.": _l("User accounts"), "auth.": _l("Sign-in and sessions"), "audit.": _l("Audit log"),
    "demo.": _l("Demo data"),
}
#: Pages that show a record, tried in order (the first registered one wins).
RECORD_ENDPOINTS: dict[str, tuple[str, ...]] = {
    "venues": ("venues.detail", "venues.show", "venues.view"),
    "operators": ("operators.detail", "operators.show", "operators.view"),
    "users": ("admin.edit_user",),
}
VERIFY_REASONS = {
    "missing event": _l("an event is missing (deleted from the log?)"),
    "broken link to the previous event": _l("its link to the previous event does not match (events removed, "
                                            "inserted or reordered?)"),
    "content does not match its hash": _l("its content was changed after it was recorded"),
    "chain head does not match the last event (events removed at the end?)":
        _l("the newest events are missing (removed from the end of the log?)"),
}


def entity_label(entity_type: str | None) -> str:
    """The translated name of a record type (its table name if none is known)."""
    if not entity_type:
        return ""
    found = ENTITY_LABELS.get(entity_type)
    return str(found) if found is not None else entity_type


def role_name(role: str | None) -> str:
    """The translated name of a recorded role ("" when the actor had none, e.g. the CLI)."""
    try:
        return label(Role(role)) if role else ""
    except ValueError:
        return role or ""


# ---------------------------------------------------------------- filters
def _in_range(form, field):
    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(_l("Enter a date between 2000 and 2100."))


class AuditFilterForm(RegistryForm):
    """Filters of the log, sent as query parameters."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validate_choice=False, validators=[
        Optional(), Length(max=60), Regexp(ACTION_PATTERN, message=_l("Choose an action from the list."))])
    actor = StringField(_l("User name"), filters=[strip_filter], validators=[
        Optional(), Length(max=80), NoControlChars()], description=_l("Exactly as shown in the log, e.g. clerk."))
    entity_type = SelectField(_l("Record type"), validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional(), _in_range])
    date_to = DateField(_l("To"), validators=[Optional(), _in_range])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = action_choices(self.action.data)
        self.entity_type.choices = [("", _("All records"))] + sorted(
            ((t, entity_label(t)) for t in db.metadata.tables if not t.startswith(("audit_", "alembic"))),
            key=lambda c: c[1].lower())

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    def query_args(self) -> dict:
        """The filters in effect, as query parameters (for links and the export)."""
        out = {"action": self.action.data, "actor": self.actor.data, "entity_type": self.entity_type.data,
               "date_from": self.date_from.data.isoformat() if self.date_from.data else None,
               "date_to": self.date_to.data.isoformat() if self.date_to.data else None}
        return {k: v for k, v in out.items() if v}


def action_choices(current: str | None) -> list[tuple[str, str]]:
    """Groups of actions ("venue.") first, then every action with a registered label."""
    groups = [(prefix, _("%(group)s — all", group=name)) for prefix, name in ACTION_GROUPS.items()]
    actions = sorted(((code, f"{action_label(code)} ({code})") for code in ACTION_LABELS), key=lambda c: c[1])
    choices = [("", _("All actions"))] + groups + actions
    if current and current not in dict(choices):
        choices.append((current, current))
    return choices


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def filtered(form: AuditFilterForm) -> Select:
    """Events matching the (validated) filters, newest first."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    action = form.action.data
    if action:
        if action.endswith("."):  # a group; LIKE, not a range: a locale collation may ignore the "."
            stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
        else:
            stmt = stmt.where(AuditEvent.action == action)
    if form.actor.data:
        stmt = stmt.where(func.lower(AuditEvent.actor_username) == form.actor.data.lower())
    if form.entity_type.data:
        stmt = stmt.where(AuditEvent.entity_type == form.entity_type.data)
    zone = local_zone()
    if form.date_from.data:
        start = datetime.combine(form.date_from.data, time.min, zone).astimezone(UTC)
        stmt = stmt.where(AuditEvent.occurred_at >= start)
    if form.date_to.data:
        end = datetime.combine(form.date_to.data + timedelta(days=1), time.min, zone).astimezone(UTC)
        stmt = stmt.where(AuditEvent.occurred_at < end)
    return stmt


# ---------------------------------------------------------------- pages of events
class EventPage:
    """A page of events (newest first) and the cursor of the next, older page."""

    def __init__(self, stmt: Select, after: int | None):
        if after:
            stmt = stmt.where(AuditEvent.id < after)
        rows = db.session.execute(stmt.limit(PAGE_SIZE + 1)).scalars().all()
        self.rows = rows[:PAGE_SIZE]
        self.next_cursor = self.rows[-1].id if len(rows) > PAGE_SIZE else None
        self.has_previous = bool(after)


def _after_arg() -> int | None:
    value = request.args.get("after", "")
    return parse_id(value, max_digits=11)


def record_url(entity_type: str | None, entity_id: int | None) -> str | None:
    """The page of a venue, operator or account, if that page exists in this installation."""
    if entity_id is None:
        return None
    for endpoint in RECORD_ENDPOINTS.get(entity_type or "", ()):
        if endpoint not in current_app.view_functions:
            continue
        for rule in current_app.url_map.iter_rules(endpoint):
            if len(rule.arguments) == 1:
                return url_for(endpoint, **{next(iter(rule.arguments)): entity_id})
    return None


class Subjects:
    """Names of the venues, operators and accounts a page of events is about (one query per kind)."""

    def __init__(self, events):
        from registry.auth.models import User
        from registry.venues.models import Operator, Venue

        ids: dict[str, set[int]] = {"venues": set(), "operators": set(), "users": set()}
        for e in events:
            if e.entity_type in ids and e.entity_id is not None:
                ids[e.entity_type].add(e.entity_id)
            if e.venue_id:
                ids["venues"].add(e.venue_id)
        self.names: dict[str, dict[int, str]] = {"venues": {}, "operators": {}, "users": {}}
        if ids["venues"]:
            self.names["venues"] = {i: f"{n} ({r})" for i, n, r in db.session.execute(
                select(Venue.id, Venue.name, Venue.ref).where(Venue.id.in_(ids["venues"])))}
        if ids["operators"]:
            self.names["operators"] = dict(db.session.execute(
                select(Operator.id, Operator.name).where(Operator.id.in_(ids["operators"]))).all())
        if ids["users"]:
            self.names["users"] = {i: f"{n} ({u})" for i, n, u in db.session.execute(
                select(User.id, User.full_name, User.username).where(User.id.in_(ids["users"])))}

    def name(self, entity_type: str | None, entity_id: int | None) -> str | None:
        return self.names.get(entity_type or "", {}).get(entity_id)


def _rows(events, subjects: Subjects | None = None) -> list[dict]:
    """What each row of the log shows, ready for the template."""
    from registry.venues.timeline import describe

    subjects = subjects or Subjects(events)
    rows = []
    for entry in describe(events):
        e = entry.event
        subject = None
        if e.entity_type:
            subject = {"type": e.entity_type, "label": entity_label(e.entity_type), "id": e.entity_id,
                       "name": subjects.name(e.entity_type, e.entity_id),
                       "url": record_url(e.entity_type, e.entity_id),
                       "history": url_for("audit.history", entity_type=e.entity_type, entity_id=e.entity_id)
                       if e.entity_id is not None and ENTITY_PATTERN.match(e.entity_type) else None}
        venue = None
        if e.venue_id and e.entity_type != "venues":
            venue = {"name": subjects.name("venues", e.venue_id) or f"#{e.venue_id}",
                     "url": record_url("venues", e.venue_id) or url_for("audit.history", entity_type="venues",
                                                                         entity_id=e.venue_id)}
        rows.append({"event": e, "title": entry.title, "who": entry.who, "role": role_name(e.actor_role),
                     "changes": _own_changes(e) or entry.changes, "subject": subject, "venue": venue})
    return rows


FILTER_NAMES = {"action": _l("Action"), "actor": _l("User name"), "entity_type": _l("Record type"),
                "date_from": _l("From"), "date_to": _l("To")}


def _own_changes(event) -> list | None:
    """Readable details of the events this page itself records (integrity checks, exports)."""
    from registry.common.formatting import fmt_number
    from registry.venues.timeline import Change

    details = event.changes
    if event.action == "audit.verify":
        result = (_("intact") if details.get("result") == "ok"
                  else _("broken at event #%(id)s", id=details.get("first_bad_id")))
        return [Change(_("Result"), new=result), Change(_("Events checked"), new=fmt_number(details.get("checked")))]
    if event.action == "audit.export":
        filters = details.get("filters") or {}
        text = "; ".join(f"{FILTER_NAMES.get(k, k)}: {v}" for k, v in filters.items()) if isinstance(
            filters, dict) else str(filters)
        return [Change(_("Filters"), new=text or _("none")), Change(_("Format"), new=str(details.get("format", "")))]
    return None


# ---------------------------------------------------------------- views
@bp.get("/")
@require(Permission.AUDIT_VIEW)
def index():
    """The whole log, newest first, with filters and the integrity check."""
    form = AuditFilterForm(formdata=request.args)
    valid = form.validate() if _has_filters() else True
    page = EventPage(filtered(form), _after_arg()) if valid else None
    args = form.query_args() if valid else {}
    check = session.pop("audit_check", None)
    if check and check.get("reason"):  # translated now, in the language of this page
        check["reason"] = str(VERIFY_REASONS.get(check["reason"], check["reason"]))
    return render_template("audit/index.html", form=form, page=page, rows=_rows(page.rows) if page else [],
                           args=args, check=check, filtering=bool(args),
                           total=_event_count(), rate=VERIFY_RATE, web_limit=VERIFY_WEB_LIMIT)


def _event_count() -> int:
    head = db.session.get(AuditChainHead, 1)
    return head.last_id if head else 0


def _has_filters() -> bool:
    return any(request.args.get(k) for k in ("action", "actor", "entity_type", "date_from", "date_to"))


@bp.get("/<entity_type>/<int:entity_id>")
@require(Permission.AUDIT_VIEW)
def history(entity_type: str, entity_id: int):
    """Everything recorded about one record (for a venue or operator, also about its rooms, licences, …)."""
    if not ENTITY_PATTERN.match(entity_type) or entity_id > 2**62:
        abort(404)
    condition = (AuditEvent.entity_type == entity_type) & (AuditEvent.entity_id == entity_id)
    if entity_type == "venues":
        condition = or_(condition, AuditEvent.venue_id == entity_id)
    elif entity_type == "operators":
        condition = or_(condition, AuditEvent.operator_id == entity_id)
    after = _after_arg()
    page = EventPage(select(AuditEvent).where(condition).order_by(AuditEvent.id.desc()), after)
    if not page.rows and not after:
        abort(404)
    subjects = Subjects(page.rows)
    return render_template("audit/history.html", page=page, rows=_rows(page.rows, subjects),
                           args={"entity_type": entity_type, "entity_id": entity_id},
                           kind=entity_label(entity_type), name=subjects.name(entity_type, entity_id),
                           entity_id=entity_id, record=record_url(entity_type, entity_id))


@bp.post("/verify")
@require(Permission.AUDIT_VIEW)
def verify():
    """Recompute the whole hash chain now and show the outcome in the integrity box."""
    total = _event_count()
    if total > VERIFY_WEB_LIMIT:
        session["audit_check"] = {"too_big": True, "checked": total}
        return redirect(url_for("audit.index") + "#integrity")
    db.session.rollback()  # end this request's write transaction before the long read
    result = _verify_in_read_transaction()
    audit.record("audit.verify", changes={"result": "ok" if result.ok else "broken", "checked": result.checked,
                                          "first_bad_id": result.first_bad_id})
    db.session.commit()
    session["audit_check"] = {"ok": result.ok, "checked": result.checked, "first_bad_id": result.first_bad_id,
                              "reason": result.reason or "",
                              "at": datetime.now(UTC).isoformat()}
    return redirect(url_for("audit.index") + "#integrity")


def _verify_in_read_transaction() -> VerifyResult:
    """Run ``verify_chain`` in its own app context and read-only transaction.

    A POST request's transactions begin with ``BEGIN IMMEDIATE`` on SQLite, which would keep every clerk from
    saving for as long as the check runs; outside a request, ``g.read_only`` makes the read a plain ``BEGIN``.
    """
    app = current_app._get_current_object()
    outcome: dict = {}

    def run():
        with app.app_context():
            g.read_only = True
            try:
                outcome["result"] = verify_chain()
            except Exception as exc:  # re-raised in the request below
                outcome["error"] = exc
            finally:
                db.session.remove()

    worker = threading.Thread(target=run, name="audit-verify")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


@bp.get("/export.csv")
@require(Permission.AUDIT_VIEW)
def export_csv():
    """The filtered log as CSV (all matching events, newest first); the export itself is recorded."""
    form = AuditFilterForm(formdata=request.args)
    if _has_filters() and not form.validate():
        flash(_("Correct the filters before exporting."), "danger")
        return redirect(url_for("audit.index", **request.args))
    g.write_transaction = True
    audit.record("audit.export", changes={"filters": form.query_args(), "format": "csv"})
    db.session.commit()
    g.write_transaction = False  # the rows are streamed in read transactions
    stmt, zone = filtered(form), local_zone()
    header = [_("Event"), _("Time (%(zone)s)", zone=zone.key), _("User"), _("Role"), _("Action"), _("Action code"),
              _("Record type"), _("Record"), _("Venue"), _("Operator"), _("IP address"), _("Request"),
              _("Changes"), _("Hash")]

    def rows():
        last = None
        while True:
            batch = db.session.execute((stmt.where(AuditEvent.id < last) if last else stmt)
                                       .limit(EXPORT_BATCH)).scalars().all()
            if not batch:
                return
            for e in batch:
                yield [e.id, e.occurred_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), e.actor_username,
                       role_name(e.actor_role), action_label(e.action), e.action, entity_label(e.entity_type),
                       e.entity_id, e.venue_id, e.operator_id, e.ip, e.request_id, e.changes_json, e.hash]
            last = batch[-1].id
            db.session.expunge_all()
            db.session.rollback()

    stamp = datetime.now(zone).strftime("%Y%m%d-%H%M")
    return csv_response(f"audit-log-{stamp}.csv", header, rows())


def _labels() -> None:
    from registry.common.labels import register_action_labels
    from registry.venues.timeline import register_field_labels

    register_action_labels({"audit.verify": _l("Audit trail integrity checked"),
                            "audit.export": _l("Audit log exported")})
    register_field_labels({"sports": _l("Sports offered"), "refs": _l("References"), "seed": _l("Random seed")})


_labels()

"""Reminder digests: plan who gets what, preview it, and send it exactly once.

**Plan.** For a horizon of N days, every due item of a kind whose policy notifies operators and whose due date is
at most N days away (overdue included) is placed in a *band*: the smallest configured threshold ≥ its days left
(thresholds ``[90, 60, 30, 7, 0]``: 25 days left → band 30; overdue → band 0). An item more days away than the
largest threshold is not reminded yet. The unit of sending is the **notice** ``(item kind, item id, threshold, due
date)``: a renewed licence has a new due date, so its reminders start again. Notices already sent, or held by a
live run, are left out; the rest are grouped into one digest per operator, rendered in the operator's language.
``preview`` is exactly this plan, rendered; ``send`` renders the same plan with the same function.

**Send — the idempotency protocol.** ``reminder_notices`` has a UNIQUE key on the notice tuple.

1. *Start*: a ``reminder_runs`` row is committed with status RUNNING and a heartbeat.
2. *Claim* (one transaction, committed **before** anything is sent): a new notice is INSERTed as CLAIMED by this
   run; a unique violation (another run got there first) skips it. A notice left CLAIMED by a run that is no longer
   live (status not RUNNING, or heartbeat older than ``REMINDER_CLAIM_LEASE_SECONDS``), or FAILED with attempts
   left, is taken over with a compare-and-set ``UPDATE … WHERE id = ? AND run_id = <old run> AND status = <old
   status>``; only one run can win it. The digests of the run are created in the same transaction.
3. *Deliver*, digest by digest: the message goes to the SMTP server; then, in a new transaction, the digest and its
   notices are marked SENT, an audit event is written per notice (on the operator's and the record's timeline) and
   the heartbeat is refreshed — committed before the next digest. An SMTP refusal marks them FAILED (retried by a
   later run, up to ``REMINDER_MAX_ATTEMPTS``) and the run goes on.
4. *Finish*: FINISHED with the counts. Any other exception marks the run ABORTED (in a fresh transaction) and
   propagates: its claims are immediately free for the next run. A process killed outright leaves the run RUNNING;
   its claims become free when its heartbeat is older than the lease.

So running ``send`` twice sends nothing new (every notice is SENT), and a crash halfway leaves the undelivered
notices CLAIMED by a dead run: the rerun takes each over once and delivers it once. The one window this cannot close
is between the SMTP server accepting a message and the commit that records it (milliseconds): the rerun would send
that digest again. The Message-ID is derived from the notice ids, so the repeated message carries the same
Message-ID as the first and mail systems can drop it as a duplicate.

Letters follow the same protocol: the claimed digests are rendered into one PDF (stored as an issued document)
and the notices are marked SENT on the LETTER channel in the transaction that stores it.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from registry.common import audit
from registry.db import utcnow
from registry.extensions import db
from registry.oversight import digests
from registry.oversight.models import (
    DeliveryChannel,
    NoticeStatus,
    ReminderDigest,
    ReminderNotice,
    ReminderPolicy,
    ReminderRun,
    RunStatus,
)
from registry.oversight.queries import iter_due, overdue_since
from registry.oversight.sources import SOURCES, DueFilters, DueItem, DueQuery, sources

CHANNELS = ("email", "letter", "auto")


class ReminderError(ValueError):
    """A reminder request that cannot be carried out (bad horizon or channel)."""


# ------------------------------------------------------------------ policies and bands
def notify_policies() -> dict[str, list[int]]:
    """``{kind: thresholds}`` of the kinds whose reminders go to operators (preset policies; source defaults)."""
    rows = {p.kind: p for p in db.session.execute(select(ReminderPolicy)).scalars()}
    out = {}
    for source in sources():
        policy = rows.get(source.key)
        if policy is None:
            if source.notify_operator:
                out[source.key] = [30, 7, 0]
        elif policy.active and policy.notify_operator and policy.thresholds:
            out[source.key] = policy.thresholds
    return out


def band(days_left: int, thresholds: list[int]) -> int | None:
    """The threshold an item is in: the smallest threshold ≥ ``days_left``; None when it is further away."""
    fitting = [t for t in thresholds if t >= days_left]
    return min(fitting) if fitting else None


# ------------------------------------------------------------------ planning
@dataclass
class PlannedNotice:
    """One notice in a plan: its item, band, and what the log already knows about it."""

    item: DueItem
    threshold: int
    state: str = "new"  # new | retry | sent | in_flight | gave_up
    notice_id: int | None = None
    held_by_run: int | None = None
    held_status: NoticeStatus | None = None
    sent_at: object = None

    @property
    def key(self) -> tuple:
        return self.item.kind, self.item.item_id, self.threshold, self.item.due_on

    @property
    def to_send(self) -> bool:
        return self.state in ("new", "retry")


@dataclass
class DigestPlan:
    """Everything one operator would receive, and by which channel."""

    operator_id: int
    operator_name: str
    email: str | None
    lang: str
    channel: str | None  # "email", "letter" or None (no address and letters not asked for)
    notices: list[PlannedNotice] = field(default_factory=list)

    @property
    def to_send(self) -> list[PlannedNotice]:
        return [n for n in self.notices if n.to_send]

    @property
    def already(self) -> list[PlannedNotice]:
        return [n for n in self.notices if not n.to_send]

    def render(self, today: date) -> digests.RenderedDigest:
        """The digest of the notices to send (the same function renders preview and message)."""
        return digests.render(operator_name=self.operator_name, recipient=self.email, lang=self.lang,
                              items=[n.item for n in self.to_send], today=today)


@dataclass
class Plan:
    today: date
    horizon: int
    channel: str
    digests: list[DigestPlan]

    @property
    def sendable(self) -> list[DigestPlan]:
        return [d for d in self.digests if d.to_send and d.channel is not None]

    @property
    def unreachable(self) -> list[DigestPlan]:
        return [d for d in self.digests if d.to_send and d.channel is None]


def _lease() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("REMINDER_CLAIM_LEASE_SECONDS", 600)))


def _max_attempts() -> int:
    return int(current_app.config.get("REMINDER_MAX_ATTEMPTS", 3))


def _existing(planned: list[PlannedNotice]) -> dict[tuple, tuple]:
    """Known notices for the planned items: ``{key: (id, status, run_id, attempts, run status, heartbeat, sent)}``."""
    found: dict[tuple, tuple] = {}
    by_kind: dict[str, set[int]] = defaultdict(set)
    for p in planned:
        by_kind[p.item.kind].add(p.item.item_id)
    for kind, ids in by_kind.items():
        ids = sorted(ids)
        for start in range(0, len(ids), 500):
            rows = db.session.execute(
                select(ReminderNotice.item_kind, ReminderNotice.item_id, ReminderNotice.threshold,
                       ReminderNotice.due_on, ReminderNotice.id, ReminderNotice.status, ReminderNotice.run_id,
                       ReminderNotice.attempts, ReminderRun.status, ReminderRun.heartbeat_at, ReminderNotice.sent_at)
                .join(ReminderRun, ReminderRun.id == ReminderNotice.run_id)
                .where(ReminderNotice.item_kind == kind, ReminderNotice.item_id.in_(ids[start:start + 500]))).all()
            for r in rows:
                found[(r[0], r[1], r[2], r[3])] = tuple(r[4:])
    return found


def _classify(planned: list[PlannedNotice]) -> None:
    """Set each planned notice's state from the log (see module docstring)."""
    known = _existing(planned)
    stale_before = utcnow() - _lease()
    for p in planned:
        row = known.get(p.key)
        if row is None:
            continue
        notice_id, status, run_id, attempts, run_status, heartbeat, sent_at = row
        p.notice_id, p.held_by_run, p.held_status, p.sent_at = notice_id, run_id, NoticeStatus(status), sent_at
        if status == NoticeStatus.SENT:
            p.state = "sent"
        elif status == NoticeStatus.CLAIMED:
            live = run_status == RunStatus.RUNNING and heartbeat >= stale_before
            p.state = "in_flight" if live else "retry"
        else:  # FAILED
            p.state = "retry" if attempts < _max_attempts() else "gave_up"


def plan(today: date, horizon: int, *, channel: str = "email", operator_ids: list[int] | None = None) -> Plan:
    """Who would get what today for ``horizon`` days ahead (no writes).

    :param channel: ``email`` (operators with an address), ``letter`` (everyone, printed) or ``auto`` (e-mail when
        there is an address, a letter otherwise).
    :raises ReminderError: on a horizon outside 0–366 days or an unknown channel.
    """
    from registry.venues.models import Operator

    if not 0 <= horizon <= 366:
        raise ReminderError("horizon must be between 0 and 366 days")
    if channel not in CHANNELS:
        raise ReminderError(f"channel must be one of {', '.join(CHANNELS)}")
    policies = notify_policies()
    planned: list[PlannedNotice] = []
    filters = [DueFilters(operator_id=o) for o in operator_ids] if operator_ids else [DueFilters()]
    for f in filters:
        q = DueQuery(today=today, until=today + timedelta(days=horizon), filters=f)
        q = q.window(overdue_since(q), q.until)
        for item in iter_due(q, list(policies)):
            threshold = band(item.days_left, policies[item.kind])
            if threshold is not None and item.operator_id is not None:
                planned.append(PlannedNotice(item=item, threshold=threshold))
    _classify(planned)
    operators = {}
    ids = sorted({p.item.operator_id for p in planned})
    for start in range(0, len(ids), 500):
        for op in db.session.execute(select(Operator.id, Operator.name, Operator.email, Operator.language)
                                     .where(Operator.id.in_(ids[start:start + 500]))):
            operators[op.id] = op
    by_operator: dict[int, DigestPlan] = {}
    for p in planned:
        op = operators[p.item.operator_id]
        digest = by_operator.get(op.id)
        if digest is None:
            email = (op.email or "").strip() or None
            chosen = "letter" if channel == "letter" else ("email" if email else (
                "letter" if channel == "auto" else None))
            lang = op.language if op.language in current_app.config["LANGUAGES"] else "vi"
            digest = by_operator[op.id] = DigestPlan(op.id, op.name, email, lang, chosen)
        digest.notices.append(p)
    ordered = sorted(by_operator.values(), key=lambda d: (d.operator_name, d.operator_id))
    return Plan(today=today, horizon=horizon, channel=channel, digests=ordered)


# ------------------------------------------------------------------ sending
@dataclass
class RunResult:
    run_id: int | None
    digests_sent: int = 0
    notices_sent: int = 0
    failures: int = 0
    letters_document_id: int | None = None
    letters_pdf: bytes | None = None


def message_id(notice_ids: list[int]) -> str:
    """A Message-ID derived from the notices it carries (a repeat after a crash has the same id)."""
    digest = hashlib.sha256(",".join(map(str, sorted(notice_ids))).encode()).hexdigest()[:24]
    domain = current_app.config.get("MAIL_MESSAGE_ID_DOMAIN", "registry.local")
    return f"<reminder-{digest}@{domain}>"


def _actor_fields() -> tuple[int | None, str]:
    """Who starts the run: the CLI's actor, the signed-in user, or the system."""
    from flask_login import current_user

    actor = g.get("audit_actor")
    if actor is not None:
        return actor.id, (actor.username or "cli")[:80]
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user.id, current_user.username
    return None, "system"


def _start_run(today: date, horizon: int, channel: str, trigger: str) -> ReminderRun:
    user_id, label = _actor_fields()
    run = ReminderRun(status=RunStatus.RUNNING, channel=channel, horizon_days=horizon, run_on=today, trigger=trigger,
                      started_by_id=user_id, actor_label=label)
    db.session.add(run)
    db.session.commit()
    return run


def _claim(run: ReminderRun, the_plan: Plan) -> list[tuple[ReminderDigest, list[PlannedNotice],
                                                           digests.RenderedDigest]]:
    """Claim the notices of every sendable digest and create the run's digests; commits."""
    now = utcnow()
    claimed_digests = []
    for dp in the_plan.sendable:
        claimed: list[PlannedNotice] = []
        for p in dp.to_send:
            if p.state == "new":
                notice = ReminderNotice(item_kind=p.item.kind, item_id=p.item.item_id, threshold=p.threshold,
                                        due_on=p.item.due_on, operator_id=dp.operator_id, venue_id=p.item.venue_id,
                                        label=f"{p.item.title} {p.item.label}".strip()[:300],
                                        status=NoticeStatus.CLAIMED, run_id=run.id, attempts=1, claimed_at=now)
                try:
                    with db.session.begin_nested():
                        db.session.add(notice)
                except IntegrityError:
                    continue  # another run claimed it a moment ago
                p.notice_id = notice.id
                claimed.append(p)
            else:
                result = db.session.execute(
                    update(ReminderNotice)
                    .where(ReminderNotice.id == p.notice_id, ReminderNotice.run_id == p.held_by_run,
                           ReminderNotice.status == p.held_status)
                    .values(run_id=run.id, status=NoticeStatus.CLAIMED, claimed_at=now, error=None,
                            attempts=ReminderNotice.attempts + 1)
                    .execution_options(synchronize_session=False))
                if result.rowcount == 1:
                    claimed.append(p)
        if not claimed:
            continue
        dp_claimed = DigestPlan(dp.operator_id, dp.operator_name, dp.email, dp.lang, dp.channel, claimed)
        rendered = dp_claimed.render(the_plan.today)
        digest = ReminderDigest(run_id=run.id, operator_id=dp.operator_id, channel=DeliveryChannel(dp.channel),
                                recipient=dp.email if dp.channel == "email" else None, lang=dp.lang,
                                subject=rendered.subject[:300], status=NoticeStatus.CLAIMED,
                                item_count=len(claimed))
        db.session.add(digest)
        db.session.flush()
        db.session.execute(update(ReminderNotice).where(ReminderNotice.id.in_([p.notice_id for p in claimed]))
                           .values(digest_id=digest.id, channel=DeliveryChannel(dp.channel))
                           .execution_options(synchronize_session=False))
        claimed_digests.append((digest, claimed, rendered))
    run.heartbeat_at = utcnow()
    db.session.commit()
    return claimed_digests


def _record(digest: ReminderDigest, notices: list[PlannedNotice], *, status: NoticeStatus, action: str,
            error: str | None = None, message: str | None = None) -> None:
    """Mark a digest and its notices, and put one event per notice on the operator's and the record's timeline."""
    now = utcnow()
    digest.status, digest.error, digest.message_id = status, error, message
    digest.sent_at = now if status == NoticeStatus.SENT else None
    db.session.execute(update(ReminderNotice).where(ReminderNotice.id.in_([p.notice_id for p in notices]))
                       .values(status=status, error=error, sent_at=digest.sent_at)
                       .execution_options(synchronize_session=False))
    for p in notices:
        item = p.item
        audit.record(action, entity_type=SOURCES[item.kind].table, entity_id=item.item_id, venue_id=item.venue_id,
                     operator_id=digest.operator_id, changes={
                         "delivery": str(status), "channel": str(digest.channel), "item": item.kind,
                         "record": f"{item.title} {item.label}".strip(), "due_on": item.due_on,
                         "threshold": p.threshold, "recipient": digest.recipient, "run_id": digest.run_id,
                         "digest_id": digest.id, "notice_id": p.notice_id,
                         **({"error": error[:300]} if error else {})})


def _deliver_emails(run: ReminderRun, claimed, result: RunResult) -> None:
    from registry.common.mailer import DELIVERY_ERRORS, Mailer, build_message

    with Mailer() as mailer:
        for digest, notices, rendered in claimed:
            if digest.channel != DeliveryChannel.EMAIL:
                continue
            msg = build_message(to=digest.recipient, subject=rendered.subject, text=rendered.text,
                                html=rendered.html, lang=rendered.lang,
                                message_id=message_id([p.notice_id for p in notices]))
            try:
                sent_id = mailer.send(msg)
            except DELIVERY_ERRORS as exc:
                _record(digest, notices, status=NoticeStatus.FAILED, action="reminder.failed",
                        error=f"{type(exc).__name__}: {exc}")
                run.failures += 1
                result.failures += 1
            else:
                _record(digest, notices, status=NoticeStatus.SENT, action="reminder.sent", message=sent_id)
                run.digests_sent += 1
                run.notices_sent += len(notices)
                result.digests_sent += 1
                result.notices_sent += len(notices)
            run.heartbeat_at = utcnow()
            db.session.commit()


def _print_letters(run: ReminderRun, claimed, result: RunResult) -> None:
    from registry.documents.models import DocumentKind
    from registry.documents.services import document_bytes, store_document

    letters = [(digest, notices, rendered) for digest, notices, rendered in claimed
               if digest.channel == DeliveryChannel.LETTER]
    if not letters:
        return
    contexts = [digests.letter(rendered, today=run.run_on) for _d, _n, rendered in letters]
    context = digests.letters_context(contexts, today=run.run_on)
    user = None
    if run.started_by_id is not None:
        from registry.auth.models import User

        user = db.session.get(User, run.started_by_id)
    document = store_document(DocumentKind.REMINDER_LETTER, digests.LETTER_TEMPLATE, context,
                              title=f"Reminder letters, run {run.id} ({len(letters)})",
                              template_version=digests.LETTER_TEMPLATE_VERSION, issued_by=user)
    run.letters_document_id = document.id
    for digest, notices, _rendered in letters:
        _record(digest, notices, status=NoticeStatus.SENT, action="reminder.letter",
                message=f"document:{document.id}")
        run.digests_sent += 1
        run.notices_sent += len(notices)
        result.digests_sent += 1
        result.notices_sent += len(notices)
    run.heartbeat_at = utcnow()
    db.session.commit()
    result.letters_document_id = document.id
    result.letters_pdf = document_bytes(document)


def send(today: date, horizon: int, *, channel: str = "email", trigger: str = "cli",
         operator_ids: list[int] | None = None) -> RunResult:
    """Plan, claim and deliver today's reminders (commits; see the module docstring for the protocol).

    :raises ReminderError: on a bad horizon or channel (nothing is written).
    """
    the_plan = plan(today, horizon, channel=channel, operator_ids=operator_ids)
    if has_request_context():
        g.write_transaction = True
    db.session.commit()  # end the read transaction of the plan; each step below commits its own
    run = _start_run(today, horizon, channel, trigger)
    result = RunResult(run_id=run.id)
    try:
        claimed = _claim(run, the_plan)
        _deliver_emails(run, claimed, result)
        _print_letters(run, claimed, result)
        run.status, run.finished_at = RunStatus.FINISHED, utcnow()
        audit.record("reminder.run", run, {"horizon_days": horizon, "channel": channel,
                                           "digests_sent": run.digests_sent, "notices_sent": run.notices_sent,
                                           "failures": run.failures, "trigger": trigger})
        db.session.commit()
    except BaseException as exc:
        db.session.rollback()
        _abort(run.id, exc)
        raise
    return result


def _abort(run_id: int, exc: BaseException) -> None:
    """Mark the run ABORTED so its claims are free at once (best effort: the lease covers a failure here)."""
    try:
        db.session.execute(update(ReminderRun).where(ReminderRun.id == run_id)
                           .values(status=RunStatus.ABORTED, finished_at=utcnow(),
                                   error=f"{type(exc).__name__}: {exc}"[:1000])
                           .execution_options(synchronize_session=False))
        db.session.commit()
    except Exception:  # the database itself may be what failed
        db.session.rollback()

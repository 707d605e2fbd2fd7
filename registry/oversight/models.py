"""Oversight data: reminder policies and templates, reminder runs with their digests and notices, consequence rules
and the flags they raise on licences.

The notice table is what makes sending idempotent: one row per (item kind, item id, threshold, due date), UNIQUE,
claimed before a message is sent and marked sent after (see ``registry.oversight.reminders``).
"""
from __future__ import annotations

import enum
import json
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.common.modules import import_optional
from registry.db import enum_column, utcnow
from registry.extensions import db
from registry.licences.models import Licence, PrerequisiteDocument, Sanction


class RunStatus(enum.StrEnum):
    """Life of one reminder run. A run that crashed without saying so stays RUNNING until its lease lapses."""

    RUNNING = "running"
    FINISHED = "finished"
    ABORTED = "aborted"


class DeliveryChannel(enum.StrEnum):
    """How a digest reaches the operator."""

    EMAIL = "email"
    LETTER = "letter"


class NoticeStatus(enum.StrEnum):
    """State of one (item, threshold) notice: claimed by a run, then sent or failed."""

    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"


class RuleAction(enum.StrEnum):
    """What a consequence rule does to a dependent licence when a prerequisite document lapses."""

    FLAG = "flag"
    SUSPEND = "suspend"


class ReminderPolicy(db.Model):
    """When reminders go out for one kind of due item (thresholds in days before the due date; 0 = on/after)."""

    __tablename__ = "reminder_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), unique=True)
    thresholds_json: Mapped[str] = mapped_column(Text, default="[30, 7, 0]")
    notify_operator: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def thresholds(self) -> list[int]:
        """Thresholds in days, largest first."""
        return sorted({int(t) for t in json.loads(self.thresholds_json or "[]")}, reverse=True)


class ReminderTemplate(db.Model):
    """The wording of a digest in one language (city configuration, not code)."""

    __tablename__ = "reminder_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    lang: Mapped[str] = mapped_column(String(5), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    greeting: Mapped[str] = mapped_column(Text)
    intro: Mapped[str] = mapped_column(Text)
    closing: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(Text)
    letter_title: Mapped[str] = mapped_column(String(300))
    texts_json: Mapped[str] = mapped_column(Text, default="{}")

    @property
    def texts(self) -> dict:
        """Section titles, per-kind labels and small phrases (``{"sections": {...}, "none": "N/A", ...}``)."""
        return json.loads(self.texts_json or "{}")


class ReminderRun(db.Model):
    """One execution of ``send``: who started it, for which horizon, and how it ended."""

    __tablename__ = "reminder_runs"
    __table_args__ = (Index("ix_reminder_runs_started", "started_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus, 20), default=RunStatus.RUNNING)
    channel: Mapped[str] = mapped_column(String(10))
    horizon_days: Mapped[int]
    run_on: Mapped[date]
    trigger: Mapped[str] = mapped_column(String(20), default="cli")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str | None] = mapped_column(String(80))
    digests_sent: Mapped[int] = mapped_column(default=0)
    notices_sent: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)
    letters_document_id: Mapped[int | None] = mapped_column(ForeignKey("issued_documents.id"))
    error: Mapped[str | None] = mapped_column(Text)

    started_by = relationship("User")
    digests: Mapped[list[ReminderDigest]] = relationship(back_populates="run", order_by="ReminderDigest.id")


class ReminderDigest(db.Model):
    """One message (e-mail or letter) to one operator in one run, listing its notices."""

    __tablename__ = "reminder_digests"
    __table_args__ = (
        Index("ix_reminder_digests_run", "run_id", "id"),
        Index("ix_reminder_digests_operator", "operator_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reminder_runs.id", ondelete="CASCADE"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    channel: Mapped[DeliveryChannel] = mapped_column(enum_column(DeliveryChannel, 10))
    recipient: Mapped[str | None] = mapped_column(String(254))
    lang: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[NoticeStatus] = mapped_column(enum_column(NoticeStatus, 20), default=NoticeStatus.CLAIMED)
    message_id: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    item_count: Mapped[int] = mapped_column(default=0)

    run: Mapped[ReminderRun] = relationship(back_populates="digests")
    operator = relationship("Operator")


class ReminderNotice(db.Model):
    """One due item at one threshold: the unit that is sent exactly once.

    ``run_id`` is the run that holds the current claim; a claim is live only while that run is RUNNING and its
    heartbeat is recent.
    """

    __tablename__ = "reminder_notices"
    __table_args__ = (
        UniqueConstraint("item_kind", "item_id", "threshold", "due_on", name="uq_reminder_notices_key"),
        Index("ix_reminder_notices_operator", "operator_id", "id"),
        Index("ix_reminder_notices_digest", "digest_id"),
        Index("ix_reminder_notices_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_kind: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int]
    threshold: Mapped[int]
    due_on: Mapped[date]
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    label: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[NoticeStatus] = mapped_column(enum_column(NoticeStatus, 20), default=NoticeStatus.CLAIMED)
    channel: Mapped[DeliveryChannel | None] = mapped_column(enum_column(DeliveryChannel, 10))
    run_id: Mapped[int] = mapped_column(ForeignKey("reminder_runs.id"))
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("reminder_digests.id"))
    attempts: Mapped[int] = mapped_column(default=1)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)

    run: Mapped[ReminderRun] = relationship()
    digest: Mapped[ReminderDigest | None] = relationship()


class ConsequenceRule(db.Model):
    """"When a <document kind> lapses, <flag|suspend> the licences that depend on it" — city configuration."""

    __tablename__ = "consequence_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    document_kind: Mapped[str] = mapped_column(String(30))
    categories_json: Mapped[str] = mapped_column(Text, default="[]")
    action: Mapped[RuleAction] = mapped_column(enum_column(RuleAction, 10), default=RuleAction.FLAG)
    notify: Mapped[bool] = mapped_column(default=True)
    description_vi: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def categories(self) -> list[str]:
        """Licence categories the rule applies to (empty: every type that lists the document as required)."""
        return list(json.loads(self.categories_json or "[]"))

    def description(self, lang: str) -> str:
        return self.description_vi if lang == "vi" else self.description_en


class LicenceFlag(db.Model):
    """A licence flagged (and perhaps suspended) by a rule because a prerequisite document lapsed.

    Open while ``cleared_on`` is NULL; at most one open flag per licence and rule (partial unique index).
    """

    __tablename__ = "licence_flags"
    __table_args__ = (
        Index("uq_licence_flags_open", "licence_id", "rule_id", unique=True,
              sqlite_where=db.text("cleared_on IS NULL"), postgresql_where=db.text("cleared_on IS NULL")),
        Index("ix_licence_flags_open_lapsed", "lapsed_on", "id", sqlite_where=db.text("cleared_on IS NULL"),
              postgresql_where=db.text("cleared_on IS NULL")),
        Index("ix_licence_flags_licence", "licence_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"))
    rule_id: Mapped[int] = mapped_column(ForeignKey("consequence_rules.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("prerequisite_documents.id"))
    document_kind: Mapped[str] = mapped_column(String(30))
    lapsed_on: Mapped[date]
    raised_on: Mapped[date]
    cleared_on: Mapped[date | None]
    cleared_by_document_id: Mapped[int | None] = mapped_column(ForeignKey("prerequisite_documents.id"))
    action: Mapped[RuleAction] = mapped_column(enum_column(RuleAction, 10))
    sanction_id: Mapped[int | None] = mapped_column(ForeignKey("sanctions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    rule: Mapped[ConsequenceRule] = relationship()
    licence = relationship("Licence")

    @property
    def is_open(self) -> bool:
        return self.cleared_on is None


# Indexes on other features' tables that exist for the dashboard's counts (declared here, created by migrations 0005
# and 0007). The records carry a copy of their venue's district, ward, kind (and, for documents, closure), kept by
# database triggers (``VenueCopyMixin``): a count filtered by district walks one range of that district's index, and
# a ward or kind filter is checked inside the index, never by reading each row's venue.
#
# The dashboard's "documents expiring" count reads current certificates only (a renewal supersedes the earlier one):
# these partial indexes keep the superseded history out of that range and cover the count.
_current = db.text("superseded_by_id IS NULL")
Index("ix_prerequisite_documents_current_expires", PrerequisiteDocument.expires_on, PrerequisiteDocument.id,
      PrerequisiteDocument.venue_id, PrerequisiteDocument.revoked, PrerequisiteDocument.superseded_by_id,
      PrerequisiteDocument.venue_closed, PrerequisiteDocument.venue_ward_id, PrerequisiteDocument.venue_kind,
      sqlite_where=_current, postgresql_where=_current)
Index("ix_prerequisite_documents_district_expires", PrerequisiteDocument.venue_district_id,
      PrerequisiteDocument.expires_on, PrerequisiteDocument.id, PrerequisiteDocument.venue_id,
      PrerequisiteDocument.revoked, PrerequisiteDocument.superseded_by_id, PrerequisiteDocument.venue_closed,
      PrerequisiteDocument.venue_ward_id, PrerequisiteDocument.venue_kind,
      sqlite_where=_current, postgresql_where=_current)

# Licences with an expiry, by status and date (and by district, status and date), carrying the type, ward and kind:
# a filtered count reads the index only (licence rows are wide: the frozen snapshot).
Index("ix_licences_status_expires_cover", Licence.status, Licence.expires_on, Licence.venue_id,
      Licence.licence_type_id, Licence.venue_ward_id, Licence.venue_kind, Licence.id)
Index("ix_licences_district_expires", Licence.venue_district_id, Licence.status, Licence.expires_on, Licence.id,
      Licence.licence_type_id, Licence.venue_ward_id, Licence.venue_kind)

# Suspensions not lifted, by end date, with the kind and the venue copies (a sanction row holds its reasons)
_open_sanction = db.text("lifted_on IS NULL")
Index("ix_sanctions_open_ends", Sanction.ends_on, Sanction.id, Sanction.kind, Sanction.lifted_on, Sanction.licence_id,
      Sanction.venue_district_id, Sanction.venue_ward_id, Sanction.venue_kind,
      sqlite_where=_open_sanction, postgresql_where=_open_sanction)

_inspections = import_optional("registry.inspections.models")
if _inspections is not None:
    # remedy deadlines: the range count reads the index only (violation rows are wide: descriptions, remedies)
    Index("ix_violations_remedy_cover", _inspections.Violation.remedy_due_on, _inspections.Violation.id,
          _inspections.Violation.item_id, _inspections.Violation.inspection_id)
    # ... and only the remedies still awaited (a fifth of them; the rest were verified at a follow-up), carrying the
    # visit for the venue filters (migration 0006)
    Index("ix_violations_remedy_pending", _inspections.Violation.remedy_due_on, _inspections.Violation.id,
          _inspections.Violation.inspection_id, _inspections.Violation.remedy_pending,  # (covering on SQLite)
          sqlite_where=db.text("remedy_pending = 1"), postgresql_where=db.text("remedy_pending"))
    # ... and checks each violation's visit is closed by this small index, not by reading the (wide) visit row
    Index("ix_inspections_id_status", _inspections.Inspection.id, _inspections.Inspection.status,
          _inspections.Inspection.venue_id)
    # follow-up visits due: kind and status by equality, then the date range, in order
    Index("ix_inspections_kind_status_scheduled", _inspections.Inspection.kind, _inspections.Inspection.status,
          _inspections.Inspection.scheduled_on, _inspections.Inspection.id, _inspections.Inspection.venue_id)


def _labels():
    from flask_babel import lazy_gettext as _l

    from registry.common.labels import register_action_labels, register_labels

    register_labels({
        RunStatus.RUNNING: _l("Running"), RunStatus.FINISHED: _l("Finished"),
        RunStatus.ABORTED: _l("Stopped by an error"),
        DeliveryChannel.EMAIL: _l("E-mail"), DeliveryChannel.LETTER: _l("Letter"),
        NoticeStatus.CLAIMED: _l("Being sent"), NoticeStatus.SENT: _l("Sent"), NoticeStatus.FAILED: _l("Failed"),
        RuleAction.FLAG: _l("Flag the licence"), RuleAction.SUSPEND: _l("Suspend the licence"),
    })
    register_action_labels({
        "reminder.sent": _l("Reminder sent"),
        "reminder.failed": _l("Reminder could not be delivered"),
        "reminder.letter": _l("Reminder letter printed"),
        "reminder.run": _l("Reminder run"),
        "rule.flag": _l("Licence flagged: a prerequisite document lapsed"),
        "rule.suspend": _l("Licence suspended: a prerequisite document lapsed"),
        "rule.clear": _l("Flag cleared: a renewed document was recorded"),
        "rule.lift": _l("Suspension lifted: a renewed document was recorded"),
        "report.export": _l("Report exported"),
        "oversight.export": _l("Due list exported"),
    })
    from registry.venues.timeline import register_field_labels

    register_field_labels({
        "delivery": _l("Delivery"), "channel": _l("Sent by"), "item": _l("Reminder about"), "record": _l("Record"),
        "due_on": _l("Due on"), "threshold": _l("Days before the due date"), "recipient": _l("Sent to"),
        "run_id": _l("Reminder run"), "digest_id": _l("Digest"), "notice_id": _l("Notice"), "error": _l("Error"),
        "rule": _l("Rule"), "document_id": _l("Document"), "document_number": _l("Document number"),
        "lapsed_on": _l("Lapsed on"), "action": _l("Consequence"), "horizon_days": _l("Horizon (days)"),
        "digests_sent": _l("Digests sent"), "notices_sent": _l("Notices sent"), "failures": _l("Failures"),
        "trigger": _l("Started from"),
    })


_labels()

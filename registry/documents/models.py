"""Issued documents (PDF bytes stored once, with their hash) and public verification scans."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from registry.db import enum_column, utcnow
from registry.extensions import db


class DocumentKind(enum.StrEnum):
    """Kinds of official documents the registry prints."""

    LICENCE = "licence"
    LICENCE_COPY = "licence_copy"
    SUSPENSION_NOTICE = "suspension_notice"
    REVOCATION_DECISION = "revocation_decision"
    MINUTES = "minutes"
    REMINDER_LETTER = "reminder_letter"
    REPORT = "report"


class DocumentBlob(db.Model):
    """The bytes of a rendered PDF, stored once per SHA-256 (in the database, so backups and several app servers
    always agree)."""

    __tablename__ = "document_blobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int]
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))


class IssuedDocument(db.Model):
    """One issued document. Never changed after issue: reprints return ``blob.content`` byte for byte."""

    __tablename__ = "issued_documents"
    __table_args__ = (
        Index("ix_issued_documents_licence", "licence_id", "kind", "id"),
        Index("ix_issued_documents_inspection", "inspection_id", "kind", "id"),
        # one original per licence and language: the PDF is generated once, at issue
        Index("uq_issued_documents_original", "licence_id", "lang", unique=True,
              sqlite_where=text("kind = 'licence'"), postgresql_where=text("kind = 'licence'")),
        # one notice or decision per sanction
        Index("uq_issued_documents_sanction", "sanction_id", "kind", "lang", unique=True,
              sqlite_where=text("sanction_id IS NOT NULL"), postgresql_where=text("sanction_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, 30))
    lang: Mapped[str] = mapped_column(String(5), default="vi")
    number: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"), index=True)
    inspection_id: Mapped[int | None]
    sanction_id: Mapped[int | None] = mapped_column(ForeignKey("sanctions.id"))
    template_name: Mapped[str] = mapped_column(String(120))
    template_version: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    blob_id: Mapped[int] = mapped_column(ForeignKey("document_blobs.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    context_json: Mapped[str] = mapped_column(db.Text, default="{}")

    blob: Mapped[DocumentBlob] = relationship()
    licence = relationship("Licence")
    issued_by = relationship("User")

    @property
    def filename(self) -> str:
        """Download name, e.g. ``giay-phep_15-GP-SVHTT_vi.pdf`` (ASCII, no path separators)."""
        from registry.documents.services import download_name

        return download_name(self)


class VerificationScan(db.Model):
    """A public look-up of a licence through its QR token (client anonymised by a salted hash)."""

    __tablename__ = "verification_scans"
    __table_args__ = (Index("ix_verification_scans_licence", "licence_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"))
    scanned_at: Mapped[datetime] = mapped_column(default=utcnow)
    client_hash: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(10), default="html")


class LicencePublicPage(db.Model):
    """The public facts of a licence (venue, rooms, sports, hours), rendered once per language as HTML.

    They come from the licence's frozen snapshot, so they never change; a scan renders only the live status around
    them. Written at issue, or by the first scan after a change of the template or the catalogue (``template_key``
    then no longer matches). Rebuildable at any time: it is a rendering, not a record.
    """

    __tablename__ = "licence_public_pages"

    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)
    template_key: Mapped[str] = mapped_column(String(40))
    html: Mapped[str] = mapped_column(db.Text)
    rendered_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScanSalt(db.Model):
    """The random salt of one day, mixed with the client IP before hashing it into ``VerificationScan.client_hash``.

    Only today's row is kept: once a day's salt is deleted, that day's hashes can no longer be linked to an IP
    address (not even by someone holding the application's secret key).
    """

    __tablename__ = "verification_salts"

    day: Mapped[date] = mapped_column(primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


def kind_label(kind: DocumentKind) -> str:
    """The translated name of a document kind (for templates: ``document_kind_label(kind)``; other features, e.g. the
    licence page, call it directly)."""
    from flask_babel import gettext as _

    names = {
        DocumentKind.LICENCE: _("Licence"), DocumentKind.LICENCE_COPY: _("Licence copy (BẢN SAO)"),
        DocumentKind.SUSPENSION_NOTICE: _("Suspension notice"),
        DocumentKind.REVOCATION_DECISION: _("Revocation decision"), DocumentKind.MINUTES: _("Inspection minutes"),
        DocumentKind.REMINDER_LETTER: _("Reminder letter"), DocumentKind.REPORT: _("Report"),
    }
    return names.get(DocumentKind(kind), str(kind))


def _labels():
    from flask_babel import lazy_gettext as _l

    from registry.common.labels import register_action_labels

    register_action_labels({
        "document.issue": _l("Document issued"),
    })


_labels()

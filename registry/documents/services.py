"""Issuing documents: render once from a plain-data snapshot, store the bytes with their SHA-256, never re-render.

* :func:`store_document` renders a print template and stores the PDF; :func:`store_rendered` stores bytes that were
  rendered elsewhere (a batch worker process) with the same bookkeeping.
* The bytes live once per SHA-256 in ``document_blobs``; every issue, copy or notice is its own ``IssuedDocument``
  row with the template version and the context it was rendered from. Nothing here ever updates a stored document.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata

from sqlalchemy import func, select

from registry.common import audit
from registry.documents.models import DocumentBlob, DocumentKind, IssuedDocument, VerificationScan
from registry.extensions import db

#: Download-name prefix per kind (ASCII, Vietnamese without diacritics).
FILENAME_PREFIX = {
    DocumentKind.LICENCE: "giay-phep",
    DocumentKind.LICENCE_COPY: "ban-sao-giay-phep",
    DocumentKind.SUSPENSION_NOTICE: "thong-bao-tam-dung",
    DocumentKind.REVOCATION_DECISION: "quyet-dinh-thu-hoi",
    DocumentKind.MINUTES: "bien-ban",
    DocumentKind.REMINDER_LETTER: "thu-nhac",
    DocumentKind.REPORT: "bao-cao",
}


def _store_blob(content: bytes) -> DocumentBlob:
    digest = hashlib.sha256(content).hexdigest()
    blob = db.session.execute(select(DocumentBlob).where(DocumentBlob.sha256 == digest)).scalar_one_or_none()
    if blob is None:
        blob = DocumentBlob(sha256=digest, size=len(content), content=content)
        db.session.add(blob)
        db.session.flush()
    return blob


def store_rendered(content: bytes, kind: DocumentKind, template_name: str, context: dict, *, title: str,
                   template_version: str, number: str | None = None, lang: str = "vi", licence=None,
                   venue_id: int | None = None, inspection_id: int | None = None, sanction_id: int | None = None,
                   issued_by=None) -> IssuedDocument:
    """Store already-rendered PDF bytes as an issued document (same bookkeeping as :func:`store_document`).

    :param content: the PDF rendered from ``context`` with ``template_name`` at ``template_version``.
    :returns: the flushed ``IssuedDocument`` (the caller commits).
    """
    if not content.startswith(b"%PDF-"):
        raise ValueError("not a PDF")
    blob = _store_blob(content)
    document = IssuedDocument(
        kind=DocumentKind(kind), lang=lang, number=number, title=title[:300], licence_id=getattr(licence, "id", None),
        venue_id=venue_id if venue_id is not None else getattr(licence, "venue_id", None), inspection_id=inspection_id,
        sanction_id=sanction_id, template_name=template_name, template_version=template_version, sha256=blob.sha256,
        blob_id=blob.id, issued_by_id=getattr(issued_by, "id", None),
        context_json=json.dumps(context, default=str, ensure_ascii=False, sort_keys=True))
    db.session.add(document)
    db.session.flush()
    audit.record("document.issue", document, {"kind": str(kind), "number": number, "lang": lang,
                                              "sha256": blob.sha256, "template_version": template_version},
                 venue_id=document.venue_id)
    return document


def store_document(kind: DocumentKind, template_name: str, context: dict, *, title: str,
                   template_version: str, number: str | None = None, lang: str = "vi", licence=None,
                   venue_id: int | None = None, inspection_id: int | None = None, issued_by=None,
                   sanction_id: int | None = None) -> IssuedDocument:
    """Render ``template_name`` with the plain-data ``context`` and store the PDF as an issued document.

    :param context: JSON-serialisable plain data (never ORM objects); it is stored beside the PDF.
    :returns: the flushed ``IssuedDocument`` (the caller commits).
    """
    from registry.documents.pdf import render_pdf

    content = render_pdf(template_name, context)
    return store_rendered(content, kind, template_name, context, title=title, template_version=template_version,
                          number=number, lang=lang, licence=licence, venue_id=venue_id, inspection_id=inspection_id,
                          sanction_id=sanction_id, issued_by=issued_by)


def document_bytes(document: IssuedDocument) -> bytes:
    """The stored PDF bytes, exactly as issued."""
    return document.blob.content


def blob_content(blob_id: int) -> bytes:
    """The bytes of one stored blob (one query, without loading the document row's relationships)."""
    return db.session.execute(select(DocumentBlob.content).where(DocumentBlob.id == blob_id)).scalar_one()


def _ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", (text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:80]


def download_name(document: IssuedDocument) -> str:
    """ASCII download name: ``<kind prefix>_<number>_<lang>.pdf`` (``_<id>`` when there is no number)."""
    prefix = FILENAME_PREFIX.get(document.kind, "tai-lieu")
    ident = _ascii_slug(document.number or "") or str(document.id)
    return f"{prefix}_{ident}_{document.lang}.pdf"


def licence_documents(licence_id: int) -> list[IssuedDocument]:
    """Every document issued for a licence (originals, copies, translations, notices), oldest first, with the
    issuing user loaded (one query)."""
    from sqlalchemy.orm import joinedload

    return list(db.session.execute(
        select(IssuedDocument).where(IssuedDocument.licence_id == licence_id)
        .options(joinedload(IssuedDocument.issued_by)).order_by(IssuedDocument.id)).scalars())


def scan_count(licence_id: int) -> int:
    """How many times the licence's QR code (or its JSON address) was looked up."""
    return db.session.execute(select(func.count()).select_from(VerificationScan)
                              .where(VerificationScan.licence_id == licence_id)).scalar_one()


def last_scan_at(licence_id: int):
    """When the licence was last looked up, or None."""
    return db.session.execute(select(func.max(VerificationScan.scanned_at))
                              .where(VerificationScan.licence_id == licence_id)).scalar_one()

"""Issuing documents: render once from a plain-data snapshot, store the bytes with their SHA-256, never re-render."""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from registry.common import audit
from registry.documents.models import DocumentBlob, DocumentKind, IssuedDocument
from registry.extensions import db


def _store_blob(content: bytes) -> DocumentBlob:
    digest = hashlib.sha256(content).hexdigest()
    blob = db.session.execute(select(DocumentBlob).where(DocumentBlob.sha256 == digest)).scalar_one_or_none()
    if blob is None:
        blob = DocumentBlob(sha256=digest, size=len(content), content=content)
        db.session.add(blob)
        db.session.flush()
    return blob


def store_document(kind: DocumentKind, template_name: str, context: dict, *, title: str,
                   template_version: str, number: str | None = None, lang: str = "vi", licence=None,
                   venue_id: int | None = None, inspection_id: int | None = None, issued_by=None) -> IssuedDocument:
    """Render ``template_name`` with the plain-data ``context`` and store the PDF as an issued document.

    :param context: JSON-serialisable plain data (never ORM objects); it is stored beside the PDF.
    :returns: the flushed ``IssuedDocument`` (the caller commits).
    """
    from registry.documents.pdf import render_pdf

    content = render_pdf(template_name, context)
    blob = _store_blob(content)
    document = IssuedDocument(
        kind=DocumentKind(kind), lang=lang, number=number, title=title[:300], licence_id=getattr(licence, "id", None),
        venue_id=venue_id if venue_id is not None else getattr(licence, "venue_id", None), inspection_id=inspection_id,
        template_name=template_name, template_version=template_version, sha256=blob.sha256, blob_id=blob.id,
        issued_by_id=getattr(issued_by, "id", None), context_json=json.dumps(context, default=str, ensure_ascii=False))
    db.session.add(document)
    db.session.flush()
    audit.record("document.issue", document, {"kind": str(kind), "number": number, "sha256": blob.sha256,
                                              "template_version": template_version}, venue_id=document.venue_id)
    return document


def document_bytes(document: IssuedDocument) -> bytes:
    """The stored PDF bytes, exactly as issued."""
    return document.blob.content

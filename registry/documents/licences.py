"""Licence PDFs: the print context is built from the licence's frozen snapshot, never from live records.

Interface for the licensing services:

* :func:`new_verify_token` — the unguessable token to store in ``Licence.verify_token`` when a licence is created.
* :func:`issue_licence_pdf` — render and store the Vietnamese original at issue (``lang="en"``: the English
  translation, on demand; ``copy=True``: a marked copy "BẢN SAO", itself recorded).
* :func:`ensure_licence_pdf` — the stored original, rendering it once if the licence has none (legacy imports).
"""
from __future__ import annotations

import re
import secrets
from datetime import date

from flask import current_app
from sqlalchemy import select

from registry.documents.models import DocumentKind, IssuedDocument
from registry.documents.services import store_document
from registry.extensions import db

LICENCE_TEMPLATE = "documents/pdf/licence.html"
#: The English rendering: the licence layout plus a line saying the Vietnamese original prevails.
TRANSLATION_TEMPLATE = "documents/pdf/licence_translation.html"
LANGS = ("vi", "en")

#: What a verification token looks like (checked before any database query).
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_verify_token() -> str:
    """A random, unguessable verification token (144 bits, 24 URL-safe characters) for ``Licence.verify_token``.

    It is random rather than signed on purpose: printed licences stay on walls for years, and a token signed with
    the application's secret key would stop verifying the day that key is rotated. Unguessability is what protects
    the page; the token is looked up through a unique index.
    """
    return secrets.token_urlsafe(18)


def token_looks_valid(token: str) -> bool:
    """True if ``token`` has the shape of a verification token (cheap check before the lookup)."""
    return bool(token) and TOKEN_PATTERN.fullmatch(token) is not None


def verify_url(licence) -> str:
    """The public verification address encoded in the QR code."""
    return verify_url_for_token(licence.verify_token)


def verify_url_for_token(token: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/verify/{token}"


def _d(value):
    return date.fromisoformat(value) if isinstance(value, str) and value else value


def licence_context(licence, *, lang: str = "vi", copy_mark: bool = False) -> dict:
    """Plain-data print context of ``licence`` from its snapshot (see registry/documents/pdf.py for the contract)."""
    from registry.documents.pdf import TEMPLATE_VERSION

    snap = licence.snapshot
    en = lang == "en"
    authority, signer, operator, venue = (snap.get("authority") or {}), (snap.get("signer") or {}), (
        snap.get("operator") or {}), (snap.get("venue") or {})
    ltype = snap.get("licence_type") or {}
    hours = snap.get("hours") or {}
    operator_name = operator.get("name_en" if en else "name") or operator.get("name", "")
    issuer = {"parent_body": authority.get("parent_body_en" if en else "parent_body", ""),
              "body": authority.get("name_en" if en else "name", "")}
    if authority.get("head_title_en" if en else "head_title"):
        issuer["authority"] = authority["head_title_en" if en else "head_title"]
    return {
        "lang": lang,
        "doc_kind": "licence",
        "licence_kind": ltype.get("category", "karaoke"),
        "number": snap.get("number_display") or licence.number_display,
        "issued_on": _d(snap.get("issued_on")) or licence.issued_on,
        "issued_at": None,
        "place": authority.get("place_name", ""),
        "issuer": issuer,
        "signer": {"prefix": signer.get("prefix_en" if en else "prefix") or "",
                   "position": signer.get("position_en" if en else "position", ""),
                   "name": signer.get("full_name", "")},
        "legal_basis": [line for line in (ltype.get("legal_basis_en" if en else "legal_basis_vi") or "").splitlines()
                        if line.strip()],
        "operator": {"name": operator_name, "kind_label": operator.get("kind_label_en" if en else
                                                                       "kind_label", ""),
                     "registration_number": operator.get("registration_number", ""),
                     "registration_date": _d(operator.get("registration_date")),
                     "registration_issuer": operator.get("registration_issuer", ""),
                     "head_office": operator.get("head_office", ""),
                     "legal_representative": operator.get("legal_rep_name", "")},
        "venue": {"name": venue.get("name", ""), "address": venue.get("address", ""), "phone": venue.get("phone")},
        "rooms": snap.get("rooms") or [],
        "sports": [{"name": s.get("name_en" if en else "name_vi", "")} for s in snap.get("sports") or []],
        "event": ({"name": snap["event"]["name"], "starts_on": _d(snap["event"]["starts_on"]),
                   "ends_on": _d(snap["event"]["ends_on"])} if snap.get("event") else None),
        "hours": f"{hours['opens_at']}–{hours['closes_at']}" if hours.get("opens_at") else None,
        "capacity": venue.get("capacity"),
        "conditions": [c.get("en" if en else "vi", "") for c in snap.get("conditions") or []],
        "valid_until": _d(snap.get("expires_on")),
        "supersedes_number": snap.get("supersedes"),
        "recipients": list(snap.get("recipients_en" if en else "recipients") or ([operator_name] if operator_name
                                                                                  else [])),
        "archive": snap.get("archive") or "VT",
        "verify_url": verify_url(licence),
        "copy_mark": copy_mark,
        "template_version": TEMPLATE_VERSION,
    }


def issue_licence_pdf(licence, *, issued_by=None, lang: str = "vi", copy: bool = False) -> IssuedDocument:
    """Render and store the licence PDF once (or a marked copy, which is itself recorded).

    ``lang="vi"`` is the legal original; ``lang="en"`` the English translation (its own template, which says the
    Vietnamese original prevails). Flushes; the caller commits.
    """
    from registry.documents.pdf import TEMPLATE_VERSION

    if lang not in LANGS:
        raise ValueError(f"unsupported document language {lang!r}")
    context = licence_context(licence, lang=lang, copy_mark=copy)
    kind = DocumentKind.LICENCE_COPY if copy else DocumentKind.LICENCE
    template = TRANSLATION_TEMPLATE if lang == "en" else LICENCE_TEMPLATE
    title = f"{'BẢN SAO ' if copy else ''}{licence.number_display}"
    return store_document(kind, template, context, title=title, template_version=TEMPLATE_VERSION,
                          number=licence.number_display, lang=lang, licence=licence, issued_by=issued_by)


def original_document(licence_id: int, lang: str = "vi") -> IssuedDocument | None:
    """The stored original (or translation) of a licence, if it was issued."""
    return db.session.execute(
        select(IssuedDocument).where(IssuedDocument.licence_id == licence_id, IssuedDocument.lang == lang,
                                     IssuedDocument.kind == DocumentKind.LICENCE)).scalar_one_or_none()


def _lock_licence(licence) -> None:
    """Serialise document issue per licence (row lock on PostgreSQL; SQLite write transactions are serial).

    Uses the licence's own class: documents sit below licences and do not import them.
    """
    model = type(licence)
    db.session.execute(select(model.id).where(model.id == licence.id).with_for_update())


def ensure_licence_pdf(licence, *, issued_by=None, lang: str = "vi") -> tuple[IssuedDocument, bool]:
    """The stored original of ``licence`` in ``lang``; renders and stores it first if there is none.

    :returns: ``(document, created)``. Flushes; the caller commits.
    """
    _lock_licence(licence)
    existing = original_document(licence.id, lang)
    if existing is not None:
        return existing, False
    return issue_licence_pdf(licence, issued_by=issued_by, lang=lang), True


def issue_licence_copy(licence, *, issued_by=None, lang: str = "vi") -> IssuedDocument:
    """A marked copy ("BẢN SAO") for a lost, torn or burnt licence; each copy is recorded on its own."""
    return issue_licence_pdf(licence, issued_by=issued_by, lang=lang, copy=True)

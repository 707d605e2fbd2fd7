"""Licence PDFs: the print context is built from the licence's frozen snapshot, never from live records."""
from __future__ import annotations

from datetime import date

from flask import current_app

from registry.documents.models import DocumentKind, IssuedDocument
from registry.documents.services import store_document

LICENCE_TEMPLATE = "documents/pdf/licence.html"


def verify_url(licence) -> str:
    """The public verification address encoded in the QR code."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/verify/{licence.verify_token}"


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
    return {
        "lang": lang,
        "doc_kind": "licence",
        "licence_kind": ltype.get("category", "karaoke"),
        "number": snap.get("number_display") or licence.number_display,
        "issued_on": _d(snap.get("issued_on")) or licence.issued_on,
        "issued_at": None,
        "place": authority.get("place_name", ""),
        "issuer": {"parent_body": authority.get("parent_body_en" if en else "parent_body", ""),
                   "body": authority.get("name_en" if en else "name", "")},
        "signer": {"prefix": signer.get("prefix_en" if en else "prefix") or "",
                   "position": signer.get("position_en" if en else "position", ""),
                   "name": signer.get("full_name", "")},
        "legal_basis": [line for line in (ltype.get("legal_basis_en" if en else "legal_basis_vi") or "").splitlines()
                        if line.strip()],
        "operator": {"name": operator.get("name", ""), "kind_label": operator.get("kind_label_en" if en else
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
        "verify_url": verify_url(licence),
        "copy_mark": copy_mark,
        "template_version": TEMPLATE_VERSION,
    }


def issue_licence_pdf(licence, *, issued_by=None, lang: str = "vi", copy: bool = False) -> IssuedDocument:
    """Render and store the licence PDF once (or a marked copy, which is itself recorded)."""
    from registry.documents.pdf import TEMPLATE_VERSION

    context = licence_context(licence, lang=lang, copy_mark=copy)
    kind = DocumentKind.LICENCE_COPY if copy else DocumentKind.LICENCE
    title = f"{'BẢN SAO ' if copy else ''}{licence.number_display}"
    return store_document(kind, LICENCE_TEMPLATE, context, title=title, template_version=TEMPLATE_VERSION,
                          number=licence.number_display, lang=lang, licence=licence, issued_by=issued_by)

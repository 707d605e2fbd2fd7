"""Suspension notices ("Thông báo tạm dừng kinh doanh") and revocation decisions ("Quyết định thu hồi giấy phép").

Interface for the licensing services (call them inside the same transaction as the sanction, after flushing it)::

    from registry.documents.notices import issue_revocation_decision, issue_suspension_notice

    document = issue_suspension_notice(licence, sanction, issued_by=user)     # kind SUSPENSION
    document = issue_revocation_decision(licence, sanction, issued_by=user)   # kind REVOCATION

Each takes the next number of the year from the licensing numbering counter (``LicenceNumberCounter``) under its own
symbol — ``"<n>/TB-<abbr>"`` for notices and ``"<n>/QĐ-<abbr>"`` for decisions, ``<abbr>`` being the issuing
authority's abbreviation (e.g. ``SVHTT``) — unless the sanction already carries a ``document_number``; writes that
number into ``sanction.document_number``; renders the PDF once from plain data (the licence snapshot, the sanction,
the authority and signer of the day) and stores it like every issued document. Calling it again for the same
sanction returns the stored document. Flushes; the caller commits.

The wording follows DOMAIN.md §1.8 and §7 and is **[unverified]** against an official form: every sentence is in
:data:`LABELS` and the legal-basis lines come from the licence type (plus :data:`EXTRA_BASIS`), so a department can
adjust them without touching the layout.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.db import today_local
from registry.documents.licences import licence_context
from registry.documents.models import DocumentKind, IssuedDocument
from registry.documents.services import store_document
from registry.extensions import db

SUSPENSION_TEMPLATE = "documents/pdf/suspension_notice.html"
REVOCATION_TEMPLATE = "documents/pdf/revocation_decision.html"
NOTICE_TEMPLATE_VERSION = "notice-2026.1"

SYMBOL_PREFIX = {DocumentKind.SUSPENSION_NOTICE: "TB", DocumentKind.REVOCATION_DECISION: "QĐ"}

#: Sentences of the two documents ({...} placeholders are filled by the templates). [unverified] wording.
LABELS = {
    "vi": {
        "notice_title": "THÔNG BÁO",
        "notice_summary": {"karaoke": "Về việc tạm dừng kinh doanh dịch vụ karaoke",
                           "dance_hall": "Về việc tạm dừng kinh doanh dịch vụ vũ trường",
                           "sports": "Về việc tạm dừng kinh doanh hoạt động thể thao",
                           "event": "Về việc tạm dừng tổ chức sự kiện"},
        "decision_title": "QUYẾT ĐỊNH",
        "decision_summary": {"karaoke": "Về việc thu hồi Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke",
                             "dance_hall": "Về việc thu hồi Giấy phép đủ điều kiện kinh doanh dịch vụ vũ trường",
                             "sports": "Về việc thu hồi Giấy chứng nhận đủ điều kiện kinh doanh hoạt động thể thao",
                             "event": "Về việc thu hồi Giấy phép tổ chức sự kiện"},
        "noun": {"karaoke": "Giấy phép", "dance_hall": "Giấy phép", "sports": "Giấy chứng nhận",
                 "event": "Giấy phép"},
        "announces": "{body} thông báo:",
        "decides": "QUYẾT ĐỊNH:",
        "article": "Điều {n}.",
        "suspend_intro": "Tạm dừng kinh doanh đối với:",
        "revoke_intro": "Thu hồi {noun} số {number} cấp ngày {issued} cho:",
        "holder": "Tên doanh nghiệp/hộ kinh doanh",
        "head_office": "Địa chỉ trụ sở chính",
        "venue": "Tên địa điểm kinh doanh",
        "venue_address": "Địa điểm kinh doanh",
        "licence_ref": "{noun} số {number} cấp ngày {issued}",
        "period": "Thời gian tạm dừng: từ ngày {start} đến hết ngày {end}.",
        "period_open": "Thời gian tạm dừng: từ ngày {start} cho đến khi có thông báo tiếp theo của cơ quan cấp phép.",
        "reason": "Lý do",
        "suspend_duty": ("Trong thời gian tạm dừng, doanh nghiệp/hộ kinh doanh không được kinh doanh tại địa điểm "
                         "nêu trên và phải khắc phục các vi phạm đã được ghi nhận trong biên bản vi phạm hành chính."),
        "suspend_status": "Tình trạng giấy phép được cập nhật trực tuyến tại địa chỉ tra cứu in kèm mã QR.",
        "revoke_effective": "Việc thu hồi có hiệu lực kể từ ngày {start}.",
        "revoke_return": ("Doanh nghiệp/hộ kinh doanh có trách nhiệm chấm dứt kinh doanh tại địa điểm nêu trên và "
                          "nộp lại bản gốc {noun} cho cơ quan cấp phép."),
        "revoke_force": "Quyết định này có hiệu lực kể từ ngày ký.",
        "revoke_execute": ("Chánh Văn phòng, Trưởng các phòng có liên quan và {holder} chịu trách nhiệm thi hành "
                           "Quyết định này."),
        "recipients_default": ["UBND cấp xã nơi có địa điểm kinh doanh", "Công an cấp xã nơi có địa điểm kinh doanh"],
        "recipients_decision_prefix": "Như Điều {n}",
    },
    "en": {
        "notice_title": "NOTICE",
        "notice_summary": {"karaoke": "On the suspension of karaoke services business",
                           "dance_hall": "On the suspension of dance hall services business",
                           "sports": "On the suspension of sports business",
                           "event": "On the suspension of an event"},
        "decision_title": "DECISION",
        "decision_summary": {"karaoke": "On the revocation of the business licence for karaoke services",
                             "dance_hall": "On the revocation of the business licence for dance hall services",
                             "sports": "On the revocation of the certificate of eligibility for sports business",
                             "event": "On the revocation of an event licence"},
        "noun": {"karaoke": "licence", "dance_hall": "licence", "sports": "certificate", "event": "licence"},
        "announces": "The {body} gives notice:",
        "decides": "DECIDES:",
        "article": "Article {n}.",
        "suspend_intro": "Business is suspended for:",
        "revoke_intro": "The {noun} No. {number} issued on {issued} is revoked from:",
        "holder": "Name of enterprise/household business",
        "head_office": "Head office address",
        "venue": "Business name",
        "venue_address": "Business location",
        "licence_ref": "{noun} No. {number} issued on {issued}",
        "period": "Suspension period: from {start} until the end of {end}.",
        "period_open": "Suspension period: from {start} until further notice from the licensing authority.",
        "reason": "Reason",
        "suspend_duty": ("During the suspension the business must not operate at the above location and must remedy "
                         "the violations recorded in the administrative violation minutes."),
        "suspend_status": "The live status of the licence can be checked at the address printed with the QR code.",
        "revoke_effective": "The revocation takes effect on {start}.",
        "revoke_return": ("The business must stop operating at the above location and return the original {noun} "
                          "to the licensing authority."),
        "revoke_force": "This decision takes effect from the date of signing.",
        "revoke_execute": ("The Chief of Office, the heads of the divisions concerned and {holder} are responsible "
                           "for implementing this decision."),
        "recipients_default": ["People's Committee of the commune where the business is located",
                               "Police of the commune where the business is located"],
        "recipients_decision_prefix": "As in Article {n}",
    },
}

#: Legal-basis lines added after the licence type's own lines. [unverified] article numbers (DOMAIN.md §1.8).
EXTRA_BASIS = {
    ("vi", "suspension"): {
        "karaoke": "Căn cứ điểm b khoản 1 Điều 15 Nghị định số 54/2019/NĐ-CP;",
        "dance_hall": "Căn cứ điểm b khoản 1 Điều 15 Nghị định số 54/2019/NĐ-CP;",
    },
    ("en", "suspension"): {
        "karaoke": "Pursuant to Article 15(1)(b) of Decree No. 54/2019/ND-CP;",
        "dance_hall": "Pursuant to Article 15(1)(b) of Decree No. 54/2019/ND-CP;",
    },
}


class NoticeError(ValueError):
    """A notice or decision cannot be issued for this sanction."""


def _basis_lines(licence_ctx: dict, lang: str, which: str, category: str) -> list[str]:
    prefix = "Căn cứ" if lang == "vi" else "Pursuant"
    lines = [line for line in licence_ctx["legal_basis"] if line.strip().startswith(prefix)]
    extra = EXTRA_BASIS.get((lang, which), {}).get(category)
    return lines + ([extra] if extra else [])


def _authority_and_signer(licence) -> tuple[dict, dict]:
    """The issuing body and signer of the day (plain data), falling back to the licence snapshot."""
    snap = licence.snapshot
    ltype = getattr(licence, "licence_type", None)
    authority = getattr(ltype, "authority", None) or getattr(licence, "authority", None)
    signer = getattr(ltype, "default_signer", None) or getattr(licence, "signer", None)
    a = snap.get("authority") or {}
    s = snap.get("signer") or {}
    if authority is not None:
        a = {"parent_body": authority.parent_body, "parent_body_en": authority.parent_body_en,
             "name": authority.name, "name_en": authority.name_en, "abbreviation": authority.abbreviation,
             "place_name": authority.place_name, "id": authority.id,
             **{k: v for k, v in a.items() if k in ("head_title", "head_title_en")}}
    if signer is not None and getattr(signer, "active", True):
        s = {"full_name": signer.full_name, "prefix": signer.prefix, "prefix_en": signer.prefix_en,
             "position": signer.position, "position_en": signer.position_en}
    return a, s


def next_document_number(authority_id: int, symbol: str, year: int) -> int:
    """The next number of ``year`` for ``symbol``, from the licensing numbering counter (row locked till commit)."""
    from registry.licences.numbering import next_number

    return next_number(authority_id, symbol, year)


def _existing(sanction, kind: DocumentKind, lang: str) -> IssuedDocument | None:
    return db.session.execute(select(IssuedDocument).where(
        IssuedDocument.sanction_id == sanction.id, IssuedDocument.kind == kind,
        IssuedDocument.lang == lang)).scalar_one_or_none()


def notice_context(licence, sanction, kind: DocumentKind, *, number: str, issued_on: date,
                   lang: str = "vi") -> dict:
    """Plain-data print context of a suspension notice or revocation decision."""
    base = licence_context(licence, lang=lang)
    snap = licence.snapshot
    en = lang == "en"
    category = base["licence_kind"]
    authority, signer = _authority_and_signer(licence)
    labels = LABELS[lang]
    operator = snap.get("operator") or {}
    holder = base["operator"]["name"]
    which = "suspension" if kind == DocumentKind.SUSPENSION_NOTICE else "revocation"
    title_key = "notice" if which == "suspension" else "decision"
    body = authority.get("name_en" if en else "name", "")
    head = "head_title_en" if en else "head_title"  # e.g. "GIÁM ĐỐC SỞ VĂN HÓA VÀ THỂ THAO", when configured
    recipients = [holder] + list(labels["recipients_default"])
    if which == "revocation":
        recipients = [labels["recipients_decision_prefix"].format(n=3)] + list(labels["recipients_default"])
    return {
        "lang": lang,
        "doc_kind": kind.value,
        "licence_kind": category,
        "number": number,
        "issued_on": issued_on,
        "issued_at": None,
        "place": authority.get("place_name", ""),
        "issuer": {"parent_body": authority.get("parent_body_en" if en else "parent_body", ""), "body": body,
                   **({"authority": authority[head]} if which == "revocation" and authority.get(head) else {})},
        "signer": {"prefix": signer.get("prefix_en" if en else "prefix") or "",
                   "position": signer.get("position_en" if en else "position", ""),
                   "name": signer.get("full_name", "")},
        "title": [labels[f"{title_key}_title"], labels[f"{title_key}_summary"].get(category, "")],
        "legal_basis": _basis_lines(base, lang, which, category),
        "T": {k: v for k, v in labels.items() if isinstance(v, str)},
        "noun": labels["noun"].get(category, labels["noun"]["karaoke"]),
        "body_name": body,
        "operator": {"name": holder, "head_office": operator.get("head_office", "")},
        "venue": base["venue"],
        "licence": {"number": base["number"], "issued_on": base["issued_on"]},
        "sanction": {"starts_on": sanction.starts_on, "ends_on": sanction.ends_on,
                     "reason": (sanction.reason or "").strip()},
        "recipients": recipients,
        "archive": "VT",
        "verify_url": base["verify_url"],
        "copy_mark": False,
        "template_version": NOTICE_TEMPLATE_VERSION,
    }


def _issue(licence, sanction, kind: DocumentKind, template: str, *, issued_by, lang: str) -> IssuedDocument:
    if sanction.id is None:
        db.session.flush()
    existing = _existing(sanction, kind, lang)
    if existing is not None:
        return existing
    issued_on = today_local()
    number = sanction.document_number
    if not number:
        authority, _signer = _authority_and_signer(licence)
        symbol = f"{SYMBOL_PREFIX[kind]}-{authority.get('abbreviation') or 'SVHTT'}"
        authority_id = authority.get("id") or licence.authority_id
        number = f"{next_document_number(authority_id, symbol, issued_on.year)}/{symbol}"
        sanction.document_number = number
        db.session.flush()
    context = notice_context(licence, sanction, kind, number=number, issued_on=issued_on, lang=lang)
    title = f"{context['title'][0]} {number} ({licence.number_display})"
    return store_document(kind, template, context, title=title, template_version=NOTICE_TEMPLATE_VERSION,
                          number=number, lang=lang, licence=licence, issued_by=issued_by, sanction_id=sanction.id)


def _kind_value(sanction) -> str:
    return getattr(sanction.kind, "value", sanction.kind)


def issue_suspension_notice(licence, sanction, issued_by=None, *, lang: str = "vi") -> IssuedDocument:
    """The suspension notice of ``sanction`` (kind ``suspension``), numbered ``<n>/TB-<abbr>``, stored once.

    :raises NoticeError: if the sanction is not the issuer's own suspension of this licence.
    """
    if _kind_value(sanction) != "suspension" or sanction.licence_id not in (None, licence.id):
        raise NoticeError(_l("A suspension notice is issued only for this department's suspension of the "
                             "licence."))
    return _issue(licence, sanction, DocumentKind.SUSPENSION_NOTICE, SUSPENSION_TEMPLATE, issued_by=issued_by,
                  lang=lang)


def issue_revocation_decision(licence, sanction, issued_by=None, *, lang: str = "vi") -> IssuedDocument:
    """The revocation decision of ``sanction`` (kind ``revocation``), numbered ``<n>/QĐ-<abbr>``, stored once.

    :raises NoticeError: if the sanction is not a revocation of this licence.
    """
    if _kind_value(sanction) != "revocation" or sanction.licence_id not in (None, licence.id):
        raise NoticeError(_l("A revocation decision is issued only for a revocation of the licence."))
    return _issue(licence, sanction, DocumentKind.REVOCATION_DECISION, REVOCATION_TEMPLATE, issued_by=issued_by,
                  lang=lang)


__all__ = ["NOTICE_TEMPLATE_VERSION", "NoticeError", "issue_revocation_decision", "issue_suspension_notice",
           "next_document_number", "notice_context"]

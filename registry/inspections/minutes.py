"""Inspection minutes ("biên bản kiểm tra"): numbered ``<n>/BB-SVHTT`` per year, rendered once from plain data with
the official-document machinery and stored like every issued document (``DocumentKind.MINUTES``).

The wording follows DOMAIN.md §5 (typical fields of minutes) and is **[unverified]** against the Decree 118/2021
form set; every sentence lives in ``templates/documents/pdf/minutes.html``.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from registry.documents.models import DocumentKind, IssuedDocument
from registry.documents.services import store_document
from registry.extensions import db
from registry.inspections.models import Agency, Inspection, ItemResult, SubjectKind

MINUTES_TEMPLATE = "documents/pdf/minutes.html"
MINUTES_TEMPLATE_VERSION = "minutes-2026.1"

_AGENCY = {
    "vi": {Agency.CULTURE: "Văn hóa, Thể thao", Agency.POLICE: "Công an", Agency.FIRE: "Cảnh sát PCCC",
           Agency.CONSTRUCTION: "Xây dựng", Agency.OTHER: "Cơ quan khác"},
    "en": {Agency.CULTURE: "Culture and sports", Agency.POLICE: "Police", Agency.FIRE: "Fire police",
           Agency.CONSTRUCTION: "Construction", Agency.OTHER: "Other agency"},
}
_RESULT = {"vi": {ItemResult.PASS: "Đạt", ItemResult.FAIL: "Không đạt", ItemResult.NA: "Không áp dụng"},
           "en": {ItemResult.PASS: "Pass", ItemResult.FAIL: "Fail", ItemResult.NA: "N/A"}}
_CARRIED = {"vi": {ItemResult.PASS: "Đã khắc phục", ItemResult.FAIL: "Chưa khắc phục", ItemResult.NA: "Không áp dụng"},
            "en": {ItemResult.PASS: "Resolved", ItemResult.FAIL: "Not resolved", ItemResult.NA: "N/A"}}
_KIND = {
    "vi": {"appraisal_visit": "thẩm định thực tế", "periodic": "kiểm tra định kỳ", "unannounced": "kiểm tra đột xuất",
           "interagency": "kiểm tra liên ngành", "complaint": "kiểm tra theo phản ánh",
           "follow_up": "kiểm tra việc khắc phục"},
    "en": {"appraisal_visit": "on-site appraisal", "periodic": "periodic inspection",
           "unannounced": "unannounced inspection",
           "interagency": "inter-agency inspection", "complaint": "inspection following a complaint",
           "follow_up": "follow-up inspection"},
}
_OPERATOR_KIND = {"vi": {"enterprise": "Doanh nghiệp", "household": "Hộ kinh doanh"},
                  "en": {"enterprise": "Enterprise", "household": "Household business"}}


class MinutesError(ValueError):
    """The minutes cannot be numbered or issued."""


def _authority(inspection: Inspection, config: dict):
    from registry.licences.models import IssuingAuthority

    code = config.get("authority_code")
    if code:
        found = db.session.execute(select(IssuingAuthority).where(IssuingAuthority.code == code)).scalar_one_or_none()
        if found is not None:
            return found
    if inspection.licence is not None and inspection.licence.authority is not None:
        return inspection.licence.authority
    return db.session.execute(select(IssuingAuthority).where(IssuingAuthority.active)
                              .order_by(IssuingAuthority.id).limit(1)).scalar_one_or_none()


def _number(inspection: Inspection, config: dict, year: int) -> str:
    from registry.licences.numbering import format_number, next_number

    authority = _authority(inspection, config)
    if authority is None:
        raise MinutesError(_("No issuing authority is configured, so the minutes cannot be numbered. Ask an "
                             "administrator to load the preset."))
    symbol = config.get("symbol") or f"BB-{authority.abbreviation}"
    return format_number(next_number(authority.id, symbol, year), symbol)


def _dt(moment, lang: str) -> dict:
    from registry.inspections.services import local_time

    local = local_time(moment)
    return {"hour": f"{local:%H}", "minute": f"{local:%M}", "date": local.date(), "hhmm": f"{local:%H:%M}"}


def minutes_context(inspection: Inspection, number: str, *, lang: str = "vi") -> dict:
    """Plain-data print context of the minutes of a completed visit."""
    from registry.inspections.services import local_time, setting
    from registry.inspections.violations import legal_reference

    config = setting("minutes", {}) or {}
    en = lang == "en"
    venue, operator = inspection.venue, inspection.operator
    started, ended = _dt(inspection.started_at, lang), _dt(inspection.ended_at, lang)
    team = [{"name": inspection.lead.full_name, "role": "lead", "agency": _AGENCY[lang][Agency.CULTURE],
             "position": None}]
    team += [{"name": m.full_name, "role": "member", "agency": _AGENCY[lang][m.agency], "position": m.position}
             for m in inspection.members]
    items = []
    for item in inspection.items:
        results = _CARRIED if item.carried else _RESULT
        items.append({"label": item.label(lang), "result": results[lang].get(item.result, ""),
                      "failed": item.result == ItemResult.FAIL, "note": item.note or "",
                      "carried": item.carried})
    violations = [{
        "description": v.description(lang), "reference": legal_reference(v, lang),
        "subject": ("Cá nhân" if v.subject == SubjectKind.INDIVIDUAL else "Tổ chức") if not en else (
            "Individual" if v.subject == SubjectKind.INDIVIDUAL else "Organisation"),
        "range": [v.fine_min, v.fine_max] if v.fine_min is not None else None,
        "amount": v.amount, "warning": v.warning, "remedy": v.remedy or "", "remedy_due_on": v.remedy_due_on,
    } for v in inspection.violations]
    original = inspection.original
    amendments = [{"at": local_time(a.amended_at).strftime("%d/%m/%Y %H:%M"), "by": a.by.full_name if a.by else "",
                   "reason": a.reason} for a in inspection.amendments]
    operator_kind = operator.kind.value if operator is not None else "enterprise"
    return {
        "lang": lang,
        "doc_kind": "minutes",
        "number": number,
        "issued_on": ended["date"],
        "issued_at": inspection.ended_at,
        "place": config.get("place") or "Hải Phòng",
        "issuer": {"parent_body": config.get("parent_body_en" if en else "parent_body", ""),
                   "body": config.get("body_en" if en else "body", "")},
        "inspection_kind": inspection.kind.value,
        "kind_text": _KIND[lang][inspection.kind.value],
        "decision_number": inspection.decision_number or "",
        "started": started, "ended": ended,
        "venue": {"name": venue.name, "address": venue.address, "phone": venue.phone or "",
                  "kind": venue.kind.value},
        "operator": {"name": operator.name, "kind": _OPERATOR_KIND[lang].get(operator_kind, ""),
                     "registration_number": operator.registration_number,
                     "legal_representative": operator.legal_rep_name or "", "head_office": operator.head_office or ""},
        "licence": ({"number": inspection.licence.number_display, "issued_on": inspection.licence.issued_on}
                    if inspection.licence is not None else None),
        "original": ({"number": original.minutes_number or "", "date": original.scheduled_on}
                     if original is not None else None),
        "team": team,
        "representative": {"name": inspection.representative_name or "", "role": inspection.representative_role or ""},
        "customers_count": inspection.customers_count,
        "staff_count": inspection.staff_count,
        "items": items,
        "violations": violations,
        "operator_statement": inspection.operator_statement or "",
        "witness_statement": inspection.witness_statement or "",
        "remarks": inspection.remarks or "",
        "refused_to_sign": inspection.refused_to_sign,
        "refusal_reason": inspection.refusal_reason or "",
        "copies": int(config.get("copies", 2)),
        "archive": config.get("archive") or "VT",
        "amendments": amendments,
        "recipients": [operator.name],
        "verify_url": None,
        "template_version": MINUTES_TEMPLATE_VERSION,
    }


def issue_minutes(inspection: Inspection, *, issued_by=None, lang: str = "vi") -> IssuedDocument:
    """Number (once) and render the minutes of a completed visit; a later call after an amendment re-issues them
    under the same number with the amendments listed. Flushes; the caller commits.

    :raises MinutesError: if no issuing authority is configured.
    """
    from registry.common import audit
    from registry.inspections.services import local_time, setting

    config = setting("minutes", {}) or {}
    if not inspection.minutes_number:
        year = local_time(inspection.ended_at).year if inspection.ended_at else inspection.scheduled_on.year
        inspection.minutes_number = _number(inspection, config, year)
    context = minutes_context(inspection, inspection.minutes_number, lang=lang)
    reissue = inspection.minutes_document_id is not None
    title = f"Biên bản kiểm tra {inspection.minutes_number} — {inspection.venue.name}"
    if reissue:
        title += " (sửa đổi)"
    document = store_document(DocumentKind.MINUTES, MINUTES_TEMPLATE, context, title=title,
                              template_version=MINUTES_TEMPLATE_VERSION, number=inspection.minutes_number, lang=lang,
                              venue_id=inspection.venue_id, inspection_id=inspection.id, issued_by=issued_by)
    inspection.minutes_document_id = document.id
    db.session.flush()
    audit.record("inspection.minutes", inspection, {"number": inspection.minutes_number, "document_id": document.id,
                                                    "reissue": reissue})
    return document

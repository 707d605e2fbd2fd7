"""The frozen record of what a licence licenses, written once at issue (``Licence.snapshot_json``).

The PDF, the licence page and the public verification page read this snapshot, never the live register, so a later
edit of the venue or the configuration cannot change an issued licence. It holds no personal ID numbers: only what
the licence prints (the legal representative's name).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from registry.licences.dossier import rooms_after, sports_after
from registry.licences.models import Application, IssuingAuthority, LicenceType, Signer

OPERATOR_KIND_LABELS = {"enterprise": ("Doanh nghiệp", "Enterprise"),
                        "household": ("Hộ kinh doanh", "Household business")}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _clock(value) -> str | None:
    if value is None:
        return None
    return "24:00" if (value.hour, value.minute) == (0, 0) else value.strftime("%H:%M")


def licence_type_part(ltype: LicenceType, operator_name: str) -> dict:
    """The type as printed; the legal basis ends with the "considering the application of …" line."""
    basis_vi = "\n".join(filter(None, [ltype.legal_basis_vi.strip(), f"Xét đề nghị của {operator_name},"]))
    basis_en = "\n".join(filter(None, [ltype.legal_basis_en.strip(), f"Considering the application of "
                                                                     f"{operator_name},"]))
    return {"code": ltype.code, "category": ltype.category.value, "name_vi": ltype.name_vi, "name_en": ltype.name_en,
            "title_vi": ltype.title_vi, "title_en": ltype.title_en, "legal_basis_vi": basis_vi,
            "legal_basis_en": basis_en}


def authority_part(authority: IssuingAuthority) -> dict:
    return {"parent_body": authority.parent_body, "parent_body_en": authority.parent_body_en,
            "name": authority.name, "name_en": authority.name_en, "abbreviation": authority.abbreviation,
            "place_name": authority.place_name}


def signer_part(signer: Signer | None) -> dict | None:
    if signer is None:
        return None
    return {"full_name": signer.full_name, "prefix": signer.prefix, "prefix_en": signer.prefix_en,
            "position": signer.position, "position_en": signer.position_en}


def operator_part(operator) -> dict:
    kind = getattr(operator.kind, "value", operator.kind)
    kind_vi, kind_en = OPERATOR_KIND_LABELS.get(kind, (kind, kind))
    return {"name": operator.name, "kind": kind, "kind_label": kind_vi, "kind_label_en": kind_en,
            "registration_number": operator.registration_number,
            "registration_date": _iso(operator.registration_date),
            "registration_issuer": operator.registration_issuer, "head_office": operator.head_office,
            "legal_rep_name": operator.legal_rep_name}


def venue_part(venue) -> dict:
    return {"id": venue.id, "ref": venue.ref, "name": venue.name, "kind": venue.kind.value, "address": venue.address,
            "ward": venue.ward.name if venue.ward is not None else None,
            "district": venue.district.name if venue.district is not None else None, "city": venue.city,
            "phone": venue.phone, "capacity": venue.capacity}


def build_snapshot(application: Application, *, operator, number_display: str, issued_on: date, valid_from: date,
                   expires_on: date | None, signer: Signer | None, supersedes: str | None) -> dict:
    """The snapshot of a licence issued from ``application`` (rooms and sports after its changes)."""
    ltype, venue = application.licence_type, application.venue
    rooms = [{"code": r.code, "area_m2": f"{Decimal(r.area_m2):.2f}"} for r in rooms_after(application)] \
        if venue.kind.has_rooms else []
    total = sum((Decimal(r["area_m2"]) for r in rooms), Decimal("0"))
    sports = [{"code": s.sport.code, "name_vi": s.sport.name_vi, "name_en": s.sport.name_en}
              for s in sports_after(application)]
    hours = ({"opens_at": _clock(venue.opens_at), "closes_at": _clock(venue.closes_at)}
             if venue.opens_at is not None and venue.closes_at is not None else None)
    event = ({"name": application.event_name, "starts_on": _iso(application.event_starts_on),
              "ends_on": _iso(application.event_ends_on)} if application.event_name else None)
    return {
        "licence_type": licence_type_part(ltype, operator.name),
        "authority": authority_part(ltype.authority),
        "signer": signer_part(signer),
        "operator": operator_part(operator),
        "venue": venue_part(venue),
        "rooms": rooms,
        "room_count": len(rooms),
        "total_area_m2": f"{total:.2f}",
        "sports": sports,
        "hours": hours,
        "conditions": [{"vi": c.get("vi", ""), "en": c.get("en", "")} for c in ltype.conditions],
        "event": event,
        "number_display": number_display,
        "issued_on": issued_on.isoformat(),
        "valid_from": valid_from.isoformat(),
        "expires_on": _iso(expires_on),
        "supersedes": supersedes,
    }

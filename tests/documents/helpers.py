"""Licences built directly (without the licensing services) for the documents and public tests.

The snapshot has the shape the licensing services freeze at issue (what ``licence_context`` reads).
"""
from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from registry.extensions import db

_seq = itertools.count(1)

KARAOKE_BASIS_VI = ("Căn cứ Nghị định số 54/2019/NĐ-CP ngày 19 tháng 6 năm 2019 của Chính phủ quy định về kinh "
                    "doanh dịch vụ karaoke, dịch vụ vũ trường, được sửa đổi, bổ sung bởi Nghị định số "
                    "148/2024/NĐ-CP;\nXét đề nghị của doanh nghiệp,")
KARAOKE_BASIS_EN = ("Pursuant to Decree No. 54/2019/ND-CP of 19 June 2019 of the Government on karaoke and dance hall "
                    "business, as amended by Decree No. 148/2024/ND-CP;\nConsidering the application of the business,")


def authority():
    """The Department of Culture and Sports of Hải Phòng (created once per database)."""
    from registry.licences.models import IssuingAuthority

    found = db.session.execute(select(IssuingAuthority).where(IssuingAuthority.code == "T-SVHTT")).scalar_one_or_none()
    if found is None:
        found = IssuingAuthority(code="T-SVHTT", parent_body="UBND thành phố Hải Phòng",
                                 parent_body_en="Hai Phong City People's Committee", name="Sở Văn hóa và Thể thao",
                                 name_en="Department of Culture and Sports", abbreviation="SVHTT",
                                 place_name="Hải Phòng")
        db.session.add(found)
        db.session.flush()
    return found


def signer(full_name: str = "Nguyễn Văn Hùng"):
    from registry.licences.models import Signer

    found = db.session.execute(select(Signer).where(Signer.full_name == full_name)).scalar_one_or_none()
    if found is None:
        found = Signer(authority_id=authority().id, full_name=full_name, prefix="KT. GIÁM ĐỐC",
                       prefix_en="FOR THE DIRECTOR", position="PHÓ GIÁM ĐỐC", position_en="DEPUTY DIRECTOR")
        db.session.add(found)
        db.session.flush()
    return found


def licence_type(category: str = "karaoke"):
    from registry.licences.models import LicenceCategory, LicenceType

    code = f"T-{category.upper()}"
    found = db.session.execute(select(LicenceType).where(LicenceType.code == code)).scalar_one_or_none()
    if found is None:
        names = {"karaoke": ("Giấy phép kinh doanh dịch vụ karaoke", "Karaoke business licence"),
                 "dance_hall": ("Giấy phép kinh doanh dịch vụ vũ trường", "Dance hall business licence"),
                 "sports": ("Giấy chứng nhận đủ điều kiện kinh doanh hoạt động thể thao",
                            "Sports business certificate"),
                 "event": ("Giấy phép tổ chức sự kiện", "Event licence")}[category]
        found = LicenceType(code=code, category=LicenceCategory(category), name_vi=names[0], name_en=names[1],
                            title_vi=names[0].upper(), title_en=names[1].upper(), symbol="GP-SVHTT",
                            authority_id=authority().id, default_signer_id=signer().id,
                            legal_basis_vi=KARAOKE_BASIS_VI, legal_basis_en=KARAOKE_BASIS_EN,
                            term_months=12 if category == "event" else None)
        db.session.add(found)
        db.session.flush()
    return found


def snapshot_of(venue, ltype, number_display: str, issued_on: date, *, expires_on: date | None = None,
                supersedes: str | None = None) -> dict:
    """What the licensing services freeze at issue: operator, venue, rooms or sports, hours, conditions."""
    auth, sign, op = ltype.authority, ltype.default_signer, venue.operator
    return {
        "number_display": number_display, "issued_on": issued_on.isoformat(),
        "expires_on": expires_on.isoformat() if expires_on else None, "supersedes": supersedes,
        "authority": {"code": auth.code, "parent_body": auth.parent_body, "parent_body_en": auth.parent_body_en,
                      "name": auth.name, "name_en": auth.name_en, "abbreviation": auth.abbreviation,
                      "place_name": auth.place_name},
        "signer": {"full_name": sign.full_name, "prefix": sign.prefix, "prefix_en": sign.prefix_en,
                   "position": sign.position, "position_en": sign.position_en},
        "licence_type": {"code": ltype.code, "category": ltype.category.value, "name_vi": ltype.name_vi,
                         "name_en": ltype.name_en, "legal_basis_vi": ltype.legal_basis_vi,
                         "legal_basis_en": ltype.legal_basis_en},
        "operator": {"kind": op.kind.value, "name": op.name,
                     "kind_label": "Doanh nghiệp" if op.kind.value == "enterprise" else "Hộ kinh doanh",
                     "kind_label_en": "Enterprise" if op.kind.value == "enterprise" else "Household business",
                     "registration_number": op.registration_number,
                     "registration_date": op.registration_date.isoformat() if op.registration_date else None,
                     "registration_issuer": op.registration_issuer, "head_office": op.head_office,
                     "legal_rep_name": op.legal_rep_name},
        "venue": {"id": venue.id, "ref": venue.ref, "name": venue.name, "address": venue.address,
                  "phone": venue.phone, "capacity": venue.capacity},
        "rooms": [{"code": r.code, "area_m2": str(r.area_m2)} for r in venue.active_rooms],
        "sports": [{"code": vs.sport.code, "name_vi": vs.sport.name_vi, "name_en": vs.sport.name_en}
                   for vs in venue.sports],
        "hours": ({"opens_at": venue.opens_at.strftime("%H:%M"), "closes_at": venue.closes_at.strftime("%H:%M")}
                  if venue.opens_at and venue.closes_at else {}),
        "conditions": [{"vi": "Thực hiện đúng các quy định tại Nghị định số 54/2019/NĐ-CP và Nghị định số "
                              "148/2024/NĐ-CP.",
                        "en": "Comply with Decree No. 54/2019/ND-CP and Decree No. 148/2024/ND-CP."}],
    }


def make_licence(venue=None, *, category: str = "karaoke", status: str = "active", issued_on: date | None = None,
                 expires_on: date | None = None, predecessor=None, number: int | None = None, **venue_kw):
    """An issued licence for ``venue`` (a new karaoke venue by default), flushed, without its PDF."""
    from registry.documents.licences import new_verify_token
    from registry.licences.models import Licence, LicenceStatus
    from tests.factories import make_venue

    if venue is None:
        venue = make_venue(kind="sports" if category == "sports" else (
            "dance_hall" if category == "dance_hall" else "karaoke"), **venue_kw)
    ltype = licence_type(category)
    issued_on = issued_on or date(2025, 2, 5)
    n = number or next(_seq)
    number_display = f"{n}/{ltype.symbol}"
    snap = snapshot_of(venue, ltype, number_display, issued_on, expires_on=expires_on,
                       supersedes=predecessor.number_display if predecessor else None)
    licence = Licence(licence_type_id=ltype.id, authority_id=ltype.authority_id, venue_id=venue.id,
                      operator_id=venue.operator_id, number=n, year=issued_on.year, symbol=ltype.symbol,
                      number_display=number_display, issued_on=issued_on, valid_from=issued_on,
                      expires_on=expires_on, status=LicenceStatus(status), predecessor_id=getattr(predecessor, "id",
                                                                                                  None),
                      verify_token=new_verify_token(), snapshot_json=json.dumps(snap, ensure_ascii=False),
                      signer_id=ltype.default_signer_id)
    db.session.add(licence)
    db.session.flush()
    return licence


def suspend(licence, *, starts_on: date | None = None, days: int | None = 90, reason: str = "Vi phạm lần thứ hai",
            kind: str = "suspension"):
    """Record a suspension (as the licensing service would) and set the licence's status."""
    from registry.licences.models import LicenceStatus, Sanction, SanctionKind

    starts_on = starts_on or date(2025, 6, 1)
    sanction = Sanction(licence_id=licence.id, kind=SanctionKind(kind), starts_on=starts_on,
                        ends_on=starts_on + timedelta(days=days) if days else None, reason=reason)
    db.session.add(sanction)
    licence.status = LicenceStatus.SUSPENDED
    licence.status_changed_on = starts_on
    db.session.flush()
    return sanction


def revoke(licence, *, on: date | None = None, reason: str = "Không khắc phục vi phạm trong thời gian tạm dừng"):
    from registry.licences.models import LicenceStatus, Sanction, SanctionKind

    on = on or date(2025, 9, 1)
    sanction = Sanction(licence_id=licence.id, kind=SanctionKind.REVOCATION, starts_on=on, reason=reason)
    db.session.add(sanction)
    licence.status = LicenceStatus.REVOKED
    licence.status_changed_on = on
    db.session.flush()
    return sanction


def supersede(licence, *, rooms: list[Decimal] | None = None, issued_on: date | None = None):
    """An adjusted licence for the same venue that supersedes ``licence``."""
    from registry.licences.models import LicenceStatus

    successor = make_licence(licence.venue, category=licence.licence_type.category.value,
                             issued_on=issued_on or date(2025, 8, 1), predecessor=licence)
    licence.status = LicenceStatus.SUPERSEDED
    licence.status_changed_on = successor.issued_on
    db.session.flush()
    return successor


def assert_lays_out_as_stock(template: str, context: dict, tmp_path) -> None:
    """The document renders pixel for pixel as it would with WeasyPrint's own HTML5 user-agent stylesheet
    (the renderer uses the lean ``print_ua.css``; see ``registry/documents/pdf.py``)."""
    import subprocess

    from weasyprint import HTML

    from registry.documents import pdf

    html = pdf.render_html(template, context)
    renderer = pdf._get_renderer()
    stock = HTML(string=html, base_url=renderer.base_url, url_fetcher=renderer.fetcher).write_pdf(
        stylesheets=[renderer.css], font_config=renderer.font_config)
    pages = {}
    for name, data in (("lean", pdf.html_to_pdf(html)), ("stock", stock)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
                       check=True)
        pages[name] = [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.png"))]
    assert pages["lean"], "no page rendered"
    assert len(pages["lean"]) == len(pages["stock"])
    for number, (lean, stock_page) in enumerate(zip(pages["lean"], pages["stock"], strict=True), 1):
        assert lean == stock_page, f"page {number} differs from the stock user-agent rendering"

"""Demo inspections for Hải Phòng: the ``inspector`` account has visits today, an overdue one, an attempted visit
rescheduled, past visits with violations and minutes, follow-ups due (one overdue) and a licence with two
operating-duty violations (the manager's suspension prompt); complaints, one turned into a visit.

Runs after the foundation and licensing sections and copes with what they made: venues without a licence are
inspected as such (the checklist says "no valid licence on record"); a missing account or venue kind is skipped.
Everything goes through the inspection services, so the audit trail and venue timelines are real.
"""
from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import g
from sqlalchemy import func, select

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=HCM).astimezone(UTC)


@contextmanager
def _acting(user):
    from registry.common.audit import Actor

    previous = g.get("audit_actor")
    g.audit_actor = Actor(user.id, user.username, str(user.role))
    try:
        yield
    finally:
        g.audit_actor = previous


def _user(username):
    from registry.auth.models import User
    from registry.extensions import db

    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def _venues(kind: str, rng: random.Random, *, prefer: tuple[str, ...] = ()) -> list:
    from registry.extensions import db
    from registry.venues.models import Venue, VenueKind, VenueStatus

    rows = list(db.session.execute(select(Venue).where(Venue.kind == VenueKind(kind),
                                                       Venue.status == VenueStatus.OPERATING)
                                   .order_by(Venue.id)).scalars())
    preferred = [v for name in prefer for v in rows if v.name == name]
    rest = [v for v in rows if v not in preferred]
    rng.shuffle(rest)
    return preferred + rest


def _ensure_licence(venue, issued_on: date):
    """The venue's licence in force; one is recorded (as the licensing demo would) if it has none."""
    import json
    import secrets

    from registry.extensions import db
    from registry.inspections.services import current_licence
    from registry.licences.models import IssuingAuthority, Licence, LicenceCategory, LicenceType

    licence = current_licence(venue.id)
    if licence is not None or venue.kind.value not in ("karaoke", "dance_hall", "sports"):
        return licence
    ltype = db.session.execute(select(LicenceType).where(LicenceType.category == LicenceCategory(venue.kind.value))
                               .order_by(LicenceType.id)).scalars().first()
    authority = db.session.execute(select(IssuingAuthority).where(IssuingAuthority.active)
                                   .order_by(IssuingAuthority.id)).scalars().first()
    if ltype is None or authority is None:
        return None
    from registry.licences.numbering import format_number, next_number

    number = next_number(authority.id, ltype.symbol, issued_on.year)
    display = format_number(number, ltype.symbol)
    operator = venue.operator
    rooms = [{"code": r.code, "area_m2": f"{r.area_m2:.2f}"} for r in venue.active_rooms]
    snapshot = {
        "number_display": display, "issued_on": issued_on.isoformat(),
        "authority": {"parent_body": authority.parent_body, "name": authority.name,
                      "abbreviation": authority.abbreviation, "place_name": authority.place_name},
        "licence_type": {"code": ltype.code, "category": ltype.category.value},
        "operator": {"name": operator.name, "kind": operator.kind.value,
                     "registration_number": operator.registration_number, "legal_rep_name": operator.legal_rep_name},
        "venue": {"id": venue.id, "name": venue.name, "address": venue.address, "kind": venue.kind.value},
        "rooms": rooms, "room_count": len(rooms),
        "hours": ({"opens_at": f"{venue.opens_at:%H:%M}", "closes_at": f"{venue.closes_at:%H:%M}"}
                  if venue.opens_at and venue.closes_at else None),
        "sports": [{"code": s.sport.code, "name_vi": s.sport.name_vi, "name_en": s.sport.name_en}
                   for s in venue.sports],
    }
    licence = Licence(licence_type_id=ltype.id, authority_id=authority.id, venue_id=venue.id,
                      operator_id=operator.id, number=number, year=issued_on.year, symbol=ltype.symbol,
                      number_display=display, issued_on=issued_on, valid_from=issued_on,
                      verify_token=secrets.token_urlsafe(24), snapshot_json=json.dumps(snapshot, ensure_ascii=False))
    db.session.add(licence)
    db.session.flush()
    return licence


def _vtype(code):
    from registry.extensions import db
    from registry.inspections.models import ViolationType

    return db.session.execute(select(ViolationType).where(ViolationType.code == code)).scalar_one_or_none()


def _answer(inspection, fails: dict[str, str] | None = None, notes: dict[str, str] | None = None,
            rng: random.Random | None = None):
    """Answer every item: pass (a few N/A), the given codes fail with their notes."""
    from registry.inspections import services
    from registry.inspections.models import ItemResult

    fails, notes = fails or {}, notes or {}
    answers = {}
    for item in inspection.items:
        code = next((c for c in fails if item.code == c or item.code.startswith(c + ":")), None)
        if code is not None:
            answers[item.id] = {"result": ItemResult.FAIL, "note": fails[code]}
        elif item.code in notes:
            answers[item.id] = {"result": ItemResult.PASS, "note": notes[item.code]}
        else:
            na = rng is not None and item.section == "operations" and rng.random() < 0.1
            answers[item.id] = {"result": ItemResult.NA if na else (item.result or ItemResult.PASS)}
    services.save_visit(inspection, {}, answers, version=inspection.version_id)


def _visit(venue, lead, *, kind, day, start=(21, 30), end_minutes=70, fails=None, fines=(), members=(),
           people=(12, 3), representative=None, statement=None, manager=None, decision=None, rng=None,
           outcome=None, refused=None):
    """Plan, start, answer and close one visit in the past; returns (inspection, close result).

    ``fines``: ``(catalogue code, item code, percent into the operator's range, remedy days or 0)``.
    """
    from registry.extensions import db
    from registry.inspections import services, violations
    from registry.inspections.models import InspectionKind, InspectionOutcome

    kind = InspectionKind(kind)
    if kind == InspectionKind.PERIODIC and services.planned_in_year(venue.operator_id, day.year):
        kind = InspectionKind.UNANNOUNCED  # Directive 20/CT-TTg: one planned inspection per operator a year
    with _acting(manager or lead):
        inspection = services.plan_inspection(venue=venue, kind=kind, scheduled_on=day, lead=lead,
                                              planned_by=manager or lead, members=members, decision_number=decision,
                                              window_from=time(*start), window_to=time((start[0] + 2) % 24, start[1]))
    started = _at(day, *start) if start[0] >= 8 else _at(day + timedelta(days=1), *start)
    with _acting(lead):
        services.start_visit(inspection, at=started)
        inspection.customers_count, inspection.staff_count = people
        inspection.representative_name = representative or venue.operator.legal_rep_name
        inspection.representative_role = "Chủ cơ sở"
        inspection.operator_statement = statement or "Nhất trí với kết quả kiểm tra."
        if refused:
            inspection.refused_to_sign, inspection.refusal_reason = True, refused
        _answer(inspection, fails, rng=rng)
        items = {i.code: i for i in inspection.items}
        for code, item_code, share, remedy_days in fines:
            vtype = _vtype(code)
            if vtype is None:
                continue
            item = next((i for c, i in items.items() if c == item_code or c.startswith(item_code + ":")), None)
            rng_ = violations.fine_range(vtype, venue.operator)
            # the amount proposed: ``share`` percent into the range for this operator
            amount = (rng_.low + (rng_.high - rng_.low) * share // 100 // 100_000 * 100_000 if rng_.configured
                      else 5_000_000)
            violations.record_violation(inspection, vtype, item=item, amount=amount, by=lead,
                                      remedy_due_on=day + timedelta(days=remedy_days) if remedy_days else None)
        failed = any(i.result and i.result.value == "fail" for i in inspection.items)
        result = services.close_visit(inspection, outcome or (InspectionOutcome.VIOLATIONS if failed else
                                                              InspectionOutcome.COMPLIANT),
                                      by=lead, version=inspection.version_id,
                                      at=started + timedelta(minutes=end_minutes))
    db.session.flush()
    return inspection, result


def build(rng: random.Random) -> dict[str, int]:
    """Write the demo visits (skipped if any inspection exists). The caller commits."""
    from registry.extensions import db
    from registry.inspections import complaints, services
    from registry.inspections.models import AttemptReason, ComplaintSource, Inspection, InspectionKind

    if db.session.execute(select(func.count()).select_from(Inspection)).scalar_one():
        return {"inspections": 0}
    inspector, inspector2, manager = _user("inspector"), _user("inspector2"), _user("manager")
    if inspector is None or manager is None:
        return {"inspections": 0}
    inspector2 = inspector2 or inspector
    from registry.db import today_local

    today = today_local()
    karaoke = _venues("karaoke", rng, prefer=("Karaoke Ánh Dương", "Karaoke Đêm Vàng"))
    dance = _venues("dance_hall", rng)
    sports = _venues("sports", rng)
    if len(karaoke) < 6:
        return {"inspections": 0}
    for venue in karaoke[:10] + dance[:2] + sports[:2]:
        _ensure_licence(venue, today - timedelta(days=rng.randint(500, 1400)))
    police = services.MemberData(full_name="Đại úy Phạm Văn Đức", agency="police", position="Công an phường")
    fire = services.MemberData(full_name="Thiếu tá Đỗ Minh Quân", agency="fire", position="Phòng Cảnh sát PCCC")
    colleague = services.MemberData(full_name=inspector2.full_name, agency="culture", user_id=inspector2.id,
                                    position="Thanh tra viên")
    year_no = f"{today.year}"
    made = 0

    # --- past visits with violations, minutes and follow-ups ----------------------------------------------
    anh_duong, dem_vang = karaoke[0], karaoke[1]
    small_room = next((r.code for r in anh_duong.active_rooms if r.area_m2 < 20), None)
    visit, _ = _visit(anh_duong, inspector, kind="unannounced", day=today - timedelta(days=40), start=(22, 5),
                      members=[colleague, police], manager=manager, decision=f"112/QĐ-SVHTT-{year_no}",
                      fails={f"room:{small_room}" if small_room else "no_inner_latch":
                             "Đo thực tế 18,0 m², nhỏ hơn 20 m²" if small_room else "Khóa chốt trong phòng VIP2"},
                      fines=[("room_below_minimum" if small_room else "inner_latch",
                                   f"room:{small_room}" if small_room else "no_inner_latch", 0, 30)],
                      people=(23, 5), rng=rng)
    made += 1 + len(visit.follow_ups)  # follow-up due 10 days ago: overdue

    visit1, _ = _visit(dem_vang, inspector, kind="unannounced", day=today - timedelta(days=200), start=(0, 40),
                       members=[police], manager=manager, decision=f"45/QĐ-SVHTT-{today.year}",
                       fails={"staff_uniforms": "3 nhân viên không đeo biển tên"},
                       fines=[("karaoke_hours", "hours", 40, 0),
                                   ("staff_uniform_badge", "staff_uniforms", 50, 0)],
                       people=(31, 6), statement="Cơ sở xin hứa đóng cửa đúng 24 giờ.", rng=rng)
    visit2, _ = _visit(dem_vang, inspector2, kind="complaint", day=today - timedelta(days=18), start=(23, 10),
                       members=[colleague] if inspector2 is not inspector else [], manager=manager,
                       fails={"staff_uniforms": "Nhân viên phục vụ không mặc đồng phục"},
                       fines=[("employer_no_uniform", "staff_uniforms", 50, 23)],
                       people=(17, 4), refused="Không đồng ý mức phạt", rng=rng)
    made += 2 + len(visit2.follow_ups)  # second operating-duty visit: the manager's suspension prompt

    for venue, lead, days in ((karaoke[2], inspector2, 90), (karaoke[3], inspector, 150),
                              *([(dance[0], inspector, 60)] if dance else []),
                              *([(sports[0], inspector2, 120)] if sports else [])):
        _visit(venue, lead, kind="periodic", day=today - timedelta(days=days), start=(20, 0), manager=manager,
               members=[fire], rng=rng)
        made += 1

    # --- today, overdue, attempted and upcoming for the inspector ----------------------------------------
    complaint = None
    if sports or dance:
        target = sports[1] if len(sports) > 1 else (dance[1] if len(dance) > 1 else karaoke[4])
        with _acting(manager):
            complaint = complaints.record_complaint(
                target, received_on=today - timedelta(days=2), source=ComplaintSource.PUBLIC,
                complainant="Cư dân tổ dân phố số 5",
                summary="Không thấy nhân viên cứu hộ tại bể bơi vào buổi tối; trẻ em bơi một mình."
                if target.kind.value == "sports" else "Tiếng nhạc lớn sau 02 giờ sáng.", by=manager)
            complaints.record_complaint(karaoke[5], received_on=today - timedelta(days=5), source=ComplaintSource.FIRE,
                                      complainant="Phòng Cảnh sát PCCC",
                                      summary="Lối thoát nạn thứ hai bị chắn bởi kho chứa đồ.", by=manager)
    plans = [
        (karaoke[4], InspectionKind.UNANNOUNCED, today, (21, 0), [colleague, police], None),
        *([(dance[1 if len(dance) > 1 else 0], InspectionKind.PERIODIC, today, (22, 30), [police], None)]
          if dance else []),
        *([(complaint.venue, InspectionKind.COMPLAINT, today, (18, 0), [], complaint)] if complaint else []),
        (karaoke[5], InspectionKind.UNANNOUNCED, today - timedelta(days=2), (21, 30), [], None),
        (karaoke[6], InspectionKind.UNANNOUNCED, today + timedelta(days=3), (21, 0), [police], None),
        (karaoke[7], InspectionKind.INTERAGENCY, today + timedelta(days=6), (20, 0), [police, fire], None),
    ]
    with _acting(manager):
        for venue, kind, day, start, members, from_complaint in plans:
            if kind == InspectionKind.PERIODIC and services.planned_in_year(venue.operator_id, day.year):
                kind = InspectionKind.UNANNOUNCED
            services.plan_inspection(venue=venue, kind=kind, scheduled_on=day, lead=inspector, planned_by=manager,
                                     window_from=time(*start), window_to=time((start[0] + 2) % 24, start[1]),
                                     members=members, complaint=from_complaint,
                                     decision_number=f"{rng.randint(120, 199)}/QĐ-SVHTT")
            made += 1
        attempted = services.plan_inspection(venue=karaoke[8], kind=InspectionKind.UNANNOUNCED,
                                             scheduled_on=today - timedelta(days=3), lead=inspector,
                                             planned_by=manager, window_from=time(21, 0), window_to=time(23, 0))
        made += 1
    with _acting(inspector):
        services.record_attempt(attempted, AttemptReason.CLOSED, today + timedelta(days=1),
                                note="Cửa cuốn đóng, biển hiệu tắt; hàng xóm cho biết cơ sở nghỉ 3 ngày.",
                                by=inspector, version=attempted.version_id, at=_at(today - timedelta(days=3), 21, 40))
    with _acting(manager):
        if len(karaoke) > 9:
            services.plan_inspection(venue=karaoke[9], kind=InspectionKind.UNANNOUNCED,
                                     scheduled_on=today + timedelta(days=2), lead=inspector2, planned_by=manager)
            made += 1
    db.session.flush()
    return {"inspections": made}

"""Demo data for the manager's dashboard: something falls due in every horizon and some things are overdue.

Runs after the other demo sections and adds only what is missing, through the features' own services (so every
record has its audit trail): e-mail addresses and a few English-reading operators; prerequisite documents expiring
over the next months (and two already lapsed, which the consequence rules then flag); event permits ending within
30, 60 and 90 days; a suspension that ends in two weeks; and a reminder run whose letters were printed, so the
delivery log and the operators' timelines are not empty. Nothing here sends e-mail.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

#: Days from today at which demo documents expire (negative: already lapsed).
DOCUMENT_OFFSETS = (-40, -6, 4, 11, 19, 27, 38, 52, 66, 81, 150, 400)
#: Days from today at which demo event permits end.
PERMIT_OFFSETS = (6, 24, 45, 58, 75, 88)
ENGLISH_READERS = 3
#: Working days before today on which demo dossiers were received (due 5 working days later).
APPLICATION_AGES = (8, 5, 4, 1)
DEMO_NOTE = "Dữ liệu mẫu (demo)"


def _venues():
    from registry.extensions import db
    from registry.venues.models import Venue, VenueStatus

    return db.session.execute(select(Venue).where(Venue.status == VenueStatus.OPERATING)
                              .order_by(Venue.id)).scalars().all()


def _contacts(rng: random.Random) -> int:
    """Every operator gets an e-mail address; a few prefer English (foreign-owned enterprises)."""
    from registry.common.text import fold
    from registry.extensions import db
    from registry.venues.models import Operator

    operators = db.session.execute(select(Operator).order_by(Operator.id)).scalars().all()
    changed = 0
    for op in operators:
        if not op.email:
            op.email = f"lienhe.{fold(op.registration_number).replace(' ', '')}@example.vn"
            changed += 1
    if not any(op.language == "en" for op in operators):
        for op in rng.sample(operators, min(ENGLISH_READERS, len(operators))):
            op.language = "en"
            changed += 1
    db.session.flush()
    return changed


def _documents(rng: random.Random, today: date, venues) -> int:
    """Fire-safety and security-and-order documents expiring across the horizons."""
    from registry.extensions import db
    from registry.licences import services
    from registry.licences.models import Licence, LicenceStatus, PrerequisiteDocument, PrerequisiteKind

    if db.session.execute(select(PrerequisiteDocument.id).where(PrerequisiteDocument.notes == DEMO_NOTE)).first():
        return 0
    have = set(db.session.execute(select(PrerequisiteDocument.venue_id)).scalars())
    licensed = set(db.session.execute(select(Licence.venue_id).where(
        Licence.status == LicenceStatus.ACTIVE)).scalars())
    # venues holding a valid licence first: the documents that lapsed then flag a licence (the rules' demo)
    candidates = sorted((v for v in venues if v.id not in have and v.kind.has_rooms),
                        key=lambda v: (v.id not in licensed, v.id))
    added = 0
    for offset, venue in zip(DOCUMENT_OFFSETS, candidates, strict=False):
        kind = PrerequisiteKind.FIRE_SAFETY if added % 2 else PrerequisiteKind.SECURITY_ORDER
        expires = today + timedelta(days=offset)
        issued = min(expires - timedelta(days=365 * 3), today - timedelta(days=30))
        issuer = ("Phòng Cảnh sát PCCC và CNCH - Công an TP Hải Phòng" if kind == PrerequisiteKind.FIRE_SAFETY
                  else "Phòng Cảnh sát QLHC về TTXH - Công an TP Hải Phòng")
        number = f"{rng.randint(100, 999)}/{'NT-PCCC' if kind == PrerequisiteKind.FIRE_SAFETY else 'GCN-ANTT'}"
        services.add_prerequisite(venue, kind=kind, number=number, issued_on=issued, issuer=issuer,
                                  expires_on=expires, notes=DEMO_NOTE)
        added += 1
    return added


def _permits(rng: random.Random, today: date, venues) -> int:
    """Event permits ending within 30, 60 and 90 days, taken through the licensing workflow (received, accepted,
    paid, approved by the manager); an application the rules refuse is simply left out."""
    from registry.auth.models import User
    from registry.extensions import db
    from registry.licences import services
    from registry.licences.errors import LicensingError
    from registry.licences.models import Application, ApplicationStatus, Channel, LicenceCategory, LicenceType

    ltype = db.session.execute(select(LicenceType).where(LicenceType.category == LicenceCategory.EVENT,
                                                         LicenceType.active.is_(True))).scalars().first()
    clerk = db.session.execute(select(User).where(User.username == "clerk")).scalar_one_or_none()
    manager = db.session.execute(select(User).where(User.username == "manager")).scalar_one_or_none()
    if ltype is None or clerk is None or manager is None:
        return 0
    existing = db.session.execute(select(func.count()).select_from(Application).where(
        Application.licence_type_id == ltype.id)).scalar_one()
    if existing:
        return 0
    issued = 0
    for offset, venue in zip(PERMIT_OFFSETS, [v for v in venues if v.kind.has_rooms][-len(PERMIT_OFFSETS):],
                             strict=False):
        received = today - timedelta(days=10)
        try:
            with db.session.begin_nested():
                app = services.receive_application(
                    licence_type=ltype, kind="new", venue=venue, channel=Channel.COUNTER, received_on=received,
                    prepared_by=clerk, event_name=rng.choice(("Đêm nhạc Bolero", "Liên hoan karaoke mùa hè",
                                                              "Đêm hội trăng rằm", "Giải đấu khiêu vũ thể thao")),
                    event_starts_on=today + timedelta(days=max(offset - 3, 0)),
                    event_ends_on=today + timedelta(days=offset))
                _valid_documents(venue, today)
                services.transition(app, ApplicationStatus.ACCEPTED, by=clerk, on=received)
                services.transition(app, ApplicationStatus.APPRAISAL, by=clerk, on=received + timedelta(days=1))
                services.record_appraisal(app, appraised_on=received + timedelta(days=2), no_inner_latch=True,
                                          no_non_fire_alarm=True, notes="Đủ điều kiện tổ chức sự kiện.")
                if app.fee_due:
                    services.record_payment(app, receipt_number=f"BL-DEMO-{app.id:05d}", paid_on=received,
                                            amount=app.fee_due, by=clerk)
                services.decide(app, approve=True, by=manager, on=today - timedelta(days=2))
                issued += 1
        except LicensingError:
            continue
    return issued


def _valid_documents(venue, today: date) -> None:
    """Security-and-order certificate and fire-safety acceptance valid for years (an event permit needs both)."""
    from registry.licences import services
    from registry.licences.models import PrerequisiteKind

    services.add_prerequisite(venue, kind=PrerequisiteKind.SECURITY_ORDER, number=f"{venue.id:03d}/GCN-ANTT",
                              issued_on=today - timedelta(days=200), expires_on=today + timedelta(days=1200),
                              issuer="Phòng Cảnh sát QLHC về TTXH - Công an TP Hải Phòng")
    services.add_prerequisite(venue, kind=PrerequisiteKind.FIRE_SAFETY, number=f"{venue.id:03d}/NT-PCCC",
                              issued_on=today - timedelta(days=200), expires_on=None,
                              issuer="Phòng Cảnh sát PCCC và CNCH - Công an TP Hải Phòng")


def _applications(today: date, venues) -> int:
    """Karaoke dossiers still open, one past its legal deadline and others due within days (working days)."""
    from registry.auth.models import User
    from registry.extensions import db
    from registry.licences import services
    from registry.licences.errors import LicensingError
    from registry.licences.models import Application, Channel, Licence, LicenceType
    from registry.oversight.workdays import calendar

    if db.session.execute(select(Application.id).where(Application.decided_on.is_(None))).first():
        return 0
    ltype = db.session.execute(select(LicenceType).where(LicenceType.code == "HP-KARAOKE")).scalar_one_or_none()
    clerk = db.session.execute(select(User).where(User.username == "clerk")).scalar_one_or_none()
    if ltype is None or clerk is None:
        return 0
    licensed = set(db.session.execute(select(Licence.venue_id)).scalars())
    free = [v for v in venues if v.kind.value == "karaoke" and v.id not in licensed]
    cal, added = calendar(), 0
    for age, venue in zip(APPLICATION_AGES, free, strict=False):
        received = today
        for _ in range(age):
            received -= timedelta(days=1)
            while not cal.is_working_day(received):
                received -= timedelta(days=1)
        try:
            with db.session.begin_nested():
                services.receive_application(licence_type=ltype, kind="new", venue=venue, channel=Channel.ONLINE,
                                             received_on=received, prepared_by=clerk)
                added += 1
        except LicensingError:
            continue
    return added


def _suspension(today: date) -> int:
    """A valid karaoke licence suspended for 30 days that ends in two weeks (if none is ending already)."""
    from registry.auth.models import User
    from registry.extensions import db
    from registry.licences import lifecycle
    from registry.licences.models import Licence, LicenceStatus, Sanction

    if db.session.execute(select(Sanction.id).where(Sanction.ends_on >= today, Sanction.lifted_on.is_(None))).first():
        return 0
    licence = db.session.execute(select(Licence).where(Licence.status == LicenceStatus.ACTIVE,
                                                       Licence.expires_on.is_(None), Licence.issued_on
                                                       <= today - timedelta(days=20)).order_by(Licence.id)
                                 ).scalars().first()
    manager = db.session.execute(select(User).where(User.username == "manager")).scalar_one_or_none()
    if licence is None:
        return 0
    lifecycle.suspend(licence, starts_on=today - timedelta(days=16), ends_on=today + timedelta(days=14),
                      reason="Vi phạm lần thứ hai nghĩa vụ tại Điều 7 Nghị định 54/2019/NĐ-CP", by=manager)
    return 1


def _reminder_log(today: date) -> int:
    """A reminder run whose letters were printed for three operators (a real PDF; no e-mail is sent)."""
    from registry.extensions import db
    from registry.oversight import reminders
    from registry.oversight.models import ReminderRun

    if db.session.execute(select(ReminderRun.id)).first():
        return 0
    plan = reminders.plan(today, 30, channel="letter")
    chosen = [d.operator_id for d in plan.sendable][:3]
    if not chosen:
        return 0
    result = reminders.send(today, 30, channel="letter", trigger="demo", operator_ids=chosen)
    return result.notices_sent


def build(rng: random.Random) -> dict[str, int]:
    """Add the missing due items, apply the consequence rules, and log one reminder run. Commits (the reminder
    run commits its own steps)."""
    from registry.db import today_local
    from registry.extensions import db
    from registry.oversight.rules import apply_rules

    today = today_local()
    venues = _venues()
    counts = {"contacts": _contacts(rng), "documents": _documents(rng, today, venues),
              "permits": _permits(rng, today, venues), "applications": _applications(today, venues),
              "suspensions": _suspension(today)}
    flags = apply_rules(today)
    counts["flags"] = len(flags.flagged)
    db.session.commit()
    counts["reminders"] = _reminder_log(today)
    return counts

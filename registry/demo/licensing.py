"""Demo licensing data: applications at every stage and licences in every state, written through the services.

Runs after the foundation demo and picks venues with queries (it copes with a small register: a story whose venue
is missing is skipped). Dates are set in the past so that deadlines, expiries and number sequences look lived-in:
some dossiers are overdue, some fall due in a few days, certificates expire within 30/60/90 days or already have,
an event permit runs today and another starts in 20 days. Every issued licence gets its PDF at issue.
"""
from __future__ import annotations

import contextlib
import random
from datetime import date, timedelta
from decimal import Decimal

from flask import g
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.common.audit import Actor
from registry.db import today_local
from registry.extensions import db

EXCLUDED = {"Karaoke Ánh Dương", "Vũ trường Nhịp Sóng", "Karaoke Đêm Vàng", "Bể bơi Phượng Vĩ"}


@contextlib.contextmanager
def acting_as(user):
    """Attribute the audit events written inside the block to ``user``."""
    previous = g.get("audit_actor")
    g.audit_actor = Actor(user.id, user.username, str(user.role))
    try:
        yield
    finally:
        g.audit_actor = previous


class Story:
    """Shared state of the demo run: staff, the calendar, the venues still free, counters."""

    def __init__(self, rng: random.Random):
        from registry.auth.models import User
        from registry.common.permissions import Role
        from registry.licences.workdays import calendar

        self.rng, self.today, self.cal = rng, today_local(), calendar()
        users = list(db.session.execute(select(User).order_by(User.id)).scalars())
        self.clerks = [u for u in users if u.role == Role.CLERK] or users
        self.manager = next((u for u in users if u.role == Role.MANAGER), users[-1])
        self.receipts = 0
        self.made = {"applications": 0, "licences": 0}

    def clerk(self):
        return self.rng.choice(self.clerks)

    def working_days_ago(self, n: int) -> date:
        day, left = self.today, n
        while left > 0:
            day -= timedelta(days=1)
            if self.cal.is_working_day(day):
                left -= 1
        return day

    def after(self, day: date, n: int) -> date:
        """``n`` working days after ``day``, never later than today."""
        return min(self.cal.add(day, n), self.today)


def _venues(kind: str) -> list:
    from registry.licences.models import Application
    from registry.venues.models import Venue, VenueStatus

    taken = select(Application.venue_id)
    return list(db.session.execute(
        select(Venue).where(Venue.kind == kind, Venue.status != VenueStatus.CLOSED, Venue.id.not_in(taken))
        .options(selectinload(Venue.rooms), selectinload(Venue.sports), selectinload(Venue.staff))
        .order_by(Venue.ref)).scalars())


def _licence_type(code: str):
    from registry.licences.models import LicenceType

    return db.session.execute(select(LicenceType).where(LicenceType.code == code)).scalar_one_or_none()


def documents(story: Story, venue, issued_on: date, *, expires_in: int | None = None, kinds=None) -> None:
    """Certificates from other agencies, issued before the dossier."""
    from registry.licences import services

    issuers = {"security_order": "Phòng Cảnh sát QLHC về TTXH – Công an thành phố Hải Phòng",
               "fire_safety": "Phòng Cảnh sát PCCC và CNCH – Công an thành phố Hải Phòng",
               "enterprise_registration": "Phòng Đăng ký kinh doanh – Sở Kế hoạch và Đầu tư Hải Phòng",
               "criminal_record": "Sở Tư pháp thành phố Hải Phòng"}
    for kind in kinds or ("security_order", "fire_safety"):
        expires = story.today + timedelta(days=expires_in) if expires_in is not None and kind == "fire_safety" \
            else None
        services.add_prerequisite(venue, kind=kind, number=f"{story.rng.randrange(10, 999)}/{kind[:2].upper()}-HP",
                                  issued_on=issued_on - timedelta(days=story.rng.randrange(20, 200)),
                                  issuer=issuers[kind], expires_on=expires)


def receive(story: Story, venue, code: str, received_on: date, *, kind: str = "new", **kw):
    from registry.licences import services

    ltype = _licence_type(code)
    if ltype is None:
        return None
    clerk = story.clerk()
    with acting_as(clerk):
        application = services.receive_application(
            licence_type=ltype, kind=kind, venue=venue, channel=story.rng.choice(["counter", "counter", "online",
                                                                                   "post"]),
            received_on=received_on, prepared_by=clerk, **kw)
    story.made["applications"] += 1
    return application


def advance(story: Story, application, stage: str) -> None:
    """Move an application on to ``stage`` (accepted, appraisal, appraised), with plausible dates."""
    from registry.licences import services

    clerk = application.prepared_by
    start = application.received_on
    with acting_as(clerk):
        services.transition(application, "accepted", by=clerk, on=story.after(start, 1))
        if stage in ("appraisal", "appraised"):
            services.transition(application, "appraisal", by=clerk, on=story.after(start, 2))
        if stage == "appraised":
            services.record_appraisal(application, appraised_on=story.after(start, 3), no_inner_latch=True,
                                      no_non_fire_alarm=True, notes="Đoàn thẩm định kiểm tra thực tế: đạt.")


def pay(story: Story, application, part: int | None = None) -> None:
    from registry.licences import services

    amount = part or application.fee_outstanding
    if amount:
        story.receipts += 1
        with acting_as(application.prepared_by):
            services.record_payment(application, receipt_number=f"BL-{application.received_on.year}-"
                                                                f"{story.receipts:05d}",
                                    paid_on=story.after(application.received_on, 1), amount=amount,
                                    by=application.prepared_by)


def decide(story: Story, application, *, deliver: bool = True):
    """Approve (or, when a rule fails, refuse with the reasons) and deliver the result."""
    from registry.licences import dossier, services

    on = story.after(application.received_on, 4)
    with acting_as(story.manager):
        failing = dossier.verdict(application).blocking
        if failing:
            services.decide(application, approve=False, by=story.manager, on=on,
                            reason="Không đáp ứng: " + "; ".join(r.title_vi for r in failing))
            licence = None
        else:
            licence = services.decide(application, approve=True, by=story.manager, on=on)
            story.made["licences"] += 1
    if deliver:
        with acting_as(application.prepared_by):
            services.transition(application, "result_delivered", by=application.prepared_by,
                                on=story.after(on, 1))
    return licence


def issued(story: Story, venue, code: str, received_on: date, **kw):
    """A licence issued through the whole workflow."""
    application = receive(story, venue, code, received_on, **kw)
    if application is None:
        return None
    advance(story, application, "appraised")
    pay(story, application)
    return decide(story, application)


# ------------------------------------------------------------------------------------------------ the stories
def licensed_karaoke(story: Story) -> list:
    """Karaoke venues licensed over the last three years, with certificates expiring at various horizons."""
    venues = [v for v in _venues("karaoke") if v.name not in EXCLUDED and v.active_rooms
              and all(r.area_m2 >= 20 for r in v.active_rooms)]
    licences = []
    horizons = [None, None, 25, 55, 85, None, 400, None]
    for i, venue in enumerate(venues[:24]):
        received = story.today - timedelta(days=story.rng.randrange(40, 1000))
        documents(story, venue, received, expires_in=horizons[i % len(horizons)] or 700)
        licence = issued(story, venue, "HP-KARAOKE", received)
        if licence is not None:
            licences.append(licence)
    return licences


def lifecycle_stories(story: Story, licences: list) -> None:
    """Adjustments, an owner change, suspensions, a revocation, cessations, a copy, expired certificates."""
    from registry.licences import lifecycle
    from registry.venues.models import Operator

    rng, today, manager = story.rng, story.today, story.manager
    pool = [lic for lic in licences if lic.issued_on < today - timedelta(days=30)]
    rng.shuffle(pool)
    for licence in pool[:2]:  # rooms added: the first licence is superseded
        n = len(licence.venue.active_rooms)
        changes = {"add_rooms": [{"code": f"VIP{n + k}", "area_m2": str(Decimal(rng.randrange(44, 70)) / 2)}
                                 for k in (1, 2)]}
        issued(story, licence.venue, "HP-KARAOKE", story.working_days_ago(rng.randrange(8, 15)),
               kind="adjust_rooms", subject_licence=licence, changes=changes)
    if len(pool) > 2:  # change of owner
        licence = pool[2]
        buyer = db.session.execute(select(Operator).where(Operator.id != licence.operator_id,
                                                          Operator.closed_on.is_(None))
                                   .order_by(Operator.id)).scalars().first()
        if buyer is not None:
            issued(story, licence.venue, "HP-KARAOKE", story.working_days_ago(20), kind="adjust_owner",
                   subject_licence=licence, operator=buyer)
    with acting_as(manager):
        if len(pool) > 3:
            lifecycle.suspend(pool[3], starts_on=today - timedelta(days=6), by=manager,
                              reason="Vi phạm lần thứ hai nghĩa vụ tại Điều 6 (đã lập biên bản ngày 02/10 và "
                                     "ngày 14/11)", document_number="27/TB-SVHTT")
        if len(pool) > 4:
            lifecycle.suspend(pool[4], kind="agency_suspension", starts_on=today - timedelta(days=3),
                              ends_on=today + timedelta(days=27), by=manager,
                              reason="Đình chỉ hoạt động do vi phạm quy định về PCCC",
                              issuing_body="Phòng Cảnh sát PCCC và CNCH – Công an thành phố Hải Phòng",
                              document_number="115/QĐ-PC07")
        if len(pool) > 5:
            lifecycle.revoke(pool[5], on=today - timedelta(days=40), by=manager, document_number="88/QĐ-UBND",
                             issuing_body="Ủy ban nhân dân thành phố Hải Phòng",
                             reason="Không khắc phục vi phạm trong thời gian bị tạm dừng kinh doanh")
        for licence in pool[6:8]:
            lifecycle.cease(licence, on=today - timedelta(days=rng.randrange(10, 120)), by=manager,
                            reason="Chủ cơ sở nộp lại giấy phép, chấm dứt kinh doanh")
    for licence in pool[8:11]:  # a certificate that has lapsed since the licence was issued
        for doc in _current_fire_documents(licence.venue_id):
            doc.expires_on = today - timedelta(days=rng.randrange(5, 60))
    if len(pool) > 11:  # a lost licence: a copy from the register
        licence = pool[11]
        application = receive(story, licence.venue, "HP-KARAOKE", story.working_days_ago(6), kind="reissue_copy",
                              subject_licence=licence)
        if application is not None:
            advance(story, application, "accepted")
            decide(story, application)


def _current_fire_documents(venue_id: int) -> list:
    from registry.licences.models import PrerequisiteDocument, PrerequisiteKind

    return list(db.session.execute(select(PrerequisiteDocument).where(
        PrerequisiteDocument.venue_id == venue_id, PrerequisiteDocument.kind == PrerequisiteKind.FIRE_SAFETY,
        PrerequisiteDocument.superseded_by_id.is_(None))).scalars())


def dance_and_sports(story: Story) -> None:
    """Dance halls (issued, or refused when too close to a school or too small) and sports certificates."""
    for venue in [v for v in _venues("dance_hall") if v.name not in EXCLUDED][:4]:
        received = story.today - timedelta(days=story.rng.randrange(60, 700))
        documents(story, venue, received)
        issued(story, venue, "HP-DANCE", received)
    sports = [v for v in _venues("sports") if v.name not in EXCLUDED]
    for venue in sports[:6]:
        received = story.today - timedelta(days=story.rng.randrange(60, 700))
        documents(story, venue, received, kinds=("enterprise_registration",))
        issued(story, venue, "HP-SPORTS", received)


def event_permits(story: Story) -> None:
    """Two events that are over (permits expired), one running now, one starting in 20 days."""
    today = story.today
    events = [("Đêm nhạc Bolero mùa thu", -120, -119), ("Lễ hội bia Oktoberfest", -60, -58),
              ("Đêm nhạc Trịnh Công Sơn", -1, 1), ("Chung kết Giọng hát karaoke Cảng", 20, 21)]
    venues = _venues("club") + [v for v in _venues("karaoke") if v.name not in EXCLUDED]
    for (name, start, end), venue in zip(events, venues, strict=False):
        starts_on = today + timedelta(days=start)
        received = story.working_days_ago(12) if start > 0 else starts_on - timedelta(days=14)
        documents(story, venue, received)
        issued(story, venue, "HP-EVENT", received, event_name=name, event_starts_on=starts_on,
               event_ends_on=today + timedelta(days=end))


def open_applications(story: Story) -> None:
    """Dossiers at every stage, some overdue and some due within a few working days."""
    from registry.licences import services
    from registry.venues.models import Venue

    karaoke = [v for v in _venues("karaoke") if v.name not in EXCLUDED]
    rng, today = story.rng, story.today
    plans = [("received", 0), ("received", 3), ("received", 9),           # fresh, due in 2 days, overdue
             ("needs_completion", 2), ("needs_completion", 6),
             ("accepted", 3), ("accepted", 8),                            # due in 2 days, overdue
             ("appraisal", 4), ("appraisal", 2), ("withdrawn", 5), ("refused", 12)]
    for (stage, ago), venue in zip(plans, karaoke, strict=False):
        documents(story, venue, story.working_days_ago(ago + 30), expires_in=rng.choice([None, 45, 80]))
        application = receive(story, venue, "HP-KARAOKE", story.working_days_ago(ago))
        clerk = application.prepared_by
        with acting_as(clerk):
            if stage == "needs_completion":
                services.transition(application, "needs_completion", by=clerk, on=story.after(
                    application.received_on, 1), reason="Thiếu văn bản nghiệm thu PCCC bản chính để đối chiếu")
            elif stage in ("accepted", "appraisal"):
                advance(story, application, stage)
                if stage == "appraisal":
                    pay(story, application, part=application.fee_due // 2)
            elif stage == "withdrawn":
                services.transition(application, "withdrawn", by=clerk, on=today,
                                    reason="Chủ cơ sở rút hồ sơ để bổ sung phòng hát")
            elif stage == "refused":
                advance(story, application, "appraised")
                application.no_inner_latch = False
                decide(story, application)
    # the deliberately non-compliant venues of the foundation demo, caught by the rules
    for name, code in (("Karaoke Ánh Dương", "HP-KARAOKE"), ("Vũ trường Nhịp Sóng", "HP-DANCE"),
                       ("Karaoke Đêm Vàng", "HP-KARAOKE")):
        venue = db.session.execute(select(Venue).where(Venue.name == name)).scalars().first()
        if venue is None or venue.is_closed:
            continue
        documents(story, venue, story.working_days_ago(40))
        application = receive(story, venue, code, story.working_days_ago(3))
        if application is not None:
            advance(story, application, "appraised")
            pay(story, application)
            if name == "Vũ trường Nhịp Sóng":
                decide(story, application, deliver=False)


def build(rng: random.Random) -> dict[str, int]:
    """Write the demo licensing records (the caller commits). Skipped when applications already exist."""
    from registry.licences.lifecycle import expire_licences
    from registry.licences.models import Application

    if db.session.execute(select(Application.id).limit(1)).first() is not None:
        return {"applications": 0, "licences": 0}
    story = Story(rng)
    licences = licensed_karaoke(story)
    lifecycle_stories(story, licences)
    dance_and_sports(story)
    event_permits(story)
    open_applications(story)
    with acting_as(story.manager):
        expire_licences(story.today)
    db.session.flush()
    return story.made

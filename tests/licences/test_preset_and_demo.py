"""The Hải Phòng licensing preset loads idempotently; the demo set covers every stage and state."""
from __future__ import annotations

import random

from sqlalchemy import func, select

from registry.extensions import db
from registry.licences.models import (
    Application,
    ApplicationStatus,
    FeeRule,
    IssuingAuthority,
    Licence,
    LicenceStatus,
    LicenceType,
    PrerequisiteDocument,
    ProtectedSite,
    Signer,
)


def counts():
    return [db.session.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (IssuingAuthority, Signer, LicenceType, FeeRule, ProtectedSite)]


def test_preset_loads_twice_without_duplicates(app):
    from registry.presets.loader import load_preset

    before = counts()
    assert before == [3, 3, 4, 19, 15]
    load_preset("haiphong")
    db.session.flush()
    assert counts() == before


def test_reloading_keeps_rules_an_administrator_added(app):
    from registry.licences.models import ApplicationKind, FeeSchedule, FeeUnit, LicenceCategory
    from registry.presets.loader import load_preset

    schedule = db.session.execute(select(FeeSchedule).where(FeeSchedule.code == "TT-01-2021-BTC")).scalar_one()
    schedule.rules.append(FeeRule(category=LicenceCategory.KARAOKE, kind=ApplicationKind.RENEWAL, unit=FeeUnit.LICENCE,
                                  amount=1, label_vi="x", label_en="x"))
    db.session.flush()
    load_preset("haiphong")
    assert db.session.execute(select(func.count()).select_from(FeeRule)).scalar_one() == 20


def test_demo_covers_every_stage_and_state(app):
    from registry.demo import create_demo_users, foundation, licensing

    create_demo_users()
    foundation.build(random.Random(2026))
    made = licensing.build(random.Random(2026))
    assert made["licences"] >= 30
    statuses = set(db.session.execute(select(Application.status).distinct()).scalars())
    assert {ApplicationStatus.RECEIVED, ApplicationStatus.NEEDS_COMPLETION, ApplicationStatus.ACCEPTED,
            ApplicationStatus.APPRAISAL, ApplicationStatus.RESULT_DELIVERED, ApplicationStatus.WITHDRAWN} <= statuses
    assert set(db.session.execute(select(Licence.status).distinct()).scalars()) == set(LicenceStatus)
    overdue = [a for a in db.session.execute(select(Application)).scalars() if a.is_open and a.due_on
               and a.due_on < licensing.today_local()]
    assert overdue
    expired_documents = db.session.execute(select(func.count()).select_from(PrerequisiteDocument).where(
        PrerequisiteDocument.expires_on < licensing.today_local(),
        PrerequisiteDocument.superseded_by_id.is_(None))).scalar_one()
    assert expired_documents >= 1
    from registry.documents.models import IssuedDocument

    issued = db.session.execute(select(func.count()).select_from(Licence)).scalar_one()
    pdfs = db.session.execute(select(func.count(func.distinct(IssuedDocument.licence_id)))).scalar_one()
    assert pdfs == issued  # every issued licence has its PDF
    assert licensing.build(random.Random(2026)) == {"applications": 0, "licences": 0}  # runs once

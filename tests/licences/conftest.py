"""Fixtures for the licensing tests: staff, licence types from the preset, venues and applications at any stage."""
from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from registry.db import today_local
from registry.extensions import db
from tests.factories import make_venue

_receipts = itertools.count(1)


@pytest.fixture(autouse=True)
def english(app):
    """Messages outside requests in English, so tests read the same whatever catalogue is compiled."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@pytest.fixture
def clerk(make_user):
    return make_user("clerk")


@pytest.fixture
def manager(make_user):
    return make_user("manager")


def licence_type(code: str):
    from registry.licences.models import LicenceType

    return db.session.execute(select(LicenceType).where(LicenceType.code == code)).scalar_one()


def add_documents(venue, *, expires_on: date | None = None):
    """The security-and-order certificate and fire-safety acceptance most types require."""
    from registry.licences import services

    issued = today_local() - timedelta(days=200)
    services.add_prerequisite(venue, kind="security_order", number=f"{venue.id}/GCN-ANTT", issued_on=issued,
                              issuer="Công an thành phố Hải Phòng", expires_on=expires_on)
    services.add_prerequisite(venue, kind="fire_safety", number=f"{venue.id}/NT-PCCC", issued_on=issued,
                              issuer="Phòng Cảnh sát PCCC và CNCH", expires_on=expires_on)


def receive(venue, clerk, *, code: str = "HP-KARAOKE", kind: str = "new", received_on: date | None = None, **kw):
    from registry.licences import services

    return services.receive_application(licence_type=licence_type(code), kind=kind, venue=venue,
                                        channel=kw.pop("channel", "counter"),
                                        received_on=received_on or today_local(), prepared_by=clerk, **kw)


def to_appraisal(application, clerk, *, latch: bool | None = True, alarm: bool | None = True):
    """Accept the dossier, start the appraisal and record the findings."""
    from registry.licences import services

    services.transition(application, "accepted", by=clerk)
    services.transition(application, "appraisal", by=clerk)
    services.record_appraisal(application, appraised_on=today_local(), no_inner_latch=latch,
                              no_non_fire_alarm=alarm, notes=None)


def pay_in_full(application, clerk):
    from registry.licences import services

    if application.fee_outstanding:
        services.record_payment(application, receipt_number=f"BL-{next(_receipts):06d}", paid_on=today_local(),
                                amount=application.fee_outstanding, by=clerk)


def issue(venue, clerk, manager, *, code: str = "HP-KARAOKE", **kw):
    """A licence issued through the whole workflow (documents, appraisal, payment, decision)."""
    from registry.licences import services

    if not kw.pop("skip_documents", False):
        add_documents(venue)
    application = receive(venue, clerk, code=code, **kw)
    to_appraisal(application, clerk)
    pay_in_full(application, clerk)
    licence = services.decide(application, approve=True, by=manager)
    db.session.flush()
    return licence


def karaoke_venue(rooms=None, **kw):
    return make_venue(rooms=rooms if rooms is not None else [Decimal("24.5")] * 6, **kw)


@pytest.fixture
def issued(clerk, manager):
    """A factory: ``issued(venue=None, code="HP-KARAOKE")`` → an issued licence."""

    def factory(venue=None, **kw):
        return issue(venue or karaoke_venue(), clerk, manager, **kw)

    return factory

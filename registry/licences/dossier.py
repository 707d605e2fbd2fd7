"""What an application asks for, read from the venue register plus the changes it requests: the rooms and sports
it would license, the eligibility verdict and the fee. Read-only; services use these to decide and record.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from registry.common.text import fold
from registry.db import today_local
from registry.extensions import db
from registry.licences import fees, rules
from registry.licences.models import Application, ApplicationKind, FeeUnit, PrerequisiteDocument

#: Procedures that re-issue what is already licensed, without assessing the venue again.
NO_ASSESSMENT = frozenset({ApplicationKind.REISSUE_COPY})


def _pending_changes(application: Application, kind: ApplicationKind) -> dict:
    """The changes of an application of ``kind`` not yet written to the register (none once approved)."""
    changes = application.changes
    return changes if application.kind == kind and not changes.get("applied") else {}


def rooms_after(application: Application) -> list[rules.RoomInput]:
    """The venue's current rooms in use, with the rooms an adjustment adds or removes applied."""
    changes = _pending_changes(application, ApplicationKind.ADJUST_ROOMS)
    removed = {fold(code) for code in changes.get("remove_rooms", [])}
    result = [rules.RoomInput(r.code, Decimal(r.area_m2)) for r in application.venue.active_rooms
              if fold(r.code) not in removed]
    result += [rules.RoomInput(r["code"], Decimal(r["area_m2"])) for r in changes.get("add_rooms", [])]
    return sorted(result, key=lambda r: fold(r.code))


def sports_after(application: Application) -> list[rules.SportInput]:
    """The facility's sports, with the sports a certificate change adds or removes applied."""
    from registry.reference.models import Sport

    changes = _pending_changes(application, ApplicationKind.SPORTS_CHANGE)
    removed = set(changes.get("remove_sports", []))
    result = [rules.SportInput(s.sport, s.sells_instruction, s.open_water) for s in application.venue.sports
              if s.sport_id not in removed]
    added = changes.get("add_sports", [])
    if added:
        catalogue = {s.id: s for s in db.session.execute(
            select(Sport).where(Sport.id.in_([a["sport_id"] for a in added]))).scalars()}
        result += [rules.SportInput(catalogue[a["sport_id"]], bool(a.get("sells_instruction")),
                                    bool(a.get("open_water"))) for a in added if a["sport_id"] in catalogue]
    return sorted(result, key=lambda s: s.sport.code)


def venue_documents(venue_id: int) -> list[PrerequisiteDocument]:
    """Every prerequisite document recorded for the venue, newest first."""
    return list(db.session.execute(
        select(PrerequisiteDocument).where(PrerequisiteDocument.venue_id == venue_id)
        .order_by(PrerequisiteDocument.issued_on.desc(), PrerequisiteDocument.id.desc())).scalars())


def eligibility_input(application: Application, on: date | None = None) -> rules.EligibilityInput:
    """The facts the rules evaluate, as recorded today (or on ``on``)."""
    return rules.EligibilityInput(
        venue=application.venue, rooms=rooms_after(application), sports=sports_after(application),
        staff=[s for s in application.venue.staff if s.active], documents=venue_documents(application.venue_id),
        on=on or today_local(), no_inner_latch=application.no_inner_latch,
        no_non_fire_alarm=application.no_non_fire_alarm, event_starts_on=application.event_starts_on,
        event_ends_on=application.event_ends_on)


def verdict(application: Application, on: date | None = None) -> rules.Verdict:
    """The eligibility rules of the application's licence type, evaluated now."""
    if application.kind in NO_ASSESSMENT:
        return rules.Verdict([])
    return rules.evaluate(application.licence_type.rules, eligibility_input(application, on))


def fee_units(application: Application) -> dict[FeeUnit, int]:
    """What fee rules may count for this application."""
    changes = application.changes
    return {
        FeeUnit.LICENCE: 1,
        FeeUnit.ROOMS: len(rooms_after(application)) if application.venue.kind.has_rooms else 0,
        FeeUnit.ADDED_ROOMS: len(changes.get("add_rooms", [])) if application.kind == ApplicationKind.ADJUST_ROOMS
        else 0,
        FeeUnit.SPORTS: len(sports_after(application)),
        FeeUnit.ADDED_SPORTS: len(changes.get("add_sports", []))
        if application.kind == ApplicationKind.SPORTS_CHANGE else 0,
    }


def fee_quote(application: Application) -> fees.FeeQuote:
    """The fee the schedule in force on the received date gives for this application."""
    return fees.quote(application.licence_type.category, application.kind, fees.venue_tier(application.venue),
                      fee_units(application), application.received_on)

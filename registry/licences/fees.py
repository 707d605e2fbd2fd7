"""Fees from the versioned fee schedule: the schedule in force on the day the dossier was received, the rules of
that schedule for the licence category, procedure and the venue's area tier. Money is integer VND throughout.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.extensions import db
from registry.licences.models import ApplicationKind, FeeRule, FeeSchedule, FeeUnit, LicenceCategory
from registry.reference.models import FeeTier


@dataclass
class FeeLine:
    """One applied rule."""

    rule_id: int
    label_vi: str
    label_en: str
    units: int
    amount: int
    capped: bool = False
    verified: bool = True

    def label(self, lang: str) -> str:
        return self.label_vi if lang == "vi" else self.label_en


@dataclass
class FeeQuote:
    """The fee of one application, with the schedule, tier and lines it came from."""

    on: str
    tier: str
    total: int = 0
    schedule_id: int | None = None
    schedule_code: str | None = None
    schedule_name_vi: str = ""
    schedule_name_en: str = ""
    legal_basis_vi: str = ""
    legal_basis_en: str = ""
    verified: bool = True
    lines: list[FeeLine] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> FeeQuote | None:
        if not data or "on" not in data:
            return None
        lines = [FeeLine(**line) for line in data.get("lines", [])]
        return cls(**{**data, "lines": lines})

    def schedule_name(self, lang: str) -> str:
        return self.schedule_name_vi if lang == "vi" else self.schedule_name_en

    def legal_basis(self, lang: str) -> str:
        return self.legal_basis_vi if lang == "vi" else self.legal_basis_en


def venue_tier(venue) -> FeeTier:
    """Circular 01/2021 area tier of the venue: its district's (before July 2025), else its ward's."""
    unit = venue.district if venue.district is not None else venue.ward
    return FeeTier(unit.fee_tier) if unit is not None else FeeTier.CITY


def schedule_in_force(category: LicenceCategory, kind: ApplicationKind, on: date) -> FeeSchedule | None:
    """The newest schedule in force on ``on`` that has rules for ``category`` and ``kind``."""
    query = (select(FeeSchedule).join(FeeRule)
             .where(FeeSchedule.effective_from <= on,
                    (FeeSchedule.effective_to.is_(None)) | (FeeSchedule.effective_to >= on),
                    FeeRule.category == category, FeeRule.kind == kind)
             .order_by(FeeSchedule.effective_from.desc(), FeeSchedule.id.desc())
             .options(selectinload(FeeSchedule.rules)).limit(1))
    return db.session.execute(query).scalars().first()


def apply_rule(rule: FeeRule, units: int) -> FeeLine | None:
    """The line ``rule`` gives for ``units`` (None when ``units`` is outside the rule's band)."""
    if rule.min_units is not None and units < rule.min_units:
        return None
    if rule.max_units is not None and units > rule.max_units:
        return None
    amount = rule.amount + rule.per_unit * (units if rule.unit != FeeUnit.LICENCE else 0)
    capped = rule.cap is not None and amount > rule.cap
    if capped:
        amount = rule.cap
    return FeeLine(rule_id=rule.id, label_vi=rule.label_vi, label_en=rule.label_en, units=units, amount=int(amount),
                   capped=capped, verified=rule.verified)


def quote(category: LicenceCategory, kind: ApplicationKind, tier: FeeTier, units: dict[FeeUnit, int],
          on: date) -> FeeQuote:
    """The fee for a procedure.

    :param units: counts for the units rules may use (rooms, added rooms, sports, added sports).
    :param on: the day the dossier was received; decides which schedule applies.
    :returns: a quote; ``schedule_id`` is None (and the total 0) when no schedule has a rule for the case.
    """
    result = FeeQuote(on=on.isoformat(), tier=tier.value)
    schedule = schedule_in_force(category, kind, on)
    if schedule is None:
        return result
    result.schedule_id, result.schedule_code = schedule.id, schedule.code
    result.schedule_name_vi, result.schedule_name_en = schedule.name_vi, schedule.name_en
    result.legal_basis_vi, result.legal_basis_en = schedule.legal_basis_vi, schedule.legal_basis_en
    for rule in schedule.rules:
        if rule.category != category or rule.kind != kind or (rule.tier is not None and rule.tier != tier):
            continue
        line = apply_rule(rule, 1 if rule.unit == FeeUnit.LICENCE else units.get(rule.unit, 0))
        if line is not None:
            result.lines.append(line)
    result.total = sum(line.amount for line in result.lines)
    result.verified = schedule.verified and all(line.verified for line in result.lines)
    return result

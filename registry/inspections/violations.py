"""Violations from the catalogue: the fine range for the operator (individual or organisation ×2), the amount
refused outside it, the legal reference as printed, the per-licence counter of operating-duty violations and the
suspension prompt it raises (Decree 54/2019 Art. 15(1)(b)). Flushes and audits; never commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import distinct, func, select

from registry.common import audit
from registry.common.text import clean
from registry.db import today_local, utcnow
from registry.extensions import db
from registry.inspections.models import (
    Inspection,
    InspectionItem,
    InspectionStatus,
    ItemResult,
    SubjectKind,
    Violation,
    ViolationType,
)
from registry.inspections.services import InspectionError, _require_open, fmt_money, local_time, setting


@dataclass
class FineRange:
    """The fine range that applies to this operator for one catalogue row."""

    subject: SubjectKind
    low: int | None
    high: int | None
    multiplier: int
    verified: bool

    @property
    def configured(self) -> bool:
        return self.low is not None


def subject_for(operator) -> SubjectKind:
    """Household businesses are fined as individuals, enterprises as organisations."""
    from registry.venues.models import OperatorKind

    return SubjectKind.INDIVIDUAL if operator.kind == OperatorKind.HOUSEHOLD else SubjectKind.ORGANISATION


def fine_range(vtype: ViolationType, operator) -> FineRange:
    """The range for ``operator`` (organisations × the row's multiplier, 2 under Decree 38/2021 Art. 5)."""
    subject = subject_for(operator)
    multiplier = vtype.organisation_multiplier if subject == SubjectKind.ORGANISATION else 1
    if vtype.fine_min is None:
        cap = int((setting("fine_caps", {}) or {}).get("individual", 50_000_000)) * multiplier
        return FineRange(subject, None, cap, multiplier, False)
    return FineRange(subject, vtype.fine_min * multiplier, vtype.fine_max * multiplier, multiplier,
                     vtype.amount_verified)


def check_amount(vtype: ViolationType, operator, amount: int | None, warning: bool) -> tuple[int, bool]:
    """Validate the proposed amount against the row's range for this operator; returns (amount, warning).

    :raises InspectionError: (field ``amount``) when the amount is missing or outside the range.
    """
    rng = fine_range(vtype, operator)
    who = _("an individual (household business)") if rng.subject == SubjectKind.INDIVIDUAL else _(
        "an organisation (enterprise, fines × %(m)d)", m=rng.multiplier)
    if warning:
        if not vtype.warning_allowed:
            raise InspectionError(_("A warning is not allowed for this violation: propose a fine."), "warning")
        return 0, True
    if amount is None:
        raise InspectionError(_("Enter the proposed fine in đồng."), "amount")
    if rng.configured and not rng.low <= amount <= rng.high:
        raise InspectionError(_("For %(who)s the fine for this violation is between %(low)s and %(high)s. "
                                "%(amount)s is outside that range.", who=who, low=fmt_money(rng.low),
                                high=fmt_money(rng.high), amount=fmt_money(amount)), "amount")
    if not rng.configured and not 0 < amount <= rng.high:
        raise InspectionError(_("No fine range is configured for this violation (amounts unverified). Enter an "
                                "amount above 0 and at most %(high)s, taken from the decree.",
                                high=fmt_money(rng.high)), "amount")
    return amount, False


def _free_item(inspection: Inspection, vtype: ViolationType) -> InspectionItem:
    n = sum(1 for i in inspection.items if i.section == "other") + 1
    item = InspectionItem(position=100_000 + n, code=f"other:{n}", section="other",
                          label_vi=vtype.description_vi, label_en=vtype.description_en, result=ItemResult.FAIL,
                          violation_code=vtype.code)
    inspection.items.append(item)
    db.session.flush()
    return item


def record_violation(inspection: Inspection, vtype: ViolationType, *, item: InspectionItem | None,
                     amount: int | None, warning: bool = False, remedy: str | None = None,
                     remedy_due_on: date | None = None, by=None) -> Violation:
    """Record a violation against a failed checklist item (a free finding gets an item of its own).

    :raises InspectionError: visit not in progress, amount outside the range, or a deadline before the visit.
    """
    _require_open(inspection)
    if inspection.status != InspectionStatus.IN_PROGRESS:
        raise InspectionError(_("Start the visit before recording violations."))
    if not vtype.active:
        raise InspectionError(_("This catalogue row is no longer in use."), "violation_type_id")
    if item is not None and item.inspection_id != inspection.id:
        raise InspectionError(_("The checklist item does not belong to this visit."))
    amount, warning = check_amount(vtype, inspection.operator, amount, warning)
    visit_day = local_time(inspection.started_at).date() if inspection.started_at else today_local()
    if remedy_due_on is not None and remedy_due_on < visit_day:
        raise InspectionError(_("The remedy deadline cannot be before the visit."), "remedy_due_on")
    item = item or _free_item(inspection, vtype)
    item.result = ItemResult.FAIL
    rng = fine_range(vtype, inspection.operator)
    violation = Violation(
        inspection_id=inspection.id, item_id=item.id, violation_type_id=vtype.id, licence_id=inspection.licence_id,
        code=vtype.code, decree=vtype.decree, article=vtype.article, clause=vtype.clause, point=vtype.point,
        description_vi=vtype.description_vi, description_en=vtype.description_en,
        operating_duty=vtype.operating_duty, subject=rng.subject, fine_min=rng.low if rng.configured else None,
        fine_max=rng.high if rng.configured else None, amount=amount, warning=warning,
        remedy=clean(remedy) or vtype.remedy_vi or None, remedy_due_on=remedy_due_on,
        created_by_id=getattr(by, "id", None))
    db.session.add(violation)
    inspection.draft_saved_at = utcnow()
    db.session.flush()
    audit.record("violation.record", violation, {
        "inspection_id": inspection.id, "violation_code": vtype.code, "reference": legal_reference(violation, "vi"),
        "subject": rng.subject, "amount": amount, "warning": warning, "remedy": violation.remedy,
        "remedy_due_on": remedy_due_on, "operating_duty": vtype.operating_duty},
        venue_id=inspection.venue_id, operator_id=inspection.operator_id)
    return violation


def remove_violation(violation: Violation) -> None:
    """Remove a violation recorded by mistake, while the visit is still open."""
    inspection = violation.inspection
    _require_open(inspection)
    details = {"inspection_id": inspection.id, "violation_code": violation.code, "amount": violation.amount}
    item = violation.item
    db.session.delete(violation)
    db.session.flush()
    if item.section == "other" and not item.violations:
        db.session.delete(item)
    db.session.flush()
    audit.record("violation.remove", entity_type="violations", entity_id=None, changes=details,
                 venue_id=inspection.venue_id, operator_id=inspection.operator_id)


def legal_reference(violation, lang: str = "vi") -> str:
    """``Điểm a khoản 6 Điều 15 Nghị định 38/2021/NĐ-CP`` / ``Art. 15(6)(a) Decree 38/2021/NĐ-CP``."""
    if lang == "vi":
        if not violation.article:
            return f"Nghị định {violation.decree} (chưa xác định điều, khoản)"
        parts = []
        if violation.point:
            parts.append(f"điểm {violation.point}")
        if violation.clause:
            parts.append(f"khoản {violation.clause}")
        parts.append(f"Điều {violation.article}")
        text = " ".join(parts) + f" Nghị định {violation.decree}"
        return text[0].upper() + text[1:]
    if not violation.article:
        return f"Decree {violation.decree} (article to be confirmed)"
    ref = f"Art. {violation.article}"
    if violation.clause:
        ref += f"({violation.clause})"
    if violation.point:
        ref += f"({violation.point})"
    return f"{ref} Decree {violation.decree}"


def duty_violation_count(licence_id: int | None) -> int:
    """Visits at which an operating-duty violation (Decree 54/2019 Arts. 6–8) was recorded against the licence."""
    if licence_id is None:
        return 0
    return db.session.execute(
        select(func.count(distinct(Violation.inspection_id))).join(Inspection, Inspection.id == Violation.inspection_id)
        .where(Violation.licence_id == licence_id, Violation.operating_duty,
               Inspection.status != InspectionStatus.CANCELLED)).scalar_one()


@dataclass
class SuspensionPrompt:
    """A second operating-duty violation on a licence: the issuing body issues a suspension notice (Art. 15(1)(b))."""

    licence: object
    count: int


def suspension_prompt(inspection: Inspection) -> SuspensionPrompt | None:
    """The prompt to show for ``inspection``, if its licence is valid and this is a second (or later) duty breach."""
    from registry.licences.models import LicenceStatus

    if inspection.licence is None or inspection.licence.status != LicenceStatus.ACTIVE:
        return None
    if not any(v.operating_duty for v in inspection.violations):
        return None
    count = duty_violation_count(inspection.licence_id)
    return SuspensionPrompt(inspection.licence, count) if count >= 2 else None

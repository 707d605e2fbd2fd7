"""Automatic consequences declared as data (``rules.json`` → ``ConsequenceRule``).

A rule reads: "when a <document kind> lapses, <flag | suspend> the licences that depend on it". A document has
*lapsed* for a venue when the venue's latest document of that kind is revoked or past its expiry date and no valid
one of that kind exists. A licence *depends* on it when its type lists that kind among its required documents, or
its category is one the rule names.

``apply_rules(today)`` raises a flag on each dependent licence in force and, for a SUSPEND rule, suspends a valid
licence through the licensing service (``licences.lifecycle.suspend``, kind AGENCY_SUSPENSION: the issuing body is
the agency whose document lapsed; the Department's own suspension notice under Art. 15 does not apply to it). It
clears every open flag whose venue now holds a valid document of that kind, lifting the suspension the rule imposed
(``lifecycle.lift_suspension``: the licence is valid again when no other suspension is open). It is idempotent: an
open flag is never raised twice (a partial unique index guards it), a cleared one is not cleared again. The operator
is told through the reminders: open flags are a due-item source (``licence_flag``) and go out in the next digest,
once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select

from registry.common import audit
from registry.extensions import db
from registry.licences.models import Licence, LicenceStatus, LicenceType, PrerequisiteDocument, Sanction, SanctionKind
from registry.oversight.models import ConsequenceRule, LicenceFlag, RuleAction
from registry.oversight.sources import requires_document

IN_FORCE = (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED)


@dataclass
class RulesResult:
    """What one application of the rules changed."""

    flagged: list[int] = field(default_factory=list)
    suspended: list[int] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)
    lifted: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.flagged or self.cleared)


def _valid_clause(today: date):
    return (PrerequisiteDocument.revoked.is_(False),
            or_(PrerequisiteDocument.expires_on.is_(None), PrerequisiteDocument.expires_on >= today))


def lapsed_documents(kind: str, today: date) -> dict[int, PrerequisiteDocument]:
    """``{venue_id: latest lapsed document}`` for venues with no valid document of ``kind``."""
    valid_venues = select(PrerequisiteDocument.venue_id).where(PrerequisiteDocument.kind == kind,
                                                               *_valid_clause(today))
    rows = db.session.execute(
        select(PrerequisiteDocument).where(
            PrerequisiteDocument.kind == kind,
            or_(PrerequisiteDocument.revoked.is_(True), PrerequisiteDocument.expires_on < today),
            PrerequisiteDocument.venue_id.not_in(valid_venues))
        .order_by(PrerequisiteDocument.venue_id, PrerequisiteDocument.issued_on, PrerequisiteDocument.id)).scalars()
    latest: dict[int, PrerequisiteDocument] = {}
    for doc in rows:
        latest[doc.venue_id] = doc  # ordered: the last one per venue is the latest
    return latest


def _lapse_date(doc: PrerequisiteDocument, today: date) -> date:
    if doc.revoked or doc.expires_on is None:
        return min(doc.updated_at.date(), today) if doc.updated_at else today
    return doc.expires_on


def _depends(rule: ConsequenceRule, ltype: LicenceType) -> bool:
    return requires_document(ltype.required_documents_json, rule.document_kind) or (
        ltype.category in rule.categories)


def _suspend(licence: Licence, rule: ConsequenceRule, doc: PrerequisiteDocument, today: date) -> Sanction:
    """Suspend a valid licence because a document it depends on lapsed (flushes; the licensing service audits it on
    the licence's timeline). The operator's notice is the next reminder digest: the flag is a due item."""
    from registry.licences.lifecycle import suspend

    sanction = suspend(licence, starts_on=today, reason=rule.description("vi") or rule.code,
                       kind=SanctionKind.AGENCY_SUSPENSION, issuing_body=doc.issuer or rule.code,
                       document_number=None)
    return sanction


def _raise_flags(rule: ConsequenceRule, today: date, result: RulesResult) -> None:
    lapsed = lapsed_documents(rule.document_kind, today)
    if not lapsed:
        return
    open_flags = set(db.session.execute(select(LicenceFlag.licence_id).where(
        LicenceFlag.rule_id == rule.id, LicenceFlag.cleared_on.is_(None))).scalars())
    venue_ids = sorted(lapsed)
    for start in range(0, len(venue_ids), 500):
        licences = db.session.execute(
            select(Licence, LicenceType).join(LicenceType, LicenceType.id == Licence.licence_type_id)
            .where(Licence.venue_id.in_(venue_ids[start:start + 500]), Licence.status.in_(IN_FORCE))
            .order_by(Licence.id)).all()
        for licence, ltype in licences:
            if licence.id in open_flags or not _depends(rule, ltype):
                continue
            doc = lapsed[licence.venue_id]
            sanction = None
            if rule.action == RuleAction.SUSPEND and licence.status == LicenceStatus.ACTIVE:
                sanction = _suspend(licence, rule, doc, today)
                result.suspended.append(licence.id)
            flag = LicenceFlag(licence_id=licence.id, rule_id=rule.id, document_id=doc.id,
                               document_kind=rule.document_kind, lapsed_on=_lapse_date(doc, today), raised_on=today,
                               action=rule.action, sanction_id=sanction.id if sanction else None)
            db.session.add(flag)
            db.session.flush()
            audit.record("rule.flag", flag, {"rule": rule.code, "document_id": doc.id, "document_number": doc.number,
                                             "lapsed_on": flag.lapsed_on, "action": str(rule.action)},
                         entity_type="licences", entity_id=licence.id, venue_id=licence.venue_id,
                         operator_id=licence.operator_id)
            result.flagged.append(licence.id)


def _clear_flags(today: date, result: RulesResult, *, venue_id: int | None = None) -> None:
    stmt = (select(LicenceFlag, Licence).join(Licence, Licence.id == LicenceFlag.licence_id)
            .where(LicenceFlag.cleared_on.is_(None)).order_by(LicenceFlag.id))
    if venue_id is not None:
        stmt = stmt.where(Licence.venue_id == venue_id)
    for flag, licence in db.session.execute(stmt).all():
        renewed = db.session.execute(
            select(PrerequisiteDocument).where(PrerequisiteDocument.venue_id == licence.venue_id,
                                               PrerequisiteDocument.kind == flag.document_kind, *_valid_clause(today))
            .order_by(PrerequisiteDocument.issued_on.desc(), PrerequisiteDocument.id.desc())).scalars().first()
        if renewed is None:
            continue
        flag.cleared_on, flag.cleared_by_document_id = today, renewed.id
        db.session.flush()
        audit.record("rule.clear", flag, {"rule": flag.rule.code, "document_id": renewed.id,
                                          "document_number": renewed.number},
                     entity_type="licences", entity_id=licence.id, venue_id=licence.venue_id,
                     operator_id=licence.operator_id)
        result.cleared.append(licence.id)
        if flag.sanction_id is not None:
            _lift(flag, licence, renewed, today, result)


def _lift(flag: LicenceFlag, licence: Licence, renewed: PrerequisiteDocument, today: date,
          result: RulesResult) -> None:
    """Lift the suspension this rule imposed (the licensing service restores the licence if nothing else
    suspends it)."""
    from registry.licences.lifecycle import lift_suspension

    sanction = db.session.get(Sanction, flag.sanction_id)
    if sanction is None or not sanction.is_open_suspension or licence.status != LicenceStatus.SUSPENDED:
        return
    lift_suspension(sanction, lifted_on=max(today, sanction.starts_on),
                    reason=_("A renewed document was recorded (%(number)s).", number=renewed.number))
    result.lifted.append(licence.id)


def apply_rules(today: date) -> RulesResult:
    """Raise and clear flags (and suspensions) for every active rule; flushes, the caller commits.

    Clearing runs first, so a venue whose document was renewed is never flagged and cleared in the same run.
    """
    result = RulesResult()
    _clear_flags(today, result)
    for rule in db.session.execute(select(ConsequenceRule).where(ConsequenceRule.active.is_(True))
                                   .order_by(ConsequenceRule.id)).scalars():
        _raise_flags(rule, today, result)
    return result


def on_document_recorded(document: PrerequisiteDocument, today: date) -> RulesResult:
    """Clear the flags a newly recorded document answers (for the licensing service to call; flushes).

    :param document: the document just recorded.
    """
    result = RulesResult()
    _clear_flags(today, result, venue_id=document.venue_id)
    return result


def describe(result: RulesResult) -> str:
    """One line for the CLI and flash messages."""
    return _("%(flagged)d licence(s) flagged (%(suspended)d suspended), %(cleared)d flag(s) cleared "
             "(%(lifted)d suspension(s) lifted).", flagged=len(result.flagged), suspended=len(result.suspended),
             cleared=len(result.cleared), lifted=len(result.lifted))

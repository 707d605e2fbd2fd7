"""Preset sections for licensing: issuing authorities and signers, licence types, fee schedules, protected sites.

Rows are matched on their stable code (fee rules on category, procedure, tier, unit and lower bound), so loading a
preset again updates what it ships and leaves rows an administrator added alone.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from registry.extensions import db
from registry.presets.loader import parse_date, read_json, section, upsert


@section("authorities")
def load_authorities(folder: Path) -> int:
    """Issuing authorities, each with its signers."""
    from registry.licences.models import IssuingAuthority, Signer

    rows = read_json(folder, "authorities.json")
    count = 0
    for item in rows:
        authority = upsert(IssuingAuthority, "code", {
            "code": item["code"], "parent_body": item.get("parent_body", ""),
            "parent_body_en": item.get("parent_body_en", ""), "name": item["name"], "name_en": item["name_en"],
            "abbreviation": item["abbreviation"], "place_name": item["place_name"],
            "valid_from": parse_date(item.get("valid_from")), "valid_to": parse_date(item.get("valid_to")),
            "active": bool(item.get("active", True))})
        db.session.flush()
        for signer in item.get("signers", []):
            upsert(Signer, "code", {"code": signer["code"], "authority_id": authority.id,
                                    "full_name": signer["full_name"], "prefix": signer.get("prefix"),
                                    "prefix_en": signer.get("prefix_en"), "position": signer["position"],
                                    "position_en": signer["position_en"], "active": bool(signer.get("active", True))})
            count += 1
        count += 1
    db.session.flush()
    return count


def _by_code(model, code: str | None):
    if not code:
        return None
    row = db.session.execute(select(model).where(model.code == code)).scalar_one_or_none()
    if row is None:
        raise ValueError(f"{model.__tablename__}: unknown code {code!r}")
    return row


@section("licence_types")
def load_licence_types(folder: Path) -> int:
    """Licence types with their rules, conditions and required documents (rules are checked before loading)."""
    from registry.licences.models import IssuingAuthority, LicenceType, Signer
    from registry.licences.rules import validate_rules

    rows = read_json(folder, "licence_types.json")
    for item in rows:
        problems = validate_rules(item.get("rules", []))
        if problems:
            raise ValueError(f"licence type {item['code']}: " + "; ".join(problems))
        signer = _by_code(Signer, item.get("default_signer"))
        upsert(LicenceType, "code", {
            "code": item["code"], "category": item["category"], "name_vi": item["name_vi"], "name_en": item["name_en"],
            "title_vi": item["title_vi"], "title_en": item["title_en"], "symbol": item["symbol"],
            "authority_id": _by_code(IssuingAuthority, item["authority"]).id,
            "default_signer_id": signer.id if signer is not None else None, "term_months": item.get("term_months"),
            "grace_days": item.get("grace_days", 0), "processing_days": item["processing_days"],
            "adjustment_processing_days": item["adjustment_processing_days"],
            "legal_basis_vi": item.get("legal_basis_vi", ""), "legal_basis_en": item.get("legal_basis_en", ""),
            "procedure_code": item.get("procedure_code"),
            "required_documents_json": json.dumps(item.get("required_documents", []), ensure_ascii=False),
            "rules_json": json.dumps(item.get("rules", []), ensure_ascii=False),
            "conditions_json": json.dumps(item.get("conditions", []), ensure_ascii=False),
            "eligibility_note_vi": item.get("eligibility_note_vi", ""),
            "eligibility_note_en": item.get("eligibility_note_en", ""), "active": bool(item.get("active", True))})
    db.session.flush()
    return len(rows)


@section("fees")
def load_fees(folder: Path) -> int:
    """Fee schedules and their rules."""
    from registry.licences.models import FeeRule, FeeSchedule

    rows = read_json(folder, "fees.json")
    count = 0
    for item in rows:
        schedule = upsert(FeeSchedule, "code", {
            "code": item["code"], "name_vi": item["name_vi"], "name_en": item["name_en"],
            "legal_basis_vi": item.get("legal_basis_vi", ""), "legal_basis_en": item.get("legal_basis_en", ""),
            "effective_from": parse_date(item["effective_from"]), "effective_to": parse_date(item.get("effective_to")),
            "verified": bool(item.get("verified", True)), "note": item.get("note")})
        db.session.flush()
        existing = {(r.category.value, r.kind.value, r.tier.value if r.tier else None, r.unit.value, r.min_units): r
                    for r in schedule.rules}
        for rule in item["rules"]:
            values = {"category": rule["category"], "kind": rule["kind"], "tier": rule.get("tier"),
                      "unit": rule.get("unit", "licence"), "min_units": rule.get("min_units"),
                      "max_units": rule.get("max_units"), "amount": int(rule.get("amount", 0)),
                      "per_unit": int(rule.get("per_unit", 0)), "cap": rule.get("cap"),
                      "label_vi": rule["label_vi"], "label_en": rule["label_en"],
                      "verified": bool(rule.get("verified", True)), "note": rule.get("note")}
            key = (values["category"], values["kind"], values["tier"], values["unit"], values["min_units"])
            row = existing.get(key)
            if row is None:
                schedule.rules.append(FeeRule(**values))
            else:
                for field, value in values.items():
                    setattr(row, field, value)
            count += 1
        count += 1
    db.session.flush()
    return count


@section("protected_sites")
def load_protected_sites(folder: Path) -> int:
    """Schools, hospitals, religious sites and relics with coordinates (for the dance-hall distance rule)."""
    from registry.licences.models import ProtectedSite

    rows = read_json(folder, "protected_sites.json")
    for item in rows:
        upsert(ProtectedSite, "code", {
            "code": item["code"], "name": item["name"], "kind": item["kind"], "address": item.get("address"),
            "latitude": Decimal(str(item["latitude"])), "longitude": Decimal(str(item["longitude"])),
            "active": bool(item.get("active", True)), "verified": bool(item.get("verified")),
            "source": (item.get("source") or "")[:300] or None})
    db.session.flush()
    return len(rows)

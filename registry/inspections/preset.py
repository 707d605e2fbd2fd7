"""Preset sections for inspections: checklist definitions and settings (checklists.json), violation catalogue
(violations.json). Rows are matched on their code; rows no longer in the file are deactivated, never deleted, so
past visits keep their references.
"""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from registry.extensions import db
from registry.inspections.models import ChecklistDefinition, InspectionKind, InspectionSetting, ViolationType
from registry.presets.loader import read_json, section, upsert

GENERATORS = {"static", "licence_match", "room_count", "per_room", "hours", "sports_match", "per_sport_instructor",
              "per_water_sport", "per_open_water_sport", "per_adventure_sport"}
SECTIONS = {"documents", "rooms", "safety", "hours", "operations", "staff", "facilities"}
VENUE_KINDS = {"karaoke", "dance_hall", "club", "sports"}


def _kinds(item: dict) -> list[str]:
    every = [k.value for k in InspectionKind]
    if item.get("inspection_kinds"):
        kinds = list(item["inspection_kinds"])
    else:
        kinds = [k for k in every if k not in set(item.get("exclude_inspection_kinds") or ())]
    unknown = set(kinds) - set(every)
    if unknown:
        raise ValueError(f"checklist item {item['code']}: unknown inspection kinds {sorted(unknown)}")
    return kinds


def _check_item(item: dict) -> None:
    code = item.get("code") or "?"
    if item.get("generator", "static") not in GENERATORS:
        raise ValueError(f"checklist item {code}: unknown generator {item.get('generator')!r}")
    if item.get("section") not in SECTIONS:
        raise ValueError(f"checklist item {code}: unknown section {item.get('section')!r}")
    if set(item.get("venue_kinds") or ()) - VENUE_KINDS:
        raise ValueError(f"checklist item {code}: unknown venue kinds")
    for key in ("label_vi", "label_en"):
        if not (item.get(key) or "").strip():
            raise ValueError(f"checklist item {code}: {key} is empty")


@section("inspection_checklists")
def load_checklists(folder: Path) -> int:
    """Checklist definitions and inspection settings (risk weights, permitted hours, minutes numbering)."""
    path = folder / "checklists.json"
    if not path.exists():
        return 0
    data = read_json(folder, "checklists.json")
    for key, value in (data.get("settings") or {}).items():
        upsert(InspectionSetting, "key", {"key": key, "value_json": json.dumps(value, ensure_ascii=False)})
    seen = set()
    for position, item in enumerate(data.get("items") or [], 1):
        _check_item(item)
        if item["code"] in seen:
            raise ValueError(f"checklist item {item['code']} appears twice")
        seen.add(item["code"])
        upsert(ChecklistDefinition, "code", {
            "code": item["code"], "position": position * 10, "section": item["section"],
            "venue_kinds_json": json.dumps(item.get("venue_kinds") or []),
            "inspection_kinds_json": json.dumps(_kinds(item)), "generator": item.get("generator", "static"),
            "label_vi": item["label_vi"].strip(), "label_en": item["label_en"].strip(),
            "legal_ref": (item.get("legal_ref") or None), "active": item.get("active", True),
            "violation_codes_json": json.dumps(item.get("violation_codes") or {}),
        })
    for row in db.session.execute(select(ChecklistDefinition)).scalars():
        if row.code not in seen:
            row.active = False
    db.session.flush()
    return len(seen)


@section("violation_catalogue")
def load_violations(folder: Path) -> int:
    """The violation catalogue."""
    path = folder / "violations.json"
    if not path.exists():
        return 0
    rows = read_json(folder, "violations.json")
    seen = set()
    for position, item in enumerate(rows, 1):
        code = item["code"]
        if code in seen:
            raise ValueError(f"violation {code} appears twice")
        seen.add(code)
        low, high = item.get("fine_min"), item.get("fine_max")
        if (low is None) != (high is None) or (low is not None and not 0 <= low <= high):
            raise ValueError(f"violation {code}: fine_min and fine_max must both be given, 0 <= min <= max")
        upsert(ViolationType, "code", {
            "code": code, "position": position * 10, "domain": item.get("domain", "culture"),
            "decree": item["decree"], "article": item.get("article"), "clause": item.get("clause"),
            "point": item.get("point"), "description_vi": item["description_vi"],
            "description_en": item["description_en"], "fine_min": low, "fine_max": high,
            "organisation_multiplier": int(item.get("organisation_multiplier", 2)),
            "warning_allowed": bool(item.get("warning_allowed")), "remedy_vi": item.get("remedy_vi", ""),
            "remedy_en": item.get("remedy_en", ""), "operating_duty": bool(item.get("operating_duty")),
            "venue_kinds_json": json.dumps(item.get("venue_kinds") or []),
            "amount_verified": bool(item.get("amount_verified")),
            "reference_verified": bool(item.get("reference_verified")),
            "source": (item.get("source") or "")[:300] or None, "active": item.get("active", True),
        })
    for row in db.session.execute(select(ViolationType)).scalars():
        if row.code not in seen:
            row.active = False
    db.session.flush()
    return len(seen)

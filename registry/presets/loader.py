"""Load a city preset idempotently: rows are matched on their stable code and updated or added, never duplicated.

Each feature contributes a section loader with ``@section("name")``; ``load_preset`` runs them in order.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import select

from registry.extensions import db

PRESETS_DIR = Path(__file__).parent
SECTIONS: list[tuple[str, Callable[[Path], int]]] = []


def section(name: str):
    """Register a loader ``fn(preset_dir) -> rows touched`` that runs in registration order."""

    def decorator(fn):
        SECTIONS.append((name, fn))
        return fn

    return decorator


def read_json(folder: Path, filename: str):
    """Parse a preset file (UTF-8 JSON)."""
    return json.loads((folder / filename).read_text(encoding="utf-8"))


def parse_date(value: str | None) -> date | None:
    """ISO date or None."""
    return date.fromisoformat(value) if value else None


def upsert(model, key: str, values: dict):
    """Find ``model`` by ``key`` and update it, or add it. Returns the row."""
    row = db.session.execute(select(model).where(getattr(model, key) == values[key])).scalar_one_or_none()
    if row is None:
        row = model(**values)
        db.session.add(row)
    else:
        for field, value in values.items():
            setattr(row, field, value)
    return row


@section("admin_units")
def load_admin_units(folder: Path) -> int:
    """Administrative units, parents before children."""
    from registry.reference.models import AdminUnit

    rows = read_json(folder, "admin_units.json")
    by_code: dict[str, AdminUnit] = {}
    for item in rows:
        parent = by_code.get(item["parent_code"]) if item.get("parent_code") else None
        if item.get("parent_code") and parent is None:
            raise ValueError(f"admin unit {item['code']}: parent {item['parent_code']} must come earlier")
        unit = upsert(AdminUnit, "code", {
            "code": item["code"], "name": item["name"], "short_name": item.get("short_name") or item["name"],
            "kind": item["kind"], "level": item["level"], "valid_from": parse_date(item.get("valid_from")),
            "valid_to": parse_date(item.get("valid_to")), "fee_tier": item.get("fee_tier", "CITY"),
            "verified": bool(item.get("verified")), "source": (item.get("source") or "")[:300] or None,
        })
        unit.parent = parent
        by_code[item["code"]] = unit
    db.session.flush()
    return len(rows)


@section("sports")
def load_sports(folder: Path) -> int:
    """The sports catalogue."""
    from registry.reference.models import Sport

    rows = read_json(folder, "sports.json")
    for item in rows:
        upsert(Sport, "code", {k: item.get(k) for k in ("code", "name_vi", "name_en", "source")} | {
            "instructor_required": bool(item.get("instructor_required")),
            "adventure": bool(item.get("adventure")), "water": bool(item.get("water"))})
    db.session.flush()
    return len(rows)


@section("holidays")
def load_holidays(folder: Path) -> int:
    """The working-day calendar."""
    from registry.reference.models import Holiday

    rows = read_json(folder, "holidays.json")
    for item in rows:
        upsert(Holiday, "day", {"day": parse_date(item["date"]), "kind": item.get("kind", "holiday"),
                                "name_vi": item["name_vi"], "name_en": item["name_en"],
                                "verified": not item.get("unverified", False)})
    db.session.flush()
    return len(rows)


def load_preset(name: str) -> dict[str, int]:
    """Load every section of preset ``name``; returns rows touched per section. The caller commits."""
    import registry.models  # noqa: F401  (every feature registers its sections on import)

    folder = PRESETS_DIR / name
    if not folder.is_dir():
        raise ValueError(f"unknown preset {name!r}")
    _import_feature_sections()
    return {label: fn(folder) for label, fn in SECTIONS}


def _import_feature_sections() -> None:
    from registry.common.modules import import_optional

    for module in ("registry.licences.preset", "registry.inspections.preset", "registry.oversight.preset"):
        import_optional(module)

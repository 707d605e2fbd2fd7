"""Preset sections of oversight: reminder thresholds and wording (``reminders.json``), consequence rules
(``rules.json``). Loading is idempotent: rows are matched on their kind, language or code."""
from __future__ import annotations

import json
from pathlib import Path

from registry.extensions import db
from registry.presets.loader import read_json, section, upsert


def reminder_settings(folder: Path) -> dict:
    """The whole ``reminders.json`` of a preset (``{}`` if the preset has none)."""
    return read_json(folder, "reminders.json") if (folder / "reminders.json").exists() else {}


@section("reminders")
def load_reminders(folder: Path) -> int:
    """Reminder policies (thresholds per kind of due item) and digest templates (one per language)."""
    from registry.oversight.models import ReminderPolicy, ReminderTemplate

    data = reminder_settings(folder)
    for item in data.get("policies", []):
        thresholds = sorted({int(t) for t in item["thresholds"] if int(t) >= 0}, reverse=True)
        upsert(ReminderPolicy, "kind", {"kind": item["kind"], "thresholds_json": json.dumps(thresholds),
                                        "notify_operator": bool(item.get("notify_operator", True)),
                                        "active": bool(item.get("active", True))})
    for item in data.get("templates", []):
        upsert(ReminderTemplate, "lang", {
            "lang": item["lang"], "subject": item["subject"], "greeting": item["greeting"], "intro": item["intro"],
            "closing": item["closing"], "signature": item["signature"], "letter_title": item["letter_title"],
            "texts_json": json.dumps(item.get("texts", {}), ensure_ascii=False)})
    db.session.flush()
    return len(data.get("policies", [])) + len(data.get("templates", []))


@section("rules")
def load_rules(folder: Path) -> int:
    """Consequence rules: what happens to dependent licences when a prerequisite document lapses."""
    from registry.oversight.models import ConsequenceRule, RuleAction

    if not (folder / "rules.json").exists():
        return 0
    rows = read_json(folder, "rules.json")
    for item in rows:
        upsert(ConsequenceRule, "code", {
            "code": item["code"], "document_kind": item["document_kind"],
            "categories_json": json.dumps(item.get("categories", [])), "action": RuleAction(item["action"]),
            "notify": bool(item.get("notify", True)), "description_vi": item.get("description_vi", ""),
            "description_en": item.get("description_en", ""), "legal_basis": item.get("legal_basis"),
            "active": bool(item.get("active", True))})
    db.session.flush()
    return len(rows)

"""Turn audit events into readable timeline entries: translated action, who, when, and each change in words.

Values recorded as ids or codes (ward, operator, sport, enum values) are shown by name, looked up in one query per
kind for the whole page. Fields other features record are shown with their registered label, else their key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.common.formatting import fmt_area, fmt_date, fmt_number
from registry.common.labels import action_label, label
from registry.extensions import db
from registry.reference.models import AdminUnit, Sport
from registry.venues.models import OperatorKind, QualificationType, StaffRole, VenueKind, VenueStatus

FIELD_LABELS: dict[str, object] = {
    "name": _l("Name"), "kind": _l("Kind"), "operator_id": _l("Operator"), "house_number": _l("House number"),
    "street": _l("Street"), "ward_id": _l("Ward or commune"), "district_id": _l("District"), "city": _l("City"),
    "latitude": _l("Latitude"), "longitude": _l("Longitude"), "phone": _l("Phone"), "capacity": _l("Capacity"),
    "opens_at": _l("Opens at"), "closes_at": _l("Closes at"), "status": _l("Status"), "notes": _l("Notes"),
    "closed_on": _l("Closed on"), "closed_reason": _l("Reason"), "rooms": _l("Rooms"), "room": _l("Room"),
    "code": _l("Room code"), "area_m2": _l("Area"), "active": _l("In use"),
    "registration_number": _l("Registration number"), "registration_date": _l("Registration date"),
    "registration_issuer": _l("Issued by"), "head_office": _l("Head office"),
    "legal_rep_name": _l("Legal representative"), "legal_rep_id_number": _l("Identity card number"),
    "legal_rep_birth_date": _l("Date of birth"), "security_person_name": _l("Responsible for security and order"),
    "security_person_phone": _l("Their phone"), "email": _l("E-mail"), "language": _l("Language"),
    "added": _l("Added"), "removed": _l("Removed"), "changed": _l("Changed"), "sells_instruction":
    _l("Sells instruction"), "open_water": _l("Open water"), "full_name": _l("Full name"), "role": _l("Role"),
    "qualification": _l("Qualification"), "document_number": _l("Certificate number"), "sport_id": _l("Sport"),
    "line": _l("Line of the file"), "file": _l("File"), "venues": _l("Venues"), "operators": _l("Operators"),
}
#: Order of the lines of an entry: what the event is about first, then the facts in form order.
ORDER = ("room", "person", "sport", "file", "line", "status", "closed_on", "closed_reason", "name", "kind",
         "operator_id", "registration_number", "registration_date", "registration_issuer", "house_number",
         "street", "ward_id", "district_id", "city", "head_office", "legal_rep_name", "legal_rep_id_number",
         "legal_rep_birth_date", "security_person_name", "security_person_phone", "latitude", "longitude", "phone",
         "email", "capacity", "opens_at", "closes_at", "code", "area_m2", "active", "rooms", "added", "changed",
         "removed")
_RANK = {key: i for i, key in enumerate(ORDER)}
_DATES = {"closed_on", "registration_date", "legal_rep_birth_date"}
_TIMES = {"opens_at", "closes_at"}
_BOOLS = {"active", "sells_instruction", "open_water"}
_ENUMS = {"status": VenueStatus, "role": StaffRole, "qualification": QualificationType}


def register_field_labels(mapping: dict[str, object]) -> None:
    """Let other features name the fields their timeline events record."""
    FIELD_LABELS.update(mapping)


@dataclass
class Change:
    """One line of an entry: a field and its old and/or new value, in words."""

    label: str
    old: str | None = None
    new: str | None = None
    pair: bool = False


@dataclass
class Entry:
    """One event as the timeline shows it."""

    event: object
    title: str
    who: str
    changes: list[Change] = field(default_factory=list)


class _Names:
    """Names of the units, operators, sports and users the page's events mention (one query each)."""

    def __init__(self, events):
        from registry.auth.models import User
        from registry.venues.models import Operator

        units, operators, usernames = set(), set(), set()
        for event in events:
            usernames.add(event.actor_username)
            for key, value in event.changes.items():
                for v in value if isinstance(value, list) else [value]:
                    if key in ("ward_id", "district_id") and isinstance(v, int):
                        units.add(v)
                    elif key == "operator_id" and isinstance(v, int):
                        operators.add(v)
        self.units = dict(db.session.execute(select(AdminUnit.id, AdminUnit.name).where(
            AdminUnit.id.in_(units))).all()) if units else {}
        self.operators = dict(db.session.execute(select(Operator.id, Operator.name).where(
            Operator.id.in_(operators))).all()) if operators else {}
        self.users = dict(db.session.execute(select(User.username, User.full_name).where(
            User.username.in_([u for u in usernames if u]))).all()) if usernames else {}
        self._sports = None

    def sport(self, key) -> str:
        if self._sports is None:
            from registry.i18n import current_language

            lang = current_language()
            rows = db.session.execute(select(Sport)).scalars()
            self._sports = {}
            for s in rows:
                self._sports[s.code] = self._sports[s.id] = s.name(lang)
        return self._sports.get(key, str(key))


def _fmt(key: str, value, names: _Names, entity_type: str | None) -> str | None:
    if value is None or value == "":
        return None
    try:
        if key in _DATES:
            return fmt_date(date.fromisoformat(value))
        if key in _TIMES:
            return time.fromisoformat(value).strftime("%H:%M")
        if key == "area_m2":
            return fmt_area(Decimal(str(value)))
        if key == "capacity":
            return fmt_number(int(value))
    except (ValueError, TypeError, InvalidOperation):
        return str(value)
    if key in _BOOLS:
        return _("Yes") if value else _("No")
    if key == "kind":
        enum_cls = OperatorKind if entity_type == "operators" else VenueKind
        return _enum_label(enum_cls, value)
    if key in _ENUMS:
        return _enum_label(_ENUMS[key], value)
    if key in ("ward_id", "district_id"):
        return names.units.get(value, str(value))
    if key == "operator_id":
        return names.operators.get(value, str(value))
    if key == "sport_id":
        return names.sport(value)
    if key == "language":
        return {"vi": "Tiếng Việt", "en": "English"}.get(value, value)
    return str(value)


def _enum_label(enum_cls, value) -> str:
    try:
        return label(enum_cls(value))
    except ValueError:
        return str(value)


def _list_text(key: str, items: list, event, names: _Names) -> str:
    if key == "rooms":
        return ", ".join(f"{code} ({_fmt('area_m2', area, names, None)})" for code, area in items)
    if event.action == "venue.sports":
        return ", ".join(names.sport(i) for i in items)
    return ", ".join(str(i) for i in items)


def _changed_text(item: dict, event, names: _Names) -> str:
    subject_key = "sport" if "sport" in item else "person"
    subject = names.sport(item["sport"]) if subject_key == "sport" else str(item.get("person", ""))
    parts = []
    for key, value in item.items():
        if key == subject_key or not isinstance(value, list) or len(value) != 2:
            continue
        parts.append(f"{FIELD_LABELS.get(key, key)} {_fmt(key, value[0], names, None) or '—'} → "
                     f"{_fmt(key, value[1], names, None) or '—'}")
    return f"{subject}: " + "; ".join(parts)


def describe(events) -> list[Entry]:
    """Timeline entries for ``events`` (newest first, as given)."""
    names = _Names(events)
    entries = []
    for event in events:
        who = event.actor_username or _("system")
        if event.actor_username in names.users:
            who = f"{names.users[event.actor_username]} ({event.actor_username})"
        entry = Entry(event=event, title=action_label(event.action), who=who)
        for key, value in sorted(event.changes.items(), key=lambda kv: _RANK.get(kv[0], len(ORDER))):
            text_label = str(FIELD_LABELS.get(key, key))
            if key == "changed" and isinstance(value, list):
                entry.changes.extend(Change(text_label, new=_changed_text(i, event, names))
                                     for i in value if isinstance(i, dict))
            elif key in ("rooms", "added", "removed") and isinstance(value, list):
                entry.changes.append(Change(text_label, new=_list_text(key, value, event, names)))
            elif isinstance(value, list) and len(value) == 2 and not isinstance(value[0], list):
                old, new = (_fmt(key, v, names, event.entity_type) for v in value)
                entry.changes.append(Change(text_label, old=old, new=new, pair=True))
            elif isinstance(value, dict | list):
                entry.changes.append(Change(text_label, new=str(value)))
            else:
                entry.changes.append(Change(text_label, new=_fmt(key, value, names, event.entity_type)))
        entries.append(entry)
    return entries

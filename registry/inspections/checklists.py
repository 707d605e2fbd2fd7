"""Checklist generation: the definitions from the preset expanded against plain facts about the venue, its licence
and the time of the visit. Pure functions (no database), so every rule is easy to test and to explain.

Generators (``ChecklistDefinition.generator``):
``static`` one item · ``licence_match`` licence on site and matching what is found · ``room_count`` rooms in use vs
licence · ``per_room`` one item per licensed room (the venue's rooms before licensing) · ``hours`` open within the
permitted hours at the visit's local time · ``sports_match`` the certificate's sports vs those offered ·
``per_sport_instructor`` / ``per_water_sport`` / ``per_open_water_sport`` / ``per_adventure_sport`` one item per
sport that needs an instructor, rescue staff, a rescue boat or medical staff (Circular 04/2019 flags).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

SECTION_LABELS = {
    "carried": _l("Open findings from the earlier visit"),
    "documents": _l("Licence and documents"),
    "rooms": _l("Rooms"),
    "safety": _l("Safety"),
    "hours": _l("Opening hours"),
    "operations": _l("Operating duties"),
    "staff": _l("Professional staff"),
    "facilities": _l("Facilities"),
    "other": _l("Other findings"),
}
SECTION_ORDER = tuple(SECTION_LABELS)
DEFAULT_MINIMUM_AREA = {"karaoke": Decimal("20"), "dance_hall": Decimal("80")}


@dataclass
class RoomFact:
    code: str
    area_m2: Decimal | None


@dataclass
class SportFact:
    code: str
    name_vi: str
    name_en: str
    instructor_required: bool = False
    adventure: bool = False
    water: bool = False
    sells_instruction: bool = False
    open_water: bool = False


@dataclass
class LicenceFact:
    number: str
    issued_on: str | None
    holder: str
    status: str
    rooms: list[RoomFact]
    room_count: int
    opens_at: str | None = None
    closes_at: str | None = None
    sports: list[tuple[str, str]] = field(default_factory=list)  # (name_vi, name_en) on the certificate


@dataclass
class VisitFacts:
    """Everything the checklist depends on, as plain data."""

    venue_kind: str
    inspection_kind: str
    venue_rooms: list[RoomFact]
    sports: list[SportFact]
    licence: LicenceFact | None
    statutory_hours: dict  # {"karaoke": {"opens_at": "08:00", "closes_at": "24:00"}, ...}
    local_time: time | None = None  # local time the visit started (Asia/Ho_Chi_Minh)


@dataclass
class ItemSpec:
    """One generated checklist line (what becomes an ``InspectionItem``)."""

    code: str
    section: str
    label_vi: str
    label_en: str
    expected_vi: str | None = None
    expected_en: str | None = None
    legal_ref: str | None = None
    violation_code: str | None = None
    result: str | None = None


# ------------------------------------------------------------------------------------------------- hours
def parse_hhmm(value: str | time | None) -> time | None:
    """``"08:00"`` → 08:00; ``"24:00"`` → midnight (the end of the day); a ``time`` is returned as is."""
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value
    hours, minutes = str(value).strip().split(":")[:2]
    hours, minutes = int(hours), int(minutes)
    if hours == 24 and minutes == 0:
        return time(0, 0)
    return time(hours, minutes)


def within_hours(moment: time, opens: time, closes: time) -> bool:
    """True if ``moment`` falls in the window ``[opens, closes)``, which may run past midnight.

    Karaoke 08:00–24:00 (closes at midnight); dance hall 08:00–02:00: 01:30 is inside, 02:30 outside.
    """
    moment = moment.replace(second=0, microsecond=0, tzinfo=None)
    if opens == closes:
        return True  # open around the clock
    if opens < closes:
        return opens <= moment < closes
    return moment >= opens or moment < closes


def permitted_windows(facts: VisitFacts) -> tuple[tuple[time, time] | None, tuple[time, time] | None]:
    """(statutory window for the venue kind, the licence's own hours); either may be None.

    A visit is inside the permitted hours only if it is inside both: a licence cannot allow what the decree forbids.
    """
    statutory = facts.statutory_hours.get(facts.venue_kind)
    law = (parse_hhmm(statutory["opens_at"]), parse_hhmm(statutory["closes_at"])) if statutory else None
    licensed = None
    if facts.licence is not None and facts.licence.opens_at and facts.licence.closes_at:
        licensed = (parse_hhmm(facts.licence.opens_at), parse_hhmm(facts.licence.closes_at))
    return law, licensed


def permitted_window(facts: VisitFacts) -> tuple[time, time] | None:
    """The window printed on the checklist: the statutory one, else the licence's."""
    law, licensed = permitted_windows(facts)
    return law or licensed


def hhmm(value: time, *, end: bool = False) -> str:
    """``08:00``; a closing time of midnight is written ``24:00``."""
    if end and value == time(0, 0):
        return "24:00"
    return f"{value:%H:%M}"


# ------------------------------------------------------------------------------------------------- helpers
def format_area(value, lang: str) -> str:
    """``24,5`` (vi) / ``24.5`` (en): trailing zeros dropped."""
    if value is None:
        return "?"
    try:
        number = Decimal(str(value)).normalize()
    except InvalidOperation:
        return str(value)
    text = format(number, "f")
    return text.replace(".", ",") if lang == "vi" else text


def _fmt(template: str, **values) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template  # a label edited without its placeholder still shows


def _licence_expected(facts: VisitFacts) -> tuple[str, str]:
    lic = facts.licence
    if lic is None:
        return ("Không có giấy phép còn hiệu lực trong sổ đăng ký", "No valid licence on record for this venue")
    rooms_vi = f"; {lic.room_count} phòng" if lic.room_count else ""
    rooms_en = f"; {lic.room_count} rooms" if lic.room_count else ""
    issued = f" ngày {lic.issued_on}" if lic.issued_on else ""
    issued_en = f" on {lic.issued_on}" if lic.issued_on else ""
    status_vi = " (đang bị tạm dừng)" if lic.status == "suspended" else ""
    status_en = " (currently suspended)" if lic.status == "suspended" else ""
    return (f"Giấy phép số {lic.number} cấp{issued} cho {lic.holder}{rooms_vi}{status_vi}",
            f"Licence No. {lic.number} issued{issued_en} to {lic.holder}{rooms_en}{status_en}")


def _rooms(facts: VisitFacts) -> tuple[list[RoomFact], bool]:
    if facts.licence is not None and facts.licence.rooms:
        return facts.licence.rooms, True
    return facts.venue_rooms, False


def _unique(code: str, used: set[str]) -> str:
    candidate, n = code, 2
    while candidate in used:
        candidate, n = f"{code}~{n}", n + 1
    used.add(candidate)
    return candidate


# ------------------------------------------------------------------------------------------------- generation
def expand(definition, facts: VisitFacts) -> list[ItemSpec]:
    """The items one definition yields for this visit (possibly none)."""
    gen = definition.generator
    code, vcode = definition.code, definition.violation_code(facts.venue_kind)
    base = dict(section=definition.section, legal_ref=definition.legal_ref, violation_code=vcode)
    vi, en = definition.label_vi, definition.label_en

    if gen == "static":
        return [ItemSpec(code=code, label_vi=vi, label_en=en, **base)]
    if gen == "licence_match":
        exp_vi, exp_en = _licence_expected(facts)
        return [ItemSpec(code=code, label_vi=vi, label_en=en, expected_vi=exp_vi, expected_en=exp_en, **base)]
    if gen == "room_count":
        if facts.licence is None:
            return []
        count = facts.licence.room_count or len(facts.licence.rooms)
        found = len(facts.venue_rooms)
        return [ItemSpec(code=code, label_vi=_fmt(vi, count=count), label_en=_fmt(en, count=count),
                         expected_vi=f"Sổ đăng ký hiện ghi {found} phòng đang sử dụng",
                         expected_en=f"The register currently lists {found} rooms in use", **base)]
    if gen == "per_room":
        rooms, licensed = _rooms(facts)
        minimum = DEFAULT_MINIMUM_AREA.get(facts.venue_kind)
        items = []
        for room in rooms:
            values_vi = dict(code=room.code, area=format_area(room.area_m2, "vi"),
                             minimum=format_area(minimum, "vi") if minimum else "—")
            values_en = dict(code=room.code, area=format_area(room.area_m2, "en"),
                             minimum=format_area(minimum, "en") if minimum else "—")
            items.append(ItemSpec(
                code=f"{code}:{room.code}", label_vi=_fmt(vi, **values_vi), label_en=_fmt(en, **values_en),
                expected_vi="Theo giấy phép" if licensed else "Theo hồ sơ đề nghị cấp phép",
                expected_en="As licensed" if licensed else "As declared in the application", **base))
        return items
    if gen == "hours":
        law, licensed = permitted_windows(facts)
        window = law or licensed
        if window is None:
            return []
        opens, closes = window
        label_values = dict(opens=hhmm(opens), closes=hhmm(closes, end=True))
        spec = ItemSpec(code=code, label_vi=_fmt(vi, **label_values), label_en=_fmt(en, **label_values), **base)
        lic_vi = lic_en = ""
        if licensed is not None and licensed != law:
            text = f"{hhmm(licensed[0])}–{hhmm(licensed[1], end=True)}"
            lic_vi, lic_en = f" (giấy phép: {text})", f" (licence: {text})"
        if facts.local_time is not None:
            at = f"{facts.local_time:%H:%M}"
            inside = all(within_hours(facts.local_time, *w) for w in (law, licensed) if w is not None)
            if inside:
                spec.result = "pass"
                spec.expected_vi = f"Thời điểm kiểm tra {at}: trong giờ được phép{lic_vi}"
                spec.expected_en = f"Visit at {at}: inside the permitted hours{lic_en}"
            else:
                spec.result = "fail"
                spec.expected_vi = (f"Thời điểm kiểm tra {at}: ngoài giờ được phép{lic_vi} — nếu cơ sở đang hoạt "
                                    f"động là vi phạm")
                spec.expected_en = f"Visit at {at}: outside the permitted hours{lic_en} — trading now is a violation"
        elif lic_vi:
            spec.expected_vi, spec.expected_en = lic_vi.strip(" ()"), lic_en.strip(" ()")
        return [spec]
    if gen == "sports_match":
        licensed = facts.licence.sports if facts.licence else []
        licensed_vi = ", ".join(name for name, _ in licensed) or "—"
        licensed_en = ", ".join(name for _, name in licensed) or "—"
        offered_vi = ", ".join(s.name_vi for s in facts.sports) or "—"
        offered_en = ", ".join(s.name_en for s in facts.sports) or "—"
        return [ItemSpec(code=code, label_vi=_fmt(vi, sports=licensed_vi), label_en=_fmt(en, sports=licensed_en),
                         expected_vi=f"Đang cung cấp: {offered_vi}", expected_en=f"Offered: {offered_en}", **base)]
    predicates = {
        "per_sport_instructor": lambda s: s.instructor_required or s.sells_instruction or s.adventure,
        "per_water_sport": lambda s: s.water or s.open_water or s.adventure,
        "per_open_water_sport": lambda s: s.open_water,
        "per_adventure_sport": lambda s: s.adventure,
    }
    if gen in predicates:
        return [ItemSpec(code=f"{code}:{s.code}", label_vi=_fmt(vi, sport=s.name_vi),
                         label_en=_fmt(en, sport=s.name_en), **base) for s in facts.sports if predicates[gen](s)]
    return []


def build_checklist(definitions, facts: VisitFacts) -> list[ItemSpec]:
    """Expand every active definition that applies to the venue kind and inspection kind, in section order."""
    specs: list[ItemSpec] = []
    for definition in sorted(definitions, key=lambda d: (d.position, d.id or 0)):
        if not definition.active:
            continue
        if facts.venue_kind not in definition.venue_kinds:
            continue
        kinds = definition.inspection_kinds
        if kinds and facts.inspection_kind not in kinds:
            continue
        specs.extend(expand(definition, facts))
    used: set[str] = set()
    for spec in specs:
        spec.code = _unique(spec.code[:100], used)
    order = {name: i for i, name in enumerate(SECTION_ORDER)}
    return sorted(specs, key=lambda s: order.get(s.section, len(order)))

"""Eligibility rules, configured per licence type as data and evaluated against the venue as recorded.

A licence type's ``rules_json`` is a list of ``{"kind", "params", "title_vi", "title_en", "legal_basis_vi",
"legal_basis_en", "on_missing"}``. ``kind`` names one of the evaluators below; ``on_missing`` ("block" or "warn")
says whether a rule that cannot be evaluated (no coordinates, hours not declared, not recorded at appraisal) stops an
approval. A failing rule always does.
"""
from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from registry.common.formatting import fmt_area, fmt_date
from registry.common.text import is_ascii_number
from registry.extensions import db

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
EXPIRY_WARNING_DAYS = 30


class Outcome(enum.StrEnum):
    """Result of one rule."""

    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclass
class RoomInput:
    code: str
    area_m2: Decimal


@dataclass
class SportInput:
    sport: object  # reference.Sport
    sells_instruction: bool = False
    open_water: bool = False


@dataclass
class EligibilityInput:
    """What the rules look at: the venue as recorded, with the changes an adjustment asks for applied."""

    venue: object
    rooms: list[RoomInput]
    sports: list[SportInput]
    staff: list  # active venues.VenueStaff
    documents: list  # licences.PrerequisiteDocument of the venue
    on: date
    no_inner_latch: bool | None = None
    no_non_fire_alarm: bool | None = None
    event_starts_on: date | None = None
    event_ends_on: date | None = None


@dataclass
class RuleResult:
    """One evaluated rule, with what was measured."""

    kind: str
    title_vi: str
    title_en: str
    legal_basis_vi: str
    legal_basis_en: str
    outcome: Outcome
    detail: str
    blocking: bool
    lines: list[str] = field(default_factory=list)
    measured: dict = field(default_factory=dict)

    def title(self, lang: str) -> str:
        return self.title_vi if lang == "vi" else self.title_en

    def legal_basis(self, lang: str) -> str:
        return self.legal_basis_vi if lang == "vi" else self.legal_basis_en


@dataclass
class Verdict:
    """All rules of a licence type for one application."""

    results: list[RuleResult]

    @property
    def blocking(self) -> list[RuleResult]:
        return [r for r in self.results if r.blocking]

    @property
    def passed(self) -> bool:
        """No rule stops the approval."""
        return not self.blocking


# ------------------------------------------------------------------------------------------------ evaluators
Evaluator = Callable[[dict, EligibilityInput], tuple[Outcome, str, list[str], dict]]
EVALUATORS: dict[str, Evaluator] = {}
#: Parameters each kind needs, and a parser that raises ValueError for a bad value (used to validate the config).
PARAMS: dict[str, dict[str, Callable]] = {}


def evaluator(kind: str, **params: Callable):
    """Register ``fn(params, ctx) -> (outcome, detail, lines, measured)`` for rule kind ``kind``."""

    def decorator(fn: Evaluator) -> Evaluator:
        EVALUATORS[kind] = fn
        PARAMS[kind] = params
        return fn

    return decorator


def _decimal(value) -> Decimal:
    try:
        result = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError("not a number") from exc
    if not result.is_finite() or result < 0:
        raise ValueError("not a positive number")
    return result


def parse_clock(value: str) -> int:
    """Minutes after midnight of "HH:MM"; "24:00" is 1440 (the end of the day)."""
    hours, _sep, minutes = str(value).partition(":")
    if not (is_ascii_number(hours) and is_ascii_number(minutes) and len(minutes) == 2):
        raise ValueError("use HH:MM")
    total = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or total > 1440:
        raise ValueError("use HH:MM between 00:00 and 24:00")
    return total


def _kinds(value) -> list[str]:
    from registry.licences.models import PrerequisiteKind, ProtectedSiteKind

    if not isinstance(value, list) or not value:
        raise ValueError("a non-empty list")
    allowed = {k.value for k in PrerequisiteKind} | {k.value for k in ProtectedSiteKind}
    for item in value:
        if item not in allowed:
            raise ValueError(f"unknown kind {item!r}")
    return value


def _field(value) -> str:
    if value not in ("no_inner_latch", "no_non_fire_alarm"):
        raise ValueError("no_inner_latch or no_non_fire_alarm")
    return value


def _positive_int(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError("a whole number above 0")
    return value


@evaluator("min_room_area", min_m2=_decimal)
def min_room_area(params: dict, ctx: EligibilityInput):
    """Every room at least ``min_m2`` square metres (auxiliary works excluded)."""
    minimum = Decimal(str(params["min_m2"]))
    if not ctx.rooms:
        return Outcome.FAIL, _("No rooms are recorded for this venue."), [], {"min_m2": str(minimum)}
    small = [r for r in ctx.rooms if r.area_m2 < minimum]
    smallest = min(ctx.rooms, key=lambda r: (r.area_m2, r.code))
    measured = {"min_m2": str(minimum), "smallest": smallest.code, "smallest_m2": str(smallest.area_m2)}
    if small:
        lines = [_("Room %(code)s: %(area)s, below %(min)s", code=r.code, area=fmt_area(r.area_m2),
                   min=fmt_area(minimum)) for r in small]
        return Outcome.FAIL, _("%(n)d of %(total)d rooms are smaller than %(min)s.", n=len(small),
                               total=len(ctx.rooms), min=fmt_area(minimum)), lines, measured
    return Outcome.PASS, _("%(total)d rooms; the smallest is %(code)s with %(area)s.", total=len(ctx.rooms),
                           code=smallest.code, area=fmt_area(smallest.area_m2)), [], measured


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres between two points given in decimal degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nearest_site(lat: float, lng: float, kinds: list[str] | None = None):
    """``(site, distance_m)`` of the nearest active protected site (of ``kinds``), or ``(None, None)``."""
    from registry.licences.models import ProtectedSite

    query = select(ProtectedSite).where(ProtectedSite.active.is_(True))
    if kinds:
        query = query.where(ProtectedSite.kind.in_(kinds))
    best, best_d = None, None
    for site in db.session.execute(query).scalars():
        d = haversine_m(lat, lng, float(site.latitude), float(site.longitude))
        if best_d is None or d < best_d:
            best, best_d = site, d
    return best, best_d


@evaluator("protected_distance", min_m=_decimal)
def protected_distance(params: dict, ctx: EligibilityInput):
    """The venue at least ``min_m`` metres from every school, hospital, religious site and relic."""
    from registry.common.labels import label

    minimum = float(params["min_m"])
    venue = ctx.venue
    if venue.latitude is None or venue.longitude is None:
        return Outcome.UNKNOWN, _("The venue has no coordinates, so the distance cannot be measured. Record its "
                                  "latitude and longitude in the venue register."), [], {}
    site, distance = nearest_site(float(venue.latitude), float(venue.longitude), params.get("site_kinds"))
    if site is None:
        return Outcome.UNKNOWN, _("No protected sites are recorded, so the distance cannot be measured."), [], {}
    measured_m = round(distance, 1)  # what is shown is what is compared
    measured = {"distance_m": measured_m, "site_id": site.id, "site": site.name, "site_kind": site.kind.value,
                "method": "haversine"}
    detail = _("Nearest protected site: %(site)s (%(kind)s), %(d)s m away (straight line, haversine).",
               site=site.name, kind=label(site.kind), d=f"{measured_m:,.1f}")
    lines = [_("Required: at least %(min)s m.", min=f"{minimum:,.0f}")]
    return (Outcome.PASS if measured_m >= minimum else Outcome.FAIL), detail, lines, measured


def _clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def hours_inside(opens: time, closes: time, earliest: int, latest: int) -> bool:
    """True if the daily opening ``opens``–``closes`` lies inside the permitted window ``earliest``–``latest``
    (minutes after midnight; a window or an opening that ends at or before it starts runs past midnight)."""
    window = (latest - earliest) % 1440 or 1440
    start = (opens.hour * 60 + opens.minute - earliest) % 1440
    length = (closes.hour * 60 + closes.minute - opens.hour * 60 - opens.minute) % 1440 or 1440
    return start + length <= window


@evaluator("opening_hours", opens=parse_clock, closes=parse_clock)
def opening_hours(params: dict, ctx: EligibilityInput):
    """Declared opening hours inside the permitted window (which may run past midnight)."""
    earliest, latest = parse_clock(params["opens"]), parse_clock(params["closes"])
    window = f"{_clock_text(earliest)}–{_clock_text(latest)}"
    venue = ctx.venue
    if venue.opens_at is None or venue.closes_at is None:
        return Outcome.UNKNOWN, _("No opening hours are declared for this venue (permitted: %(window)s).",
                                  window=window), [], {"window": window}
    closes = venue.closes_at.hour * 60 + venue.closes_at.minute
    declared = f"{venue.opens_at.strftime('%H:%M')}–{_clock_text(closes or 1440)}"
    measured = {"declared": declared, "window": window}
    ok = hours_inside(venue.opens_at, venue.closes_at, earliest, latest)
    detail = _("Declared %(declared)s; permitted %(window)s.", declared=declared, window=window)
    return (Outcome.PASS if ok else Outcome.FAIL), detail, [], measured


def current_documents(documents, kind: str) -> list:
    """The venue's documents of ``kind`` that are not superseded, newest first."""
    rows = [d for d in documents if d.kind.value == kind and d.superseded_by_id is None]
    return sorted(rows, key=lambda d: (d.issued_on, d.id), reverse=True)


@evaluator("prerequisites", kinds=_kinds)
def prerequisites(params: dict, ctx: EligibilityInput):
    """The listed prerequisite documents are on file, not revoked and not expired."""
    from registry.common.labels import label
    from registry.licences.models import PrerequisiteKind

    lines, missing = [], []
    for kind in params["kinds"]:
        name = label(PrerequisiteKind(kind))
        docs = current_documents(ctx.documents, kind)
        doc = docs[0] if docs else None
        if doc is None:
            missing.append(name)
            lines.append(_("%(doc)s: not on file.", doc=name))
        elif doc.revoked:
            missing.append(name)
            lines.append(_("%(doc)s no. %(number)s has been revoked.", doc=name, number=doc.number))
        elif doc.expires_on is not None and doc.expires_on < ctx.on:
            missing.append(name)
            lines.append(_("%(doc)s no. %(number)s expired on %(date)s.", doc=name, number=doc.number,
                           date=fmt_date(doc.expires_on)))
        else:
            text = _("%(doc)s no. %(number)s of %(date)s, issued by %(issuer)s", doc=name, number=doc.number,
                     date=fmt_date(doc.issued_on), issuer=doc.issuer)
            if doc.expires_on is not None:
                text += " — " + _("valid until %(date)s", date=fmt_date(doc.expires_on))
                if (doc.expires_on - ctx.on).days <= EXPIRY_WARNING_DAYS:
                    text += " " + _("(expires within %(n)d days)", n=EXPIRY_WARNING_DAYS)
            lines.append(text)
    if missing:
        return Outcome.FAIL, _("Missing, revoked or expired: %(docs)s.", docs=", ".join(missing)), lines, {}
    return Outcome.PASS, _("All required documents are on file and in force."), lines, {}


@evaluator("sports_staffing")
def sports_staffing(params: dict, ctx: EligibilityInput):
    """Instructor for mandatory-instructor sports (and when instruction is sold), rescue staff for water sports,
    instructor + medical + rescue staff for adventure sports (Decree 36/2019, Circular 04/2019)."""
    from registry.i18n import current_language
    from registry.venues.models import StaffRole

    lang = current_language()
    if not ctx.sports:
        return Outcome.FAIL, _("No sports are recorded for this facility."), [], {}
    instructors = {s.sport_id for s in ctx.staff if s.role == StaffRole.INSTRUCTOR}
    has_rescue = any(s.role == StaffRole.RESCUE for s in ctx.staff)
    has_medical = any(s.role == StaffRole.MEDICAL for s in ctx.staff)
    lines, failing = [], False
    for item in ctx.sports:
        sport, needs = item.sport, []
        if sport.instructor_required or sport.adventure or item.sells_instruction:
            needs.append((_("an instructor for this sport"), sport.id in instructors))
        if sport.water or sport.adventure:
            needs.append((_("rescue staff"), has_rescue))
        if sport.adventure:
            needs.append((_("medical staff"), has_medical))
        if not needs:
            lines.append(_("%(sport)s: no professional staff required.", sport=sport.name(lang)))
            continue
        absent = [what for what, ok in needs if not ok]
        failing = failing or bool(absent)
        text = (_("%(sport)s: missing %(what)s.", sport=sport.name(lang), what=", ".join(absent)) if absent
                else _("%(sport)s: required staff present.", sport=sport.name(lang)))
        if item.open_water:
            text += " " + _("Open water also needs a rescue motorboat (check on site).")
        lines.append(text)
    if failing:
        return Outcome.FAIL, _("Required professional staff are missing."), lines, {}
    return Outcome.PASS, _("The required professional staff are recorded."), lines, {}


@evaluator("declared", field=_field)
def declared(params: dict, ctx: EligibilityInput):
    """A yes/no finding recorded at appraisal (no latch inside rooms; no alarm other than fire alarms)."""
    value = getattr(ctx, params["field"])
    if value is None:
        return Outcome.UNKNOWN, _("Not recorded at appraisal yet."), [], {}
    if value:
        return Outcome.PASS, _("Confirmed at appraisal."), [], {"value": True}
    return Outcome.FAIL, _("Found at appraisal: this condition is not met."), [], {"value": False}


@evaluator("event_period", max_days=_positive_int)
def event_period(params: dict, ctx: EligibilityInput):
    """A one-off event with a start and an end no more than ``max_days`` days long."""
    if ctx.event_starts_on is None or ctx.event_ends_on is None:
        return Outcome.FAIL, _("The event's start and end dates are missing."), [], {}
    days = (ctx.event_ends_on - ctx.event_starts_on).days + 1
    detail = _("%(start)s to %(end)s (%(n)d days; at most %(max)d).", start=fmt_date(ctx.event_starts_on),
               end=fmt_date(ctx.event_ends_on), n=days, max=params["max_days"])
    return (Outcome.PASS if 0 < days <= params["max_days"] else Outcome.FAIL), detail, [], {"days": days}


# ------------------------------------------------------------------------------------------------ running
def evaluate(rules: list[dict], ctx: EligibilityInput) -> Verdict:
    """Evaluate every configured rule against ``ctx``."""
    results = []
    for rule in rules:
        fn = EVALUATORS.get(rule.get("kind"))
        if fn is None:
            outcome, detail, lines, measured = Outcome.UNKNOWN, _("Unknown rule kind %(kind)s: check the "
                                                                  "licence type configuration.",
                                                                  kind=rule.get("kind")), [], {}
        else:
            outcome, detail, lines, measured = fn(rule.get("params") or {}, ctx)
        blocking = outcome == Outcome.FAIL or (outcome == Outcome.UNKNOWN and rule.get("on_missing") != "warn")
        results.append(RuleResult(
            kind=rule.get("kind", ""), title_vi=rule.get("title_vi", rule.get("kind", "")),
            title_en=rule.get("title_en", rule.get("kind", "")), legal_basis_vi=rule.get("legal_basis_vi", ""),
            legal_basis_en=rule.get("legal_basis_en", ""), outcome=outcome, detail=detail, blocking=blocking,
            lines=lines, measured=measured))
    return Verdict(results)


def validate_rules(rules) -> list[str]:
    """Problems with a ``rules_json`` value (empty when it is usable); messages are for an administrator."""
    if not isinstance(rules, list):
        return [_("The rules must be a JSON list.")]
    problems = []
    for n, rule in enumerate(rules, 1):
        if not isinstance(rule, dict):
            problems.append(_("Rule %(n)d is not an object.", n=n))
            continue
        kind = rule.get("kind")
        if kind not in EVALUATORS:
            problems.append(_("Rule %(n)d: unknown kind %(kind)s (known: %(known)s).", n=n, kind=kind,
                              known=", ".join(sorted(EVALUATORS))))
            continue
        params = rule.get("params") or {}
        if not isinstance(params, dict):
            problems.append(_("Rule %(n)d: params must be an object.", n=n))
            continue
        for name, parse in PARAMS[kind].items():
            if name not in params:
                problems.append(_("Rule %(n)d: parameter %(p)s is missing.", n=n, p=name))
                continue
            try:
                parse(params[name])
            except (ValueError, TypeError) as exc:
                problems.append(_("Rule %(n)d: parameter %(p)s is not valid (%(why)s).", n=n, p=name, why=exc))
        if "site_kinds" in params:
            try:
                _kinds(params["site_kinds"])
            except ValueError as exc:
                problems.append(_("Rule %(n)d: parameter %(p)s is not valid (%(why)s).", n=n, p="site_kinds",
                                  why=exc))
        if rule.get("on_missing", "block") not in ("block", "warn"):
            problems.append(_("Rule %(n)d: on_missing must be \"block\" or \"warn\".", n=n))
        for key in ("title_vi", "title_en", "legal_basis_vi", "legal_basis_en"):
            if not isinstance(rule.get(key, ""), str):
                problems.append(_("Rule %(n)d: %(key)s must be text.", n=n, key=key))
    return problems

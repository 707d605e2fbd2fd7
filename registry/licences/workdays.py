"""Working days for legal deadlines, from the editable holiday calendar (``reference.Holiday``).

A working day is Monday–Friday that is not a holiday, or a Saturday/Sunday officially made a working day
(``DayKind.WORKING_DAY``, the make-up days of a holiday swap). Counting follows Vietnamese practice: "within N
working days" starts the day after the dossier is complete, so ``add(start, n)`` does not count ``start`` itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import g, has_app_context
from sqlalchemy import select

from registry.extensions import db


@dataclass(frozen=True)
class WorkCalendar:
    """Holidays and weekend days made working days."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    working_weekend_days: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        """True for a weekday that is not a holiday, or a weekend day made a working day."""
        if day in self.working_weekend_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (``start`` itself is not counted).

        :param days: a whole number ≥ 0; 0 returns ``start``.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        day, left = start, days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier.

        ``between(today, due_on)`` is "working days left": 0 when due today, 1 when due on the next working day,
        -1 when the deadline was the previous working day.
        """
        if end == start:
            return 0
        sign, low, high = (1, start, end) if end > start else (-1, end, start)
        weeks, rest = divmod((high - low).days, 7)
        count = weeks * 5  # every run of 7 days holds exactly 5 weekdays
        day = low + timedelta(days=weeks * 7)
        for _ in range(rest):
            day += timedelta(days=1)
            count += day.weekday() < 5
        count -= sum(1 for h in self.holidays
                     if low < h <= high and h.weekday() < 5 and h not in self.working_weekend_days)
        count += sum(1 for w in self.working_weekend_days if low < w <= high and w.weekday() >= 5)
        return sign * count


def load_calendar() -> WorkCalendar:
    """Read the calendar from the ``holidays`` table."""
    from registry.reference.models import DayKind, Holiday

    rows = db.session.execute(select(Holiday.day, Holiday.kind)).all()
    return WorkCalendar(holidays=frozenset(d for d, k in rows if k == DayKind.HOLIDAY),
                        working_weekend_days=frozenset(d for d, k in rows if k == DayKind.WORKING_DAY))


def calendar() -> WorkCalendar:
    """The calendar, read once per request or command (call ``forget_calendar`` after editing holidays)."""
    if not has_app_context():
        return load_calendar()
    cal = g.get("_licences_calendar")
    if cal is None:
        cal = g._licences_calendar = load_calendar()
    return cal


def forget_calendar() -> None:
    """Drop the cached calendar (after the holidays were edited in this request)."""
    if has_app_context():
        g.pop("_licences_calendar", None)

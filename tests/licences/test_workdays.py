"""Working days from the holiday calendar: weekends, Tết, make-up Saturdays, and a calendar edited in the app."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from registry.extensions import db
from registry.licences import services
from registry.licences.workdays import WorkCalendar, calendar, forget_calendar
from registry.reference.models import DayKind, Holiday
from tests.factories import make_venue
from tests.licences.conftest import receive


def test_weekends_are_skipped(app):
    cal = WorkCalendar()
    assert cal.add(date(2026, 3, 6), 5) == date(2026, 3, 13)   # Friday + 5 → next Friday
    assert cal.add(date(2026, 3, 7), 5) == date(2026, 3, 13)   # received on a Saturday
    assert cal.add(date(2026, 3, 6), 0) == date(2026, 3, 6)
    with pytest.raises(ValueError):
        cal.add(date(2026, 3, 6), -1)


def test_tet_2026_from_the_preset(app):
    cal = calendar()
    # Thursday 12/02/2026; Tết runs 14–22/02: Fri 13 is day 1, then Mon 23 … Thu 26 is day 5
    assert cal.add(date(2026, 2, 12), 5) == date(2026, 2, 26)
    assert not cal.is_working_day(date(2026, 2, 16))
    assert cal.between(date(2026, 2, 9), date(2026, 2, 26)) == 8
    assert cal.between(date(2026, 2, 26), date(2026, 2, 9)) == -8
    assert cal.between(date(2026, 2, 26), date(2026, 2, 26)) == 0


def test_tet_2025_with_make_up_saturday(app):
    cal = calendar()
    assert cal.is_working_day(date(2025, 2, 8))  # Saturday worked in exchange for Monday 27/01
    assert cal.add(date(2025, 1, 24), 5) == date(2025, 2, 7)
    assert cal.add(date(2025, 1, 24), 7) == date(2025, 2, 10)   # 6th day is Saturday 08/02
    assert cal.between(date(2025, 2, 7), date(2025, 2, 10)) == 2


@pytest.mark.parametrize(("start", "end"), [(date(2024, 12, 20), date(2025, 3, 15)),
                                            (date(2026, 1, 1), date(2026, 12, 31)),
                                            (date(2025, 4, 25), date(2025, 5, 6))])
def test_between_agrees_with_counting_day_by_day(app, start, end):
    cal = calendar()
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += cal.is_working_day(day)
    assert cal.between(start, end) == count


def test_due_date_of_an_application_across_tet(app, clerk):
    application = receive(make_venue(), clerk, received_on=date(2026, 2, 12))
    assert application.clock_started_on == date(2026, 2, 12)
    assert application.due_on == date(2026, 2, 26)


def test_adjustments_use_their_own_processing_time(app, clerk, issued):
    licence = issued()
    application = receive(licence.venue, clerk, kind="adjust_rooms", subject_licence=licence,
                          received_on=date(2026, 3, 6), changes={"add_rooms": [{"code": "V9", "area_m2": "30"}]})
    assert application.due_on == date(2026, 3, 12)  # 4 working days


def test_missing_papers_stop_the_clock_and_completion_restarts_it(app, clerk):
    application = receive(make_venue(), clerk, received_on=date(2026, 3, 2))
    assert application.due_on == date(2026, 3, 9)
    services.transition(application, "needs_completion", by=clerk, on=date(2026, 3, 3), reason="Thiếu bản sao GCN")
    assert application.due_on is None and application.clock_started_on is None
    services.transition(application, "accepted", by=clerk, on=date(2026, 3, 10))
    assert application.clock_started_on == date(2026, 3, 10)
    assert application.due_on == date(2026, 3, 17)


def test_editing_the_calendar_moves_deadlines(app, client, clerk, login):
    application = receive(make_venue(), clerk, received_on=date(2026, 3, 6))
    db.session.commit()
    assert application.due_on == date(2026, 3, 13)
    login("admin")
    response = client.post("/config/holidays/new", data={"day": "2026-03-11", "kind": "holiday",
                                                         "name_vi": "Nghỉ bù", "name_en": "Extra day off",
                                                         "verified": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert application.due_on == date(2026, 3, 16)
    holiday = db.session.execute(db.select(Holiday).where(Holiday.day == date(2026, 3, 11))).scalar_one()
    assert client.post(f"/config/holidays/{holiday.id}/delete").status_code == 302
    db.session.expire_all()
    assert application.due_on == date(2026, 3, 13)


def test_a_make_up_working_day_shortens_the_wait(app):
    forget_calendar()
    db.session.add(Holiday(day=date(2026, 3, 7), kind=DayKind.WORKING_DAY, name_vi="Làm bù", name_en="Make-up"))
    db.session.flush()
    forget_calendar()
    assert calendar().add(date(2026, 3, 6), 5) == date(2026, 3, 12)

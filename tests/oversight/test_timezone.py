""""Today" is the date in Hải Phòng (Asia/Ho_Chi_Minh, UTC+7), not the server's UTC date."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from registry.db import today_local
from registry.oversight import reminders
from registry.oversight.queries import iter_due, window_query
from registry.oversight.sources import DueQuery
from tests.factories import make_venue
from tests.oversight import helpers


def test_at_2330_utc_it_is_already_the_next_day_in_vietnam(app, freeze_utc):
    freeze_utc(datetime(2026, 3, 9, 23, 30, tzinfo=UTC))
    assert today_local() == date(2026, 3, 10)
    freeze_utc(datetime(2026, 3, 9, 16, 59, tzinfo=UTC))
    assert today_local() == date(2026, 3, 9)
    freeze_utc(datetime(2026, 3, 9, 17, 0, tzinfo=UTC))
    assert today_local() == date(2026, 3, 10)


def test_dashboard_counts_from_the_local_date(db, client, login, freeze_utc):
    """At 23:30 UTC on 9 March a licence expiring on 9 March expired yesterday (it is 10 March in Hải Phòng)."""
    freeze_utc(datetime(2026, 3, 9, 23, 30, tzinfo=UTC))
    licence = helpers.make_licence(make_venue(), type_code="HP-EVENT", expires_on=date(2026, 3, 9))
    due_today = helpers.make_licence(make_venue(), type_code="HP-EVENT", expires_on=date(2026, 3, 10))
    db.session.commit()
    login("manager")
    page = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'data-kind="licence_expiry" data-id="{licence.id}" data-days="-1"' in page
    assert f'data-kind="licence_expiry" data-id="{due_today.id}" data-days="0"' in page
    assert "10/03/2026" in page or "10 Mar 2026" in page  # "Today is …"


def test_reminder_bands_use_the_local_date(db, freeze_utc):
    freeze_utc(datetime(2026, 3, 9, 23, 30, tzinfo=UTC))
    today = today_local()
    licence = helpers.make_licence(make_venue(), type_code="HP-EVENT", expires_on=date(2026, 3, 17))
    db.session.commit()
    plan = reminders.plan(today, 30)
    [notice] = [n for d in plan.digests for n in d.notices if n.item.item_id == licence.id]
    assert notice.item.days_left == 7 and notice.threshold == 7  # 8 days in UTC would have been band 30


def test_list_window_edges_follow_the_local_date(db, freeze_utc):
    freeze_utc(datetime(2026, 3, 9, 23, 30, tzinfo=UTC))
    today = today_local()
    edge = helpers.make_licence(make_venue(), type_code="HP-EVENT", expires_on=today + timedelta(days=30))
    out = helpers.make_licence(make_venue(), type_code="HP-EVENT", expires_on=today + timedelta(days=31))
    ids = {i.item_id for i in iter_due(window_query(DueQuery(today=today), "30"), ["licence_expiry"])}
    assert edge.id in ids and out.id not in ids

"""What falls due, and when: boundary dates, grace periods, working days, filters and paging across sources."""
from __future__ import annotations

from datetime import date, timedelta

from registry.db import today_local
from registry.oversight.queries import bucket_counts, due_page, iter_due, window_query
from registry.oversight.sources import DueFilters, DueQuery
from tests.factories import make_operator, make_venue, unit
from tests.oversight import helpers


def _counts(q, kind):
    return next(c for c in bucket_counts(q, [kind]) if c.kind == kind)


def _items(q, window="due90", kinds=None):
    return list(iter_due(window_query(q, window), kinds))


def test_due_in_exactly_30_days_is_within_30_not_overdue(db):
    today = today_local()
    licence = helpers.make_licence(make_venue(), type_code="HP-EVENT", expires_on=today + timedelta(days=30))
    helpers.make_licence(make_venue(), type_code="HP-EVENT", expires_on=today + timedelta(days=31))
    q = DueQuery(today=today)
    counts = _counts(q, "licence_expiry")
    assert (counts.overdue, counts.within[30], counts.within[60], counts.within[90]) == (0, 1, 2, 2)
    [item] = _items(q, "30", ["licence_expiry"])
    assert item.item_id == licence.id and item.days_left == 30 and not item.overdue


def test_expired_yesterday_is_overdue_by_one_day_and_due_today_is_not(db):
    today = today_local()
    yesterday = helpers.make_licence(make_venue(), type_code="HP-EVENT", expires_on=today - timedelta(days=1))
    due_today = helpers.make_licence(make_venue(), type_code="HP-EVENT", expires_on=today)
    q = DueQuery(today=today)
    assert _counts(q, "licence_expiry").overdue == 1
    items = {i.item_id: i for i in _items(q, "due30", ["licence_expiry"])}
    assert items[yesterday.id].overdue and items[yesterday.id].days_left == -1
    assert not items[due_today.id].overdue and items[due_today.id].days_left == 0
    assert [i.item_id for i in _items(q, "overdue", ["licence_expiry"])] == [yesterday.id]


def test_inside_the_grace_period_is_flagged_and_counted_then_drops_out(db):
    today = today_local()
    helpers.licence_type("HP-EVENT", grace_days=15)
    in_grace = helpers.make_licence(make_venue(), type_code="HP-EVENT", expires_on=today - timedelta(days=15))
    # already marked expired by the licensing job but still renewable: still listed, in grace
    marked = helpers.make_licence(make_venue(), type_code="HP-EVENT", status="expired",
                                  expires_on=today - timedelta(days=3))
    past_grace = helpers.make_licence(make_venue(), type_code="HP-EVENT", status="expired",
                                      expires_on=today - timedelta(days=16))
    q = DueQuery(today=today)
    counts = _counts(q, "licence_expiry")
    assert counts.overdue == 2 and counts.in_grace == 2
    items = {i.item_id: i for i in _items(q, "overdue", ["licence_expiry"])}
    assert set(items) == {in_grace.id, marked.id}
    assert items[in_grace.id].in_grace and items[in_grace.id].grace_until == today
    assert past_grace.id not in items


def test_suspended_licence_with_a_term_still_expires_superseded_does_not(db):
    today = today_local()
    suspended = helpers.make_licence(make_venue(), type_code="HP-EVENT", status="suspended",
                                     expires_on=today + timedelta(days=5))
    helpers.make_licence(make_venue(), type_code="HP-EVENT", status="superseded", expires_on=today + timedelta(days=5))
    helpers.make_licence(make_venue(), type_code="HP-KARAOKE", expires_on=None)
    ids = [i.item_id for i in _items(DueQuery(today=today), kinds=["licence_expiry"])]
    assert ids == [suspended.id]


def test_prerequisite_documents_expiring_with_the_licences_they_affect(db):
    today = today_local()
    venue = make_venue()
    karaoke = helpers.make_licence(venue, type_code="HP-KARAOKE")
    fire = helpers.make_document(venue, kind="fire_safety", expires_on=today + timedelta(days=10))
    other = make_venue()
    lonely = helpers.make_document(other, kind="fire_safety", expires_on=today + timedelta(days=12))
    # a renewal recorded at the desk supersedes the earlier certificate; a revoked one is not due either
    from registry.licences import services

    renewed_venue = make_venue()
    helpers.make_document(renewed_venue, kind="security_order", expires_on=today + timedelta(days=3),
                          issued_on=date(2023, 1, 1))
    services.add_prerequisite(renewed_venue, kind="security_order", number="77/GCN-ANTT", issued_on=date(2025, 1, 1),
                              issuer="Công an TP Hải Phòng", expires_on=today + timedelta(days=700))
    helpers.make_document(make_venue(), kind="security_order", expires_on=today + timedelta(days=3), revoked=True)
    items = {i.item_id: i for i in _items(DueQuery(today=today), kinds=["document_expiry"])}
    assert set(items) == {fire.id, lonely.id}
    assert items[fire.id].affected == (karaoke.number_display,)
    assert items[lonely.id].affected == ()


def test_suspension_that_ends_and_one_already_lifted(db):
    today = today_local()
    ending = helpers.make_suspension(helpers.make_licence(make_venue()), ends_on=today + timedelta(days=7))
    lifted = helpers.make_suspension(helpers.make_licence(make_venue()), ends_on=today + timedelta(days=7))
    lifted.lifted_on = today
    db.session.flush()
    items = _items(DueQuery(today=today), kinds=["suspension_end"])
    assert [i.item_id for i in items] == [ending.id]
    assert items[0].days_left == 7


def test_application_deadline_counts_working_days(db, staff):
    from registry.licences.workdays import calendar

    today = today_local()
    cal = calendar()
    due = cal.add(today, 3)
    app = helpers.make_application(make_venue(), due_on=due, prepared_by=staff["clerk"], assigned_to=staff["clerk"])
    late = helpers.make_application(make_venue(), due_on=today - timedelta(days=1), prepared_by=staff["clerk"])
    helpers.make_application(make_venue(), due_on=today, status="needs_completion", prepared_by=staff["clerk"])
    helpers.make_application(make_venue(), due_on=today, status="approved", prepared_by=staff["clerk"],
                             decided_on=today)
    items = {i.item_id: i for i in _items(DueQuery(today=today), kinds=["application_deadline"])}
    assert set(items) == {app.id, late.id}
    assert items[app.id].working_days and items[app.id].days_left == 3
    assert items[app.id].officer_id == staff["clerk"].id
    assert items[late.id].overdue and items[late.id].days_left == cal.between(today, today - timedelta(days=1))


def test_working_days_skip_weekends_and_holidays(db):
    from registry.oversight.workdays import calendar
    from registry.reference.models import DayKind, Holiday

    db.session.add(Holiday(day=date(2030, 9, 2), kind=DayKind.HOLIDAY, name_vi="Quốc khánh", name_en="National Day"))
    db.session.flush()
    from flask import g

    g.pop("_licences_calendar", None)
    cal = calendar()
    # Fri 30 Aug 2030 → Tue 3 Sep: Mon 2 Sep is a holiday, so only Tuesday counts
    assert cal.between(date(2030, 8, 30), date(2030, 9, 3)) == 1
    assert cal.between(date(2030, 9, 3), date(2030, 8, 30)) == -1
    assert cal.add(date(2030, 8, 30), 1) == date(2030, 9, 3)


def test_remedy_deadlines_and_follow_ups_from_inspections(db, staff):
    today = today_local()
    venue = make_venue()
    visit = helpers.make_inspection(venue, lead=staff["inspector"], scheduled_on=today - timedelta(days=20))
    open_remedy = helpers.make_violation(visit, remedy_due_on=today + timedelta(days=10))
    follow_up = helpers.make_inspection(venue, lead=staff["inspector"], scheduled_on=today - timedelta(days=2),
                                        kind="follow_up", status="planned", outcome=None, original=visit)
    helpers.make_violation(visit, remedy_due_on=today + timedelta(days=10), resolved_in=follow_up)  # remedied
    draft = helpers.make_inspection(venue, lead=staff["inspector"], scheduled_on=today, status="in_progress",
                                    outcome=None)
    helpers.make_violation(draft, remedy_due_on=today + timedelta(days=5))  # not closed yet: not counted
    q = DueQuery(today=today)
    remedies = _items(q, kinds=["remedy_deadline"])
    assert [i.item_id for i in remedies] == [open_remedy.id]
    assert "Điều 15 khoản 2 điểm a" in remedies[0].label
    follow_ups = _items(q, kinds=["followup_inspection"])
    assert [(i.item_id, i.overdue, i.officer_id) for i in follow_ups] == [(follow_up.id, True, staff["inspector"].id)]


def test_filters_by_district_ward_kind_type_and_officer(db, staff):
    today = today_local()
    from sqlalchemy import select

    from registry.reference.models import AdminUnit

    le_chan = unit("HP-D-LECHAN")
    ward = db.session.execute(select(AdminUnit).where(AdminUnit.parent_id == le_chan.id)
                              .order_by(AdminUnit.code)).scalars().first()
    in_le_chan = make_venue(ward=ward, district_id=le_chan.id)
    elsewhere = make_venue()
    dance = make_venue(kind="dance_hall")
    a = helpers.make_licence(in_le_chan, type_code="HP-EVENT", expires_on=today + timedelta(days=5),
                             issued_by=staff["clerk"])
    b = helpers.make_licence(elsewhere, type_code="HP-EVENT", expires_on=today + timedelta(days=6))
    c = helpers.make_licence(dance, type_code="HP-EVENT", expires_on=today + timedelta(days=7))
    doc = helpers.make_document(in_le_chan, expires_on=today + timedelta(days=8))
    event_type = helpers.licence_type("HP-EVENT")

    def ids(**f):
        return {(i.kind, i.item_id) for i in _items(DueQuery(today=today, filters=DueFilters(**f)))}

    assert ids(district_id=le_chan.id) == {("licence_expiry", a.id), ("document_expiry", doc.id)}
    assert ids(ward_id=ward.id) == {("licence_expiry", a.id), ("document_expiry", doc.id)}
    assert ("licence_expiry", c.id) in ids(venue_kind="dance_hall")
    assert ("licence_expiry", b.id) not in ids(venue_kind="dance_hall")
    # a document is kept by a type filter when its venue holds a licence of that type
    assert ids(licence_type_id=event_type.id) >= {("licence_expiry", a.id), ("document_expiry", doc.id)}
    # an officer filter keeps only records that officer is responsible for (documents have none)
    assert ids(officer_id=staff["clerk"].id) == {("licence_expiry", a.id)}


def test_keyset_pages_across_sources_have_no_gaps_or_repeats(db, staff):
    today = today_local()
    expected = set()
    for i in range(7):
        venue = make_venue()
        expected.add(("licence_expiry", helpers.make_licence(venue, type_code="HP-EVENT",
                                                             expires_on=today + timedelta(days=i % 3)).id))
        expected.add(("document_expiry", helpers.make_document(venue, expires_on=today + timedelta(days=i % 3)).id))
    q = window_query(DueQuery(today=today), "due30")
    seen, after, pages = [], None, 0
    while True:
        page = due_page(q, limit=4, after=after)
        seen += [(i.kind, i.item_id) for i in page.items]
        pages += 1
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert len(seen) == len(set(seen)) == 14 and set(seen) == expected and pages == 4
    days = [d for d in (next(x for x in _items(q, "due30") if (x.kind, x.item_id) == k).due_on for k in seen)]
    assert days == sorted(days)


def test_a_malformed_cursor_means_the_first_page(db):
    today = today_local()
    helpers.make_licence(make_venue(), type_code="HP-EVENT", expires_on=today)
    q = window_query(DueQuery(today=today), "due30")
    for junk in ("x", "2026-13-01.1.1", "1.2", "\x00" * 5, "9" * 100):
        assert len(due_page(q, after=junk).items) == 1


def test_operator_filter_for_reminders(db):
    today = today_local()
    op = make_operator()
    mine = helpers.make_licence(make_venue(op), type_code="HP-EVENT", expires_on=today + timedelta(days=3))
    helpers.make_licence(make_venue(), type_code="HP-EVENT", expires_on=today + timedelta(days=3))
    items = _items(DueQuery(today=today, filters=DueFilters(operator_id=op.id)), kinds=["licence_expiry"])
    assert [i.item_id for i in items] == [mine.id]

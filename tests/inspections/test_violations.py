"""Violations from the catalogue: fine ranges per operator kind, refusal outside the range, the repeat counter of
operating-duty violations and the suspension prompt."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.db import today_local
from registry.inspections import sanctions, services, violations
from registry.inspections.models import InspectionOutcome, SubjectKind, ViolationType
from tests.inspections.conftest import answer_all, started


def vtype(db, code: str) -> ViolationType:
    return db.session.execute(select(ViolationType).where(ViolationType.code == code)).scalar_one()


def item(inspection, code):
    return next(i for i in inspection.items if i.code == code)


def test_catalogue_rows_carry_the_legal_reference_and_individual_range(db):
    row = vtype(db, "inner_latch")
    assert (row.decree, row.article, row.clause, row.fine_min, row.fine_max) == ("38/2021/NĐ-CP", "15", "6",
                                                                                  15_000_000, 20_000_000)
    assert row.organisation_multiplier == 2 and not row.operating_duty
    assert vtype(db, "karaoke_hours").operating_duty
    sports = vtype(db, "sports_no_instructor")
    assert sports.fine_min is None and not sports.amount_verified  # amounts unverified and flagged
    assert violations.legal_reference(row, "vi") == "Điểm b khoản 6 Điều 15 Nghị định 38/2021/NĐ-CP"
    assert violations.legal_reference(row, "en") == "Art. 15(6)(b) Decree 38/2021/NĐ-CP"
    assert violations.legal_reference(sports, "en") == "Decree 46/2019/NĐ-CP (article to be confirmed)"


def test_household_is_fined_within_the_individual_range(karaoke, inspector, db):
    inspection = started(karaoke, inspector)
    rng = violations.fine_range(vtype(db, "inner_latch"), karaoke.operator)
    assert (rng.subject, rng.low, rng.high) == (SubjectKind.INDIVIDUAL, 15_000_000, 20_000_000)
    violation = violations.record_violation(inspection, vtype(db, "inner_latch"),
                                            item=item(inspection, "no_inner_latch"),
                                            amount=15_000_000, remedy=None, remedy_due_on=today_local() + timedelta(7))
    assert violation.subject == SubjectKind.INDIVIDUAL and violation.fine_max == 20_000_000
    assert violation.remedy == "Tháo dỡ khóa chốt cửa bên trong phòng"  # the catalogue's measure by default
    assert item(inspection, "no_inner_latch").result.value == "fail"


def test_enterprise_is_fined_as_an_organisation_twice_the_range(enterprise_karaoke, inspector, db):
    inspection = started(enterprise_karaoke, inspector)
    row = vtype(db, "inner_latch")
    rng = violations.fine_range(row, enterprise_karaoke.operator)
    assert (rng.subject, rng.low, rng.high) == (SubjectKind.ORGANISATION, 30_000_000, 40_000_000)
    with pytest.raises(services.InspectionError) as refused:
        violations.record_violation(inspection, row, item=None, amount=20_000_000)
    assert refused.value.field == "amount"
    assert "organisation" in str(refused.value) and "30,000,000" in str(refused.value)
    violation = violations.record_violation(inspection, row, item=None, amount=35_000_000)
    assert violation.subject == SubjectKind.ORGANISATION and violation.fine_min == 30_000_000


@pytest.mark.parametrize("amount", [14_999_999, 20_000_001, 0, None])
def test_amount_outside_the_range_is_refused(karaoke, inspector, db, amount):
    inspection = started(karaoke, inspector)
    with pytest.raises(services.InspectionError) as refused:
        violations.record_violation(inspection, vtype(db, "inner_latch"), item=None, amount=amount)
    assert refused.value.field == "amount"
    assert inspection.violations == []


def test_warning_only_where_the_decree_allows_it(karaoke, inspector, db):
    inspection = started(karaoke, inspector)
    with pytest.raises(services.InspectionError):
        violations.record_violation(inspection, vtype(db, "inner_latch"), item=None, amount=None, warning=True)
    violation = violations.record_violation(inspection, vtype(db, "staff_uniform_badge"), item=None, amount=None,
                                          warning=True)
    assert violation.warning and violation.amount == 0


def test_unconfigured_range_accepts_a_typed_amount_up_to_the_cap(inspector, db):
    from tests.factories import make_operator, make_venue
    from tests.inspections.conftest import make_licence

    venue = make_venue(make_operator(), kind="sports", rooms=[])
    make_licence(venue, rooms=[])
    db.session.commit()
    inspection = started(venue, inspector)
    row = vtype(db, "sports_no_instructor")
    with pytest.raises(services.InspectionError, match="No fine range is configured"):
        violations.record_violation(inspection, row, item=None, amount=500_000_000)
    assert violations.record_violation(inspection, row, item=None, amount=10_000_000).fine_min is None


def test_violation_form_shows_the_range_and_refuses_out_of_range_next_to_the_field(client, sign_in, karaoke,
                                                                                  inspector, db):
    inspection = started(karaoke, inspector)
    sign_in(inspector)
    target = item(inspection, "no_inner_latch")
    page = client.get(f"/inspections/{inspection.id}/violations/new?item={target.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "15,000,000" in html and "20,000,000" in html and "fined as an individual" in html
    row = vtype(db, "inner_latch")
    bad = client.post(f"/inspections/{inspection.id}/violations/new", data={
        "item": target.id, "violation_type_id": row.id, "amount": "25.000.000", "remedy": "",
        "remedy_due_on": ""})
    assert bad.status_code == 400
    assert 'data-field="amount"' in bad.get_data(as_text=True)
    for junk in ("\x00", "x" * 300, "-5", "12abc"):
        response = client.post(f"/inspections/{inspection.id}/violations/new", data={
            "item": target.id, "violation_type_id": row.id, "amount": junk})
        assert response.status_code == 400
    good = client.post(f"/inspections/{inspection.id}/violations/new", data={
        "item": target.id, "violation_type_id": row.id, "amount": "15.000.000",
        "remedy_due_on": (today_local() + timedelta(days=14)).isoformat()})
    assert good.status_code == 302
    db.session.expire_all()
    assert [v.amount for v in inspection.violations] == [15_000_000]


def _visit_with_duty_violation(venue, inspector, db, *, close=True):
    inspection = started(venue, inspector)
    answer_all(inspection)
    violations.record_violation(inspection, vtype(db, "staff_uniform_badge"), item=item(inspection, "staff_uniforms"),
                              amount=300_000)
    db.session.commit()
    if close:
        services.close_visit(inspection, InspectionOutcome.VIOLATIONS, by=inspector, version=inspection.version_id)
        db.session.commit()
    return inspection


def test_repeat_counter_and_suspension_prompt_on_the_second_duty_violation(karaoke, inspector, manager, client,
                                                                           sign_in, db):
    first = _visit_with_duty_violation(karaoke, inspector, db)
    assert violations.duty_violation_count(first.licence_id) == 1
    assert violations.suspension_prompt(first) is None
    second = _visit_with_duty_violation(karaoke, inspector, db, close=False)
    assert violations.duty_violation_count(second.licence_id) == 2
    prompt = violations.suspension_prompt(second)
    assert prompt is not None and prompt.count == 2

    sign_in(inspector)  # the inspector sees the counter and that the manager is prompted, but no button
    html = client.get(f"/inspections/{second.id}").get_data(as_text=True)
    assert 'data-testid="suspension-prompt"' in html and 'data-testid="suspend-button"' not in html

    sign_in(manager)
    index = client.get("/inspections/").get_data(as_text=True)
    assert 'data-testid="suspension-prompts"' in index and second.licence.number_display in index
    html = client.get(f"/inspections/{second.id}").get_data(as_text=True)
    assert 'data-testid="suspend-button"' in html
    response = client.post(f"/inspections/{second.id}/suspend")
    assert response.status_code == 302
    db.session.expire_all()
    assert second.licence.status.value == "suspended"
    sanction = second.licence.sanctions[-1]
    assert first.minutes_number in sanction.reason and "Art. 15(1)(b)" in sanction.reason


def test_suspension_from_the_prompt_cites_every_minutes_and_issues_the_notice(karaoke, inspector, manager, db):
    from registry.documents.models import DocumentKind, IssuedDocument

    first = _visit_with_duty_violation(karaoke, inspector, db)
    second = _visit_with_duty_violation(karaoke, inspector, db)
    sanction = sanctions.suspend_for_duty_violations(violations.suspension_prompt(second), by=manager)
    db.session.commit()
    db.session.expire_all()
    assert second.licence.status.value == "suspended"
    assert (sanction.licence_id, sanction.starts_on, sanction.created_by_id) == (second.licence_id, today_local(),
                                                                                 manager.id)
    assert sanction.reason == ("Second violation of operating duties (Decree 54/2019 Art. 15(1)(b)), recorded in "
                               f"minutes {first.minutes_number}, {second.minutes_number}.")
    notice = db.session.execute(select(IssuedDocument).where(IssuedDocument.sanction_id == sanction.id)).scalar_one()
    assert notice.kind == DocumentKind.SUSPENSION_NOTICE and sanction.document_number


def test_suspension_needs_the_licences_feature(karaoke, inspector, manager, db, monkeypatch):
    _visit_with_duty_violation(karaoke, inspector, db)
    second = _visit_with_duty_violation(karaoke, inspector, db, close=False)
    prompt = violations.suspension_prompt(second)
    monkeypatch.setattr(sanctions, "import_optional", lambda name: None)
    with pytest.raises(sanctions.SuspensionUnavailable):
        sanctions.suspend_for_duty_violations(prompt, by=manager)
    assert second.licence.status.value == "active" and not second.licence.sanctions


def test_a_non_duty_violation_does_not_prompt(karaoke, inspector, db):
    first = _visit_with_duty_violation(karaoke, inspector, db)
    second = started(karaoke, inspector)
    violations.record_violation(second, vtype(db, "inner_latch"), item=None, amount=16_000_000)
    assert violations.duty_violation_count(first.licence_id) == 1
    assert violations.suspension_prompt(second) is None


def test_inspector_cannot_use_the_suspend_action(karaoke, inspector, client, sign_in, db):
    _visit_with_duty_violation(karaoke, inspector, db)
    second = _visit_with_duty_violation(karaoke, inspector, db, close=False)
    sign_in(inspector)
    assert client.post(f"/inspections/{second.id}/suspend").status_code == 403

"""Reminder digests through a real SMTP exchange: preview equals what is sent, sending is idempotent, a crash midway
is recovered exactly once, each operator reads their own language, and every notice is on the timelines."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.common.audit import AuditEvent
from registry.common.mailer import Mailer
from registry.db import today_local
from registry.oversight import reminders
from registry.oversight.models import NoticeStatus, ReminderNotice, ReminderRun, RunStatus
from tests.factories import make_operator, make_venue
from tests.oversight import helpers


@pytest.fixture
def due(db):
    """Three operators with items due: a Vietnamese one (licence + fire-safety document), an English one, and one
    with no e-mail address."""
    today = today_local()
    vi = make_operator(name="Công ty TNHH Karaoke Hoa Sen", email="hoasen@example.vn", language="vi")
    en = make_operator(name="Saigon Leisure Co., Ltd", email="ops@saigonleisure.example", language="en")
    nomail = make_operator(name="Hộ kinh doanh Bình An", email=None)
    v1, v2, v3 = make_venue(vi, name="Karaoke Hoa Sen"), make_venue(en, name="Skyline Karaoke"), make_venue(nomail)
    records = {
        "vi_licence": helpers.make_licence(v1, type_code="HP-EVENT", expires_on=today + timedelta(days=20)),
        "vi_document": helpers.make_document(v1, kind="fire_safety", expires_on=today + timedelta(days=5)),
        "en_licence": helpers.make_licence(v2, type_code="HP-EVENT", expires_on=today + timedelta(days=25)),
        "nomail_licence": helpers.make_licence(v3, type_code="HP-EVENT", expires_on=today + timedelta(days=3)),
    }
    db.session.commit()
    return {"today": today, "vi": vi, "en": en, "nomail": nomail, **records}


def _sent_notices():
    return db_session().execute(select(func.count()).select_from(ReminderNotice).where(
        ReminderNotice.status == NoticeStatus.SENT)).scalar_one()


def db_session():
    from registry.extensions import db

    return db.session


def test_bands_from_thresholds():
    assert reminders.band(25, [90, 60, 30, 7, 0]) == 30
    assert reminders.band(30, [90, 60, 30, 7, 0]) == 30
    assert reminders.band(31, [90, 60, 30, 7, 0]) == 60
    assert reminders.band(0, [90, 60, 30, 7, 0]) == 0
    assert reminders.band(-12, [90, 60, 30, 7, 0]) == 0
    assert reminders.band(91, [90, 60, 30, 7, 0]) is None


def test_preview_equals_what_arrives_at_the_smtp_server(due, inbox):
    plan = reminders.plan(due["today"], 30)
    previews = {d.email: d.render(due["today"]) for d in plan.sendable}
    assert set(previews) == {"hoasen@example.vn", "ops@saigonleisure.example"}
    assert [d.operator_name for d in plan.unreachable] == ["Hộ kinh doanh Bình An"]

    result = reminders.send(due["today"], 30)

    assert result.digests_sent == 2 and result.notices_sent == 3 and result.failures == 0
    assert len(inbox.messages) == 2
    for address, preview in previews.items():
        [message] = inbox.to(address)
        assert message["Subject"] == preview.subject
        assert inbox.text(message).strip() == preview.text.strip()
        assert message["From"] == "registry@test.local"
        assert message["Message-ID"].startswith("<reminder-")


def test_messages_are_in_the_operator_language(due, inbox):
    reminders.send(due["today"], 30)
    [vi] = inbox.to("hoasen@example.vn")
    [en] = inbox.to("ops@saigonleisure.example")
    vi_text, en_text = inbox.text(vi), inbox.text(en)
    assert vi["Content-Language"] == "vi" and en["Content-Language"] == "en"
    assert vi["Subject"].startswith("Sở Văn hóa và Thể thao Hải Phòng: 2 nội dung sắp đến hạn")
    assert "Kính gửi: Công ty TNHH Karaoke Hoa Sen" in vi_text
    assert "còn 5 ngày" in vi_text and "Giấy phép tổ chức sự kiện" in vi_text
    assert (due["today"] + timedelta(days=5)).strftime("%d/%m/%Y") in vi_text
    assert en["Subject"].startswith("Hai Phong Department of Culture and Sports: 1 item(s) falling due")
    assert "To: Saigon Leisure Co., Ltd" in en_text and "25 days left" in en_text
    assert "Kính gửi" not in en_text
    # the HTML part carries the same content
    assert "Skyline Karaoke" in en.get_body(preferencelist=("html",)).get_content()


def test_an_empty_section_reads_na(due, inbox):
    reminders.send(due["today"], 30)
    [en] = inbox.to("ops@saigonleisure.example")
    text = inbox.text(en)
    assert "2. Prerequisite documents (fire safety, security and order, …)\n   - N/A" in text
    assert "3. Remedies required after inspections\n   - N/A" in text
    [vi] = inbox.to("hoasen@example.vn")
    # the fire-safety document lists the licences that depend on it (the event permit requires one)
    assert f"Giấy phép liên quan: {due['vi_licence'].number_display}" in inbox.text(vi)
    assert "3. Yêu cầu khắc phục sau kiểm tra\n   - Không có" in inbox.text(vi)


def test_a_document_no_licence_depends_on_reads_na(db, inbox):
    venue = make_venue(make_operator(email="nolicence@example.vn", language="en"))
    helpers.make_document(venue, kind="fire_safety", expires_on=today_local() + timedelta(days=6))
    db_session().commit()
    reminders.send(today_local(), 30)
    [message] = inbox.to("nolicence@example.vn")
    assert "Licences affected: N/A" in inbox.text(message)


def test_running_send_twice_sends_nothing_new(due, inbox):
    first = reminders.send(due["today"], 30)
    assert first.notices_sent == 3
    inbox.clear()
    second = reminders.send(due["today"], 30)
    assert (second.digests_sent, second.notices_sent) == (0, 0)
    assert inbox.messages == []
    assert _sent_notices() == 3
    plan = reminders.plan(due["today"], 30)
    assert plan.sendable == []
    assert all(n.state == "sent" for d in plan.digests if d.channel == "email" for n in d.notices)


def test_a_new_threshold_is_a_new_notice(due, inbox):
    reminders.send(due["today"], 30)
    inbox.clear()
    # a week later the licence due in 20 days has crossed into the 7-day band: one new notice, nothing repeated
    later = due["today"] + timedelta(days=13)
    result = reminders.send(later, 30)
    sent = {m["message"]["To"] for m in inbox.messages}
    assert "hoasen@example.vn" in sent
    [vi] = inbox.to("hoasen@example.vn")
    assert "còn 7 ngày" in inbox.text(vi) and result.notices_sent >= 1
    keys = db_session().execute(select(ReminderNotice.item_kind, ReminderNotice.item_id, ReminderNotice.threshold)
                                .where(ReminderNotice.item_id == due["vi_licence"].id,
                                       ReminderNotice.item_kind == "licence_expiry")).all()
    assert sorted(k[2] for k in keys) == [7, 30]


def test_a_renewed_licence_with_a_new_date_is_reminded_again(due, inbox):
    reminders.send(due["today"], 30)
    inbox.clear()
    due["en_licence"].expires_on = due["today"] + timedelta(days=28)
    db_session().commit()
    reminders.send(due["today"], 30)
    assert [m["message"]["To"] for m in inbox.messages] == ["ops@saigonleisure.example"]


def test_crash_midway_then_rerun_sends_each_remaining_notice_exactly_once(due, inbox, monkeypatch):
    extra = [make_operator(name=f"Operator {i}", email=f"op{i}@crash.example") for i in range(4)]
    for op in extra:
        helpers.make_licence(make_venue(op), type_code="HP-EVENT", expires_on=due["today"] + timedelta(days=9))
    db_session().commit()
    real_send = Mailer.send
    calls = {"n": 0}

    def crashing_send(self, message):
        calls["n"] += 1
        if calls["n"] > 2:
            raise RuntimeError("worker killed")
        return real_send(self, message)

    monkeypatch.setattr(Mailer, "send", crashing_send)
    with pytest.raises(RuntimeError, match="worker killed"):
        reminders.send(due["today"], 30)
    delivered_first = [m["message"]["To"] for m in inbox.messages]
    assert len(delivered_first) == 2
    run = db_session().execute(select(ReminderRun).order_by(ReminderRun.id.desc())).scalars().first()
    assert run.status == RunStatus.ABORTED and "worker killed" in run.error
    claimed = db_session().execute(select(func.count()).select_from(ReminderNotice).where(
        ReminderNotice.status == NoticeStatus.CLAIMED)).scalar_one()
    assert claimed > 0

    monkeypatch.setattr(Mailer, "send", real_send)
    result = reminders.send(due["today"], 30)
    everyone = [m["message"]["To"] for m in inbox.messages]
    assert sorted(everyone) == sorted(set(everyone))  # nobody got a second message
    assert len(everyone) == 6 and result.digests_sent == 4
    assert db_session().execute(select(func.count()).select_from(ReminderNotice).where(
        ReminderNotice.status != NoticeStatus.SENT)).scalar_one() == 0
    retried = db_session().execute(select(ReminderNotice.attempts).where(ReminderNotice.attempts > 1)).scalars().all()
    assert retried and set(retried) == {2}  # each remaining notice was taken over once
    inbox.clear()
    assert reminders.send(due["today"], 30).digests_sent == 0 and inbox.messages == []


def test_a_hard_crash_is_recovered_after_the_lease(due, inbox, app, monkeypatch):
    """A process killed outright leaves its run RUNNING: its claims are taken over once the heartbeat is stale."""
    plan = reminders.plan(due["today"], 30)
    run = reminders._start_run(due["today"], 30, "email", "cli")
    reminders._claim(run, plan)  # claimed, committed, then the process "dies" before sending
    assert reminders.plan(due["today"], 30).sendable == []  # a live claim is not taken over
    assert reminders.send(due["today"], 30).digests_sent == 0 and inbox.messages == []

    app.config["REMINDER_CLAIM_LEASE_SECONDS"] = 0  # as if the lease had run out
    result = reminders.send(due["today"], 30)
    assert result.digests_sent == 2 and len(inbox.messages) == 2


def test_smtp_refusal_is_logged_as_failed_and_retried_next_run(due, inbox, monkeypatch):
    import smtplib

    def refuse(self, message):
        raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"no such mailbox")})

    monkeypatch.setattr(Mailer, "send", refuse)
    result = reminders.send(due["today"], 30)
    assert result.failures == 2 and result.digests_sent == 0
    failed = db_session().execute(select(AuditEvent).where(AuditEvent.action == "reminder.failed")).scalars().all()
    assert len(failed) == 3 and "550" in failed[0].changes["error"]
    monkeypatch.undo()
    retry = reminders.send(due["today"], 30)
    assert retry.digests_sent == 2 and len(inbox.messages) == 2


def test_every_notice_is_on_the_operator_and_record_timelines(due, inbox):
    reminders.send(due["today"], 30)
    events = db_session().execute(select(AuditEvent).where(AuditEvent.action == "reminder.sent")
                                  .order_by(AuditEvent.id)).scalars().all()
    assert len(events) == 3
    licence_event = next(e for e in events if e.entity_type == "licences" and e.entity_id == due["vi_licence"].id)
    assert licence_event.operator_id == due["vi"].id
    assert licence_event.venue_id == due["vi_licence"].venue_id
    changes = licence_event.changes
    assert changes["delivery"] == "sent" and changes["channel"] == "email"
    assert changes["recipient"] == "hoasen@example.vn" and changes["threshold"] == 30
    doc_event = next(e for e in events if e.entity_type == "prerequisite_documents")
    assert doc_event.entity_id == due["vi_document"].id and doc_event.operator_id == due["vi"].id


def test_letters_for_operators_without_an_address(due, inbox, pdf_text):
    result = reminders.send(due["today"], 30, channel="auto")
    assert len(inbox.messages) == 2  # e-mails for the two with an address
    assert result.letters_pdf.startswith(b"%PDF") and result.letters_document_id
    text = pdf_text(result.letters_pdf)
    assert "THÔNG BÁO" in text and "Hộ kinh doanh Bình An" in text
    notice = db_session().execute(select(ReminderNotice).where(
        ReminderNotice.item_id == due["nomail_licence"].id)).scalar_one()
    assert notice.status == NoticeStatus.SENT and notice.channel.value == "letter"
    # printing again prints nothing new
    assert reminders.send(due["today"], 30, channel="letter").letters_pdf is None


def test_dry_run_cli_prints_the_plan_and_writes_nothing(due, runner, inbox):
    result = runner.invoke(args=["reminders", "send", "--dry-run", "--horizon", "30"])
    assert result.exit_code == 0, result.output
    assert "hoasen@example.vn" in result.output and "Dry run" in result.output
    assert "NO ADDRESS" in result.output
    assert inbox.messages == []
    assert db_session().execute(select(func.count()).select_from(ReminderRun)).scalar_one() == 0


def test_cli_send_twice(due, runner, inbox):
    first = runner.invoke(args=["reminders", "send", "--horizon", "30"])
    assert first.exit_code == 0, first.output
    assert "2 digest(s) sent (3 notice(s))" in first.output
    second = runner.invoke(args=["reminders", "send", "--horizon", "30"])
    assert "0 digest(s) sent" in second.output and len(inbox.messages) == 2
    run = db_session().execute(select(ReminderRun).order_by(ReminderRun.id)).scalars().first()
    assert run.trigger == "cli" and run.actor_label.startswith("cli:")


def test_cli_preview_shows_bodies(due, runner):
    result = runner.invoke(args=["reminders", "preview", "--horizon", "30", "--bodies"])
    assert result.exit_code == 0, result.output
    assert "Kính gửi: Công ty TNHH Karaoke Hoa Sen" in result.output


def test_bad_horizon_or_channel_is_refused(db):
    with pytest.raises(reminders.ReminderError):
        reminders.plan(today_local(), -1)
    with pytest.raises(reminders.ReminderError):
        reminders.plan(today_local(), 30, channel="fax")


def test_internal_deadlines_are_not_sent_to_operators(db, staff, inbox):
    venue = make_venue(make_operator(email="applicant@example.vn"))
    helpers.make_application(venue, due_on=today_local(), prepared_by=staff["clerk"])
    db_session().commit()
    assert reminders.plan(today_local(), 30).digests == []


def test_notice_key_is_unique_in_the_database(due):
    from sqlalchemy.exc import IntegrityError

    reminders.send(due["today"], 30, channel="letter")
    existing = db_session().execute(select(ReminderNotice)).scalars().first()
    duplicate = ReminderNotice(item_kind=existing.item_kind, item_id=existing.item_id, threshold=existing.threshold,
                               due_on=existing.due_on, operator_id=existing.operator_id, run_id=existing.run_id)
    db_session().add(duplicate)
    with pytest.raises(IntegrityError):
        db_session().flush()
    db_session().rollback()


@pytest.fixture
def pdf_text(tmp_path):
    import subprocess

    def extract(data: bytes) -> str:
        path = tmp_path / "letters.pdf"
        path.write_bytes(data)
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()

    return extract


def test_audit_changes_are_json(due, inbox):
    reminders.send(due["today"], 30)
    event = db_session().execute(select(AuditEvent).where(AuditEvent.action == "reminder.run")).scalar_one()
    assert json.loads(event.changes_json)["notices_sent"] == 3

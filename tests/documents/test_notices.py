"""Suspension notices and revocation decisions: numbering, content, stored once, the interface for licensing."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from registry.documents import notices
from registry.documents.models import DocumentKind, IssuedDocument
from registry.licences.models import LicenceNumberCounter
from tests.documents import helpers


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_suspension_notice_is_numbered_stored_and_readable(db, licence, pdf_tools):
    sanction = helpers.suspend(licence, starts_on=date(2025, 6, 1), days=90, reason="Vi phạm lần thứ hai")
    document = notices.issue_suspension_notice(licence, sanction, issued_by=None)
    db.session.commit()

    assert document.kind == DocumentKind.SUSPENSION_NOTICE
    assert document.number == "1/TB-SVHTT" == sanction.document_number
    assert document.sanction_id == sanction.id and document.licence_id == licence.id
    assert document.template_version == notices.NOTICE_TEMPLATE_VERSION
    text = flat(pdf_tools.text(document.blob.content))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Số: 1/TB-SVHTT" in text
    assert "THÔNG BÁO" in text and "tạm dừng kinh doanh dịch vụ karaoke" in text
    assert "từ ngày 01/06/2025 đến hết ngày 30/08/2025" in text
    assert licence.number_display in text and licence.venue.name in text
    assert "Vi phạm lần thứ hai" in text
    # the QR code on the notice leads to the licence's live status
    assert pdf_tools.qr(document.blob.content).endswith(f"/verify/{licence.verify_token}")


def test_revocation_decision(db, licence, pdf_tools):
    sanction = helpers.revoke(licence, on=date(2025, 9, 1), reason="Không khắc phục vi phạm")
    document = notices.issue_revocation_decision(licence, sanction, issued_by=None)
    db.session.commit()
    assert document.number == "1/QĐ-SVHTT" == sanction.document_number
    text = flat(pdf_tools.text(document.blob.content))
    assert "QUYẾT ĐỊNH" in text and "thu hồi Giấy phép" in text
    assert "Điều 1." in text and "Điều 2." in text and "Điều 3." in text
    assert "01/09/2025" in text and "Không khắc phục vi phạm" in text


def test_numbers_follow_their_own_series_per_symbol_and_year(db):
    first, second = helpers.make_licence(), helpers.make_licence()
    a = notices.issue_suspension_notice(first, helpers.suspend(first))
    b = notices.issue_suspension_notice(second, helpers.suspend(second))
    c = notices.issue_revocation_decision(first, helpers.revoke(first))
    db.session.commit()
    assert (a.number, b.number, c.number) == ("1/TB-SVHTT", "2/TB-SVHTT", "1/QĐ-SVHTT")
    year = a.context_json and date.today().year
    symbols = {row.symbol: row.last_number for row in db.session.execute(
        select(LicenceNumberCounter).where(LicenceNumberCounter.year >= year - 1)).scalars()}
    assert symbols["TB-SVHTT"] == 2 and symbols["QĐ-SVHTT"] == 1


def test_issuing_again_returns_the_stored_document(db, licence):
    sanction = helpers.suspend(licence)
    first = notices.issue_suspension_notice(licence, sanction)
    again = notices.issue_suspension_notice(licence, sanction)
    db.session.commit()
    assert again.id == first.id
    assert len(db.session.execute(select(IssuedDocument).where(
        IssuedDocument.sanction_id == sanction.id)).scalars().all()) == 1


def test_existing_document_number_is_kept(db, licence):
    sanction = helpers.suspend(licence)
    sanction.document_number = "45/TB-SVHTT"
    document = notices.issue_suspension_notice(licence, sanction)
    assert document.number == "45/TB-SVHTT"


def test_wrong_sanction_kind_is_refused(db, licence):
    agency = helpers.suspend(licence, kind="agency_suspension")
    with pytest.raises(notices.NoticeError):
        notices.issue_suspension_notice(licence, agency)
    with pytest.raises(notices.NoticeError):
        notices.issue_revocation_decision(licence, agency)


def test_notice_uses_todays_signer_and_is_frozen_afterwards(db, client, login, licence, pdf_tools):
    sanction = helpers.suspend(licence)
    document = notices.issue_suspension_notice(licence, sanction)
    db.session.commit()
    issued = document.blob.content
    assert "Nguyễn Văn Hùng" in pdf_tools.text(issued)
    licence.licence_type.default_signer.full_name = "Phạm Thị Mới"
    db.session.commit()
    login("manager")
    assert client.get(f"/documents/{document.id}.pdf").data == issued


def test_hostile_reason_is_printed_as_text(db, licence, pdf_tools):
    sanction = helpers.suspend(licence, reason='<img src="file:///etc/passwd"> & <b>bold</b>')
    text = flat(pdf_tools.text(notices.issue_suspension_notice(licence, sanction).blob.content))
    assert '<img src="file:///etc/passwd"> & <b>bold</b>' in text


def test_english_notice(db, licence, pdf_tools):
    sanction = helpers.suspend(licence, days=None)
    document = notices.issue_suspension_notice(licence, sanction, lang="en")
    text = flat(pdf_tools.text(document.blob.content))
    assert "NOTICE" in text and "until further notice" in text
    assert "The Department of Culture and Sports gives notice:" in text

"""Issuing licence PDFs from the snapshot: read back, QR, immutability, reprints, copies, translation, downloads."""
from __future__ import annotations

import hashlib
import re
import shutil
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from registry.common.audit import AuditEvent
from registry.documents import licences as licence_docs
from registry.documents import pdf
from registry.documents.models import DocumentBlob, DocumentKind, IssuedDocument
from tests.documents import helpers
from tests.factories import make_operator, make_venue

FLAT = re.compile(r"\s+")


def flat(text: str) -> str:
    return FLAT.sub(" ", text)


def test_licence_pdf_reads_back_with_header_number_venue_and_rooms(db, pdf_tools):
    venue = make_venue(name="Karaoke Đêm Vàng Hồ Sen", rooms=[Decimal("24.50"), Decimal("31.25"), Decimal("20")])
    licence = helpers.make_licence(venue)
    document = licence_docs.issue_licence_pdf(licence)
    db.session.commit()

    text = flat(pdf_tools.text(document.blob.content))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert f"Số: {licence.number_display}" in text
    assert "Karaoke Đêm Vàng Hồ Sen" in text
    for area in ("24,50", "31,25", "20,00"):
        assert area in text
    assert "Số lượng phòng: 3 phòng, tổng diện tích 75,75 m²" in text
    assert document.template_version == pdf.TEMPLATE_VERSION
    assert document.sha256 == hashlib.sha256(document.blob.content).hexdigest()


def test_fonts_are_embedded(db, licence, pdf_tools):
    document = licence_docs.issue_licence_pdf(licence)
    lines = pdf_tools.fonts(document.blob.content).splitlines()[2:]
    assert lines, "no fonts listed"
    assert any("Liberation-Serif" in line for line in lines)
    for line in lines:
        # columns: name type encoding emb sub uni object ID
        assert re.search(r"\s+yes\s+yes\s+(yes|no)\s+\d+\s+\d+\s*$", line), line


def test_qr_code_decodes_to_the_verification_url_which_shows_the_live_status(app, db, client, licence, pdf_tools):
    document = licence_docs.issue_licence_pdf(licence)
    db.session.commit()
    url = pdf_tools.qr(document.blob.content)
    assert url == f"{app.config['PUBLIC_BASE_URL']}/verify/{licence.verify_token}"

    path = url.removeprefix(app.config["PUBLIC_BASE_URL"])
    page = client.get(path)
    assert page.status_code == 200
    assert 'data-status="valid"' in page.get_data(as_text=True)

    helpers.suspend(licence)
    db.session.commit()
    page = client.get(path)
    assert 'data-status="suspended"' in page.get_data(as_text=True)
    # the printed document itself did not change
    assert pdf_tools.qr(db.session.get(IssuedDocument, document.id).blob.content) == url


def test_reprint_returns_identical_bytes_even_after_venue_and_signer_change(db, client, login, licence):
    document = licence_docs.issue_licence_pdf(licence)
    db.session.commit()
    issued = document.blob.content
    login("clerk")

    first = client.get(f"/documents/{document.id}.pdf")
    assert first.status_code == 200
    assert first.data == issued

    licence.venue.name = "Karaoke Đổi Tên Mới"
    licence.licence_type.default_signer.full_name = "Lê Thị Khác"
    db.session.commit()
    again, created = licence_docs.ensure_licence_pdf(licence)
    db.session.commit()
    assert (again.id, created) == (document.id, False)

    second = client.get(f"/documents/{document.id}.pdf")
    assert second.data == issued
    assert second.headers["X-Document-SHA256"] == hashlib.sha256(issued).hexdigest()
    assert db.session.execute(select(func.count()).select_from(IssuedDocument)).scalar_one() == 1


def test_a_template_change_never_alters_an_issued_pdf(db, client, login, licence, monkeypatch, tmp_path,
                                                      pdf_tools):
    document = licence_docs.issue_licence_pdf(licence)
    db.session.commit()
    issued = document.blob.content

    # a new template version whose text differs, picked up by a fresh renderer
    templates = tmp_path / "templates"
    shutil.copytree(pdf.TEMPLATES_DIR / "documents", templates / "documents")
    licence_html = templates / "documents" / "pdf" / "licence.html"
    licence_html.write_text(licence_html.read_text(encoding="utf-8").replace(
        "{{ L.grant[kind] }}", "MẪU MỚI {{ L.grant[kind] }}"), encoding="utf-8")
    monkeypatch.setattr(pdf, "TEMPLATES_DIR", templates)
    monkeypatch.setattr(pdf, "TEMPLATE_VERSION", "licence-2099.9")
    monkeypatch.setattr(pdf, "_renderer", None)

    login("clerk")
    assert client.get(f"/documents/{document.id}.pdf").data == issued
    again, created = licence_docs.ensure_licence_pdf(licence)
    assert not created and again.blob.content == issued

    # the new template is live: a document issued now uses it and records its version
    translation = licence_docs.issue_licence_pdf(licence, lang="en")
    db.session.commit()
    assert translation.template_version == "licence-2099.9"
    assert "MẪU MỚI" in pdf_tools.text(translation.blob.content)
    assert "MẪU MỚI" not in pdf_tools.text(issued)
    assert db.session.get(IssuedDocument, document.id).template_version != "licence-2099.9"


def test_only_one_original_per_licence_and_language(db, licence):
    first, created = licence_docs.ensure_licence_pdf(licence)
    assert created
    second, created = licence_docs.ensure_licence_pdf(licence)
    assert not created and second.id == first.id
    db.session.commit()
    with pytest.raises(IntegrityError):
        licence_docs.issue_licence_pdf(licence)
    db.session.rollback()


def test_clerk_prints_a_marked_copy_which_is_recorded(db, client, login, licence, pdf_tools):
    original = licence_docs.issue_licence_pdf(licence)
    db.session.commit()
    clerk = login("clerk")

    response = client.post(f"/documents/licences/{licence.id}/copy", data={"lang": "vi"})
    assert response.status_code == 302
    copies = db.session.execute(select(IssuedDocument).where(
        IssuedDocument.kind == DocumentKind.LICENCE_COPY)).scalars().all()
    assert len(copies) == 1
    copy = copies[0]
    assert copy.issued_by_id == clerk.id and copy.licence_id == licence.id
    assert copy.sha256 != original.sha256
    assert "BẢN SAO" in pdf_tools.text(copy.blob.content)
    assert "BẢN SAO" not in pdf_tools.text(original.blob.content)
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action == "document.issue",
                                                         AuditEvent.entity_id == copy.id)).scalars().all()
    assert len(events) == 1 and events[0].actor_id == clerk.id and events[0].venue_id == licence.venue_id

    client.post(f"/documents/licences/{licence.id}/copy", data={"lang": "vi"})
    assert db.session.execute(select(func.count()).select_from(IssuedDocument).where(
        IssuedDocument.kind == DocumentKind.LICENCE_COPY)).scalar_one() == 2


def test_english_translation_is_issued_once_on_demand(db, client, login, licence, pdf_tools):
    licence_docs.issue_licence_pdf(licence)
    db.session.commit()
    login("manager")
    for _ in range(2):
        assert client.post(f"/documents/licences/{licence.id}/issue", data={"lang": "en"}).status_code == 302
    translations = db.session.execute(select(IssuedDocument).where(IssuedDocument.lang == "en")).scalars().all()
    assert len(translations) == 1
    text = flat(pdf_tools.text(translations[0].blob.content))
    assert "SOCIALIST REPUBLIC OF VIET NAM" in text
    assert "BUSINESS LICENCE FOR KARAOKE SERVICES" in text
    assert "UNOFFICIAL TRANSLATION · THE VIETNAMESE ORIGINAL PREVAILS" in text
    assert translations[0].template_name == licence_docs.TRANSLATION_TEMPLATE


def test_legacy_licence_without_pdf_is_generated_from_the_page(db, client, login, licence):
    login("clerk")
    page = client.get(f"/documents/licences/{licence.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No PDF has been stored" in page and 'data-testid="generate-pdf"' in page
    assert client.post(f"/documents/licences/{licence.id}/issue", data={"lang": "vi"}).status_code == 302
    assert licence_docs.original_document(licence.id) is not None


def test_download_headers_and_caching(db, client, login, licence):
    document = licence_docs.issue_licence_pdf(licence)
    db.session.commit()
    login("inspector")
    response = client.get(f"/documents/{document.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".pdf" in disposition and "/" not in disposition
    assert response.headers["ETag"].strip('"') == document.sha256
    cached = client.get(f"/documents/{document.id}.pdf", headers={"If-None-Match": f'"{document.sha256}"'})
    assert cached.status_code == 304 and cached.data == b""


def test_access_to_documents(db, client, login, licence):
    document = licence_docs.issue_licence_pdf(licence)
    db.session.commit()
    anonymous = client.get(f"/documents/{document.id}.pdf")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    assert client.get("/documents/999999.pdf").status_code == 302

    login("inspector")  # may view, may not print
    assert client.get(f"/documents/{document.id}.pdf").status_code == 200
    assert client.get("/documents/999999.pdf").status_code == 404
    assert client.post(f"/documents/licences/{licence.id}/copy", data={"lang": "vi"}).status_code == 403
    assert client.post(f"/documents/licences/{licence.id}/issue", data={"lang": "en"}).status_code == 403
    page = client.get(f"/documents/licences/{licence.id}").get_data(as_text=True)
    assert 'data-testid="print-copy"' not in page


def test_bad_form_input_is_refused_without_a_500(db, client, login, licence):
    login("clerk")
    for lang in ("fr", "\x00", "x" * 10_000):
        assert client.post(f"/documents/licences/{licence.id}/issue", data={"lang": lang}).status_code == 400
    assert client.post("/documents/licences/999999/copy", data={"lang": "vi"}).status_code == 404
    assert db.session.execute(select(func.count()).select_from(IssuedDocument)).scalar_one() == 0


def test_copy_needs_a_csrf_token(app, db, client, login, licence):
    licence_docs.issue_licence_pdf(licence)
    db.session.commit()
    login("clerk")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/documents/licences/{licence.id}/copy", data={"lang": "vi"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_documents_panel_lists_hash_version_issuer_and_scan_count(app, db, client, login, licence):
    clerk = login("clerk")
    client.post(f"/documents/licences/{licence.id}/issue", data={"lang": "vi"})
    client.post(f"/documents/licences/{licence.id}/copy", data={"lang": "vi"})
    for _ in range(3):
        client.get(f"/verify/{licence.verify_token}")
    page = client.get(f"/documents/licences/{licence.id}").get_data(as_text=True)
    documents = licence_docs.original_document(licence.id)
    assert documents.sha256[:12] in page
    assert pdf.TEMPLATE_VERSION in page
    assert clerk.full_name in page
    assert 'data-testid="scan-count"' in page and "3" in re.search(r'data-testid="scan-count">(.*?)</span>',
                                                                     page, re.S).group(1)
    assert f'href="/documents/{documents.id}.pdf"' in page


def test_documents_panel_runs_a_fixed_number_of_queries(app, db, client, login):
    from sqlalchemy import event

    def count_queries(licence) -> int:
        statements = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            with app.test_request_context("/"):
                from flask import render_template_string

                render_template_string('{% include "documents/_licence_documents.html" %}', licence=licence)
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return len(statements)

    login("clerk")
    one, many = helpers.make_licence(), helpers.make_licence()
    licence_docs.issue_licence_pdf(one)
    licence_docs.issue_licence_pdf(many)
    for _ in range(6):
        licence_docs.issue_licence_copy(many)
    db.session.commit()
    count_queries(one), count_queries(many)  # load the licences themselves
    assert count_queries(one) == count_queries(many) == 3


def test_blobs_are_stored_once_per_content(db, licence):
    a = licence_docs.issue_licence_copy(licence)
    b = licence_docs.issue_licence_copy(licence)
    db.session.commit()
    assert a.id != b.id and a.blob_id == b.blob_id
    assert db.session.execute(select(func.count()).select_from(DocumentBlob)).scalar_one() == 1


def test_household_licence_renders(db, pdf_tools):
    from registry.venues.models import OperatorKind

    operator = make_operator(kind=OperatorKind.HOUSEHOLD, name="Hộ kinh doanh Nguyễn Thị Hoa")
    venue = make_venue(operator, name="Karaoke Hoa Mai")
    licence = helpers.make_licence(venue)
    text = flat(pdf_tools.text(licence_docs.issue_licence_pdf(licence).blob.content))
    assert "Karaoke Hoa Mai" in text and "Hộ kinh doanh Nguyễn Thị Hoa" in text

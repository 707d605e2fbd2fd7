"""``flask permits print``: stored PDFs are copied byte for byte; legacy licences are rendered once and stored."""
from __future__ import annotations

import hashlib
from datetime import date

from pypdf import PdfReader
from sqlalchemy import func, select

from registry.documents import batch
from registry.documents import licences as licence_docs
from registry.documents.models import DocumentKind, IssuedDocument
from tests.documents import helpers


def _count(db) -> int:
    return db.session.execute(select(func.count()).select_from(IssuedDocument).where(
        IssuedDocument.kind == DocumentKind.LICENCE)).scalar_one()


def test_print_to_folder_copies_stored_and_renders_legacy_once(db, runner, tmp_path):
    printed = helpers.make_licence(issued_on=date(2025, 3, 1))
    legacy = [helpers.make_licence(issued_on=date(2024, 5, 1)), helpers.make_licence(issued_on=date(2024, 6, 1))]
    stored = licence_docs.issue_licence_pdf(printed)
    db.session.commit()
    stored_bytes = stored.blob.content

    out = tmp_path / "out"
    result = runner.invoke(args=["permits", "print", "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "3 licences: 2 rendered for the first time and stored, 3 copied" in result.output
    assert _count(db) == 3
    files = sorted(p for p in out.iterdir() if p.suffix == ".pdf")
    assert len(files) == 3
    name = batch.file_name(printed.number_display, printed.year, "vi")
    assert (out / name).read_bytes() == stored_bytes
    sums = dict(reversed(line.split("  ")) for line in (out / "SHA256SUMS").read_text().splitlines())
    for path in files:
        assert sums[path.name] == hashlib.sha256(path.read_bytes()).hexdigest()
    for lic in legacy:
        assert licence_docs.original_document(lic.id) is not None

    # a second run renders nothing and writes the same bytes
    before = {p.name: p.read_bytes() for p in files}
    again = runner.invoke(args=["permits", "print", "--out", str(out)])
    assert again.exit_code == 0 and "0 rendered" in again.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.suffix == ".pdf"} == before
    assert _count(db) == 3


def test_issued_documents_are_never_rendered_again(db, runner, tmp_path, monkeypatch):
    from registry.documents import pdf

    lic = helpers.make_licence()
    licence_docs.issue_licence_pdf(lic)
    db.session.commit()

    def refuse(*args, **kwargs):
        raise AssertionError("an issued document was rendered again")

    monkeypatch.setattr(pdf, "render_pdf", refuse)
    result = runner.invoke(args=["permits", "print", "--out", str(tmp_path / "o"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "1 copied" in result.output


def test_merged_file_has_every_licence(db, runner, tmp_path):
    for _ in range(3):
        helpers.make_licence()
    db.session.commit()
    target = tmp_path / "run.pdf"
    result = runner.invoke(args=["permits", "print", "--merged", str(target), "--workers", "1"])
    assert result.exit_code == 0, result.output
    reader = PdfReader(target)
    assert len(reader.pages) == 3
    assert len(reader.outline) == 3


def test_filters(db, runner, tmp_path):
    keep = helpers.make_licence(issued_on=date(2025, 4, 1))
    helpers.suspend(keep)
    helpers.make_licence(issued_on=date(2025, 4, 2))
    helpers.make_licence(issued_on=date(2023, 1, 2), status="revoked")
    db.session.commit()

    ids = batch.select_licences(batch.PrintFilters(status="suspended"))
    assert ids == [keep.id]
    ids = batch.select_licences(batch.PrintFilters(issued_from=date(2025, 1, 1), issued_to=date(2025, 12, 31)))
    assert len(ids) == 2
    ids = batch.select_licences(batch.PrintFilters(type_code="T-KARAOKE", area_code=keep.venue.ward.code))
    assert keep.id in ids

    out = tmp_path / "s"
    result = runner.invoke(args=["permits", "print", "--status", "suspended", "--out", str(out), "--lang", "en",
                                 "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir() if p.suffix == ".pdf"] == [batch.file_name(keep.number_display,
                                                                                     keep.year, "en")]
    assert licence_docs.original_document(keep.id, "en") is not None


def test_bad_arguments_fail_cleanly(db, runner, tmp_path):
    helpers.make_licence()
    db.session.commit()
    both = runner.invoke(args=["permits", "print", "--out", str(tmp_path), "--merged", str(tmp_path / "x.pdf")])
    assert both.exit_code == 1 and "exactly one" in both.output
    neither = runner.invoke(args=["permits", "print"])
    assert neither.exit_code == 1
    unknown = runner.invoke(args=["permits", "print", "--type", "NOPE", "--out", str(tmp_path)])
    assert unknown.exit_code == 1 and "NOPE" in unknown.output
    area = runner.invoke(args=["permits", "print", "--district", "XX", "--out", str(tmp_path)])
    assert area.exit_code == 1
    dates = runner.invoke(args=["permits", "print", "--issued-from", "2025-13-01", "--out", str(tmp_path)])
    assert dates.exit_code == 2
    nothing = runner.invoke(args=["permits", "print", "--status", "ceased", "--out", str(tmp_path / "n")])
    assert nothing.exit_code == 0 and "No licence matches" in nothing.output

"""Batch printing: copy the STORED licence PDFs of many licences into a folder or one merged file.

An issued PDF is never rendered again: its stored bytes are copied. A licence with no stored PDF yet (imported from
the old register) is rendered once — in a pool of worker processes, each with its own warmed-up WeasyPrint — and
stored like any issued document (with its SHA-256, template version and audit event), then copied.

The pool is used for rendering only: copying stored bytes is I/O that a single process does faster than it could
ship the bytes to workers.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select

from registry.documents.models import DocumentBlob, DocumentKind, IssuedDocument
from registry.extensions import db

#: Licences rendered per round trip to the pool (and committed together).
RENDER_CHUNK = 32
#: Stored PDFs read from the database per query when copying.
COPY_CHUNK = 200

Progress = Callable[[int], None]


@dataclass
class PrintFilters:
    """Which licences to print (all given filters must match)."""

    type_code: str | None = None
    status: str | None = None
    area_code: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None


@dataclass
class PrintResult:
    licences: int = 0
    rendered: int = 0
    copied: int = 0
    files: list[Path] = field(default_factory=list)
    merged: Path | None = None


class BatchError(ValueError):
    """The filters name something that does not exist."""


def select_licences(filters: PrintFilters) -> list[int]:
    """Ids of the licences matching ``filters``, in number order (year, symbol, number)."""
    from registry.licences.models import Licence, LicenceStatus, LicenceType
    from registry.reference.models import AdminUnit, UnitLevel
    from registry.venues.models import Venue

    stmt = select(Licence.id).join(Venue, Venue.id == Licence.venue_id)
    if filters.type_code:
        type_id = db.session.execute(select(LicenceType.id).where(LicenceType.code == filters.type_code)
                                     ).scalar_one_or_none()
        if type_id is None:
            raise BatchError(f"no licence type with code {filters.type_code!r}")
        stmt = stmt.where(Licence.licence_type_id == type_id)
    if filters.status:
        try:
            stmt = stmt.where(Licence.status == LicenceStatus(filters.status))
        except ValueError:
            raise BatchError(f"unknown status {filters.status!r}") from None
    if filters.area_code:
        unit = db.session.execute(select(AdminUnit).where(AdminUnit.code == filters.area_code)).scalar_one_or_none()
        if unit is None:
            raise BatchError(f"no district, ward or commune with code {filters.area_code!r}")
        column = Venue.district_id if unit.level == UnitLevel.DISTRICT else Venue.ward_id
        stmt = stmt.where(column == unit.id)
    if filters.issued_from:
        stmt = stmt.where(Licence.issued_on >= filters.issued_from)
    if filters.issued_to:
        stmt = stmt.where(Licence.issued_on <= filters.issued_to)
    return list(db.session.execute(stmt.order_by(Licence.year, Licence.symbol, Licence.number, Licence.id)).scalars())


def _stored_ids(licence_ids: list[int], lang: str) -> set[int]:
    found: set[int] = set()
    for i in range(0, len(licence_ids), 1000):
        chunk = licence_ids[i:i + 1000]
        found.update(db.session.execute(select(IssuedDocument.licence_id).where(
            IssuedDocument.licence_id.in_(chunk), IssuedDocument.kind == DocumentKind.LICENCE,
            IssuedDocument.lang == lang)).scalars())
    return found


# ----------------------------------------------------------------------------------------------- worker side

def _init_worker() -> None:
    """Pool initializer: build this process's renderer once (fonts, CSS, templates) before the first document."""
    from registry.documents import pdf

    quiet_weasyprint()
    pdf.warm_up()


def quiet_weasyprint() -> None:
    """WeasyPrint logs every layout step at INFO; a batch of thousands would bury the progress bar."""
    logging.getLogger("weasyprint").setLevel(logging.WARNING)


def _render(job: tuple[str, dict]) -> bytes:
    from registry.documents import pdf

    template, context = job
    return pdf.render_pdf(template, context)


def _pool(workers: int) -> ProcessPoolExecutor:
    # fork: workers start in milliseconds and never touch the parent's database connections (they only render)
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"), initializer=_init_worker)


# ----------------------------------------------------------------------------------------------- main side

def render_missing(licence_ids: list[int], *, lang: str = "vi", workers: int = 2, issued_by=None,
                   progress: Progress | None = None) -> int:
    """Render and store, once, the PDF of every licence in ``licence_ids`` that has none in ``lang``.

    Pipelined: while the workers render one chunk, this process builds the next chunk's contexts and stores the
    previous chunk's PDFs, so the workers never wait. Commits after each chunk (a crash keeps what was stored).
    :returns: how many were rendered.
    """
    from registry.documents import pdf
    from registry.documents.licences import LICENCE_TEMPLATE, TRANSLATION_TEMPLATE, licence_context
    from registry.documents.services import store_rendered
    from registry.licences.models import Licence

    stored = _stored_ids(licence_ids, lang)
    missing = [i for i in licence_ids if i not in stored]
    if not missing:
        return 0
    template = TRANSLATION_TEMPLATE if lang == "en" else LICENCE_TEMPLATE
    executor = _pool(workers) if workers > 1 else None
    rendered = 0

    def submit(chunk: list[int]):
        rows = db.session.execute(select(Licence).where(Licence.id.in_(chunk))).scalars().all()
        contexts = [licence_context(lic, lang=lang) for lic in rows]
        # plain values: the ORM rows expire at the next commit and would be reloaded one by one
        licences = [SimpleNamespace(id=lic.id, venue_id=lic.venue_id, number_display=lic.number_display)
                    for lic in rows]
        if executor is None:
            return licences, contexts, [_render((template, ctx)) for ctx in contexts]
        return licences, contexts, [executor.submit(_render, (template, ctx)) for ctx in contexts]

    def store(batch) -> int:
        licences, contexts, results = batch
        taken = _stored_ids([lic.id for lic in licences], lang)  # printed by someone else meanwhile: keep theirs
        count = 0
        for lic, ctx, result in zip(licences, contexts, results, strict=True):
            content = result if isinstance(result, bytes) else result.result()
            if lic.id in taken:
                continue
            store_rendered(content, DocumentKind.LICENCE, template, ctx, title=lic.number_display,
                           template_version=pdf.TEMPLATE_VERSION, number=lic.number_display, lang=lang,
                           licence=lic, issued_by=issued_by)
            count += 1
            if progress:
                progress(1)
        db.session.commit()  # the session holds committed rows only weakly: memory stays flat
        return count

    try:
        pending = None
        for start in range(0, len(missing), RENDER_CHUNK):
            current = submit(missing[start:start + RENDER_CHUNK])
            if pending is not None:
                rendered += store(pending)
            pending = current
        if pending is not None:
            rendered += store(pending)
    finally:
        if executor:
            executor.shutdown(cancel_futures=True)
    return rendered


def stored_pdfs(licence_ids: list[int], lang: str = "vi") -> Iterator[tuple[int, str, int, str, bytes]]:
    """``(licence_id, number_display, year, sha256, bytes)`` of each licence's stored original, in the given order."""
    from registry.licences.models import Licence

    for start in range(0, len(licence_ids), COPY_CHUNK):
        chunk = licence_ids[start:start + COPY_CHUNK]
        rows = db.session.execute(
            select(IssuedDocument.licence_id, Licence.number_display, Licence.year, DocumentBlob.sha256,
                   DocumentBlob.content)
            .join(DocumentBlob, DocumentBlob.id == IssuedDocument.blob_id)
            .join(Licence, Licence.id == IssuedDocument.licence_id)
            .where(IssuedDocument.licence_id.in_(chunk), IssuedDocument.kind == DocumentKind.LICENCE,
                   IssuedDocument.lang == lang)).all()
        by_id = {r[0]: r for r in rows}
        for licence_id in chunk:
            if licence_id in by_id:
                yield tuple(by_id[licence_id])


def file_name(number_display: str, year: int, lang: str) -> str:
    """``15-GP-SVHTT_2025_vi.pdf`` (ASCII, no path separators)."""
    from registry.documents.services import _ascii_slug

    return f"{_ascii_slug(number_display) or 'licence'}_{year}_{lang}.pdf"


def copy_to_folder(licence_ids: list[int], out_dir: Path, *, lang: str = "vi",
                   progress: Progress | None = None) -> list[Path]:
    """Write each stored PDF byte for byte into ``out_dir`` plus a ``SHA256SUMS`` file (``sha256sum -c`` checks it).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    used: set[str] = set()
    sums: list[str] = []
    for licence_id, number_display, year, sha256, content in stored_pdfs(licence_ids, lang):
        name = file_name(number_display, year, lang)
        if name in used:
            name = name.replace(".pdf", f"_{licence_id}.pdf")
        used.add(name)
        path = out_dir / name
        tmp = path.with_suffix(".pdf.part")
        tmp.write_bytes(content)
        os.replace(tmp, path)
        if hashlib.sha256(content).hexdigest() != sha256:
            raise RuntimeError(f"stored document of licence {number_display} does not match its SHA-256")
        sums.append(f"{sha256}  {name}")
        written.append(path)
        if progress:
            progress(1)
    (out_dir / "SHA256SUMS").write_text("\n".join(sums) + ("\n" if sums else ""), encoding="ascii")
    return written


def merge_to_file(licence_ids: list[int], target: Path, *, lang: str = "vi", progress: Progress | None = None) -> int:
    """Concatenate the stored PDFs into one file for a print run (pypdf); :returns: the number of documents."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    count = 0
    for _licence_id, number_display, _year, _sha, content in stored_pdfs(licence_ids, lang):
        reader = PdfReader(io.BytesIO(content))
        writer.append(reader, outline_item=number_display)
        count += 1
        if progress:
            progress(1)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    with open(tmp, "wb") as fh:
        writer.write(fh)
    os.replace(tmp, target)
    return count


def print_licences(filters: PrintFilters, *, lang: str = "vi", out_dir: Path | None = None,
                   merged: Path | None = None, workers: int = 2, issued_by=None,
                   progress_factory: Callable[[str, int], object] | None = None) -> PrintResult:
    """Select, render what was never rendered, then copy or merge. ``progress_factory(label, length)`` returns a
    context manager with ``update(n)`` (``click.progressbar``)."""
    if (out_dir is None) == (merged is None):
        raise BatchError("give exactly one of an output folder or a merged file")
    ids = select_licences(filters)
    result = PrintResult(licences=len(ids))
    if not ids:
        return result

    def run(label: str, length: int, fn):
        if progress_factory is None or length == 0:
            return fn(None)
        with progress_factory(label, length) as bar:
            return fn(bar.update)

    missing = len(ids) - len(_stored_ids(ids, lang))
    result.rendered = run("Rendering", missing, lambda p: render_missing(ids, lang=lang, workers=workers,
                                                                         issued_by=issued_by, progress=p))
    if out_dir is not None:
        result.files = run("Copying", len(ids), lambda p: copy_to_folder(ids, out_dir, lang=lang, progress=p))
        result.copied = len(result.files)
    else:
        result.copied = run("Merging", len(ids), lambda p: merge_to_file(ids, merged, lang=lang, progress=p))
        result.merged = merged
    return result


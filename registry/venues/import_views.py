"""Import venues and operators from CSV or XLSX: upload → preview with line-numbered errors → commit all or nothing.

Between preview and commit the file waits under ``DATA_DIR/imports`` with a random name (and who uploaded it);
the commit reads and checks it again, so what is written is exactly what the last check accepted.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from registry.common.exports import csv_rows
from registry.common.permissions import Permission, require
from registry.common.statistics import BULK_ROWS, refresh_statistics
from registry.extensions import db
from registry.venues import import_files, imports, services
from registry.venues.forms import ImportCommitForm, ImportForm
from registry.venues.services import VenueError

bp = Blueprint("imports", __name__, url_prefix="/venues/import")

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEEP_SECONDS = 24 * 3600
PREVIEW_ROWS = 20


def _folder() -> Path:
    folder = Path(current_app.config["DATA_DIR"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    """Forget uploads nobody committed within a day."""
    limit = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _read_upload(storage, max_bytes: int) -> bytes:
    data = storage.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise import_files.ImportFileError(import_files.too_large_message(max_bytes))
    return data


def _render_upload(form, status: int = 200):
    return render_template("venues/import.html", form=form, columns=import_files.COLUMNS,
                           max_size=import_files.size_text(current_app.config["IMPORT_MAX_BYTES"])), status


def _safe_name(filename: str) -> str:
    name = Path(filename or "upload").name
    return "".join(c for c in name if c.isprintable())[:120] or "upload"


@bp.get("/")
@require(Permission.VENUE_IMPORT)
def index():
    """The upload form and the documentation of the columns."""
    return _render_upload(ImportForm())


@bp.get("/template.csv")
@require(Permission.VENUE_IMPORT)
def template():
    """A CSV with the expected header and two example lines."""
    header, rows = import_files.template_rows()
    return Response("".join(csv_rows(header, rows)), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="venues-import-template.csv"'})


@bp.post("/preview")
@require(Permission.VENUE_IMPORT)
def preview():
    """Check an uploaded file and show what committing would create, or every error by line."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _render_upload(form, 400)
    storage = form.file.data
    filename = _safe_name(storage.filename)
    try:
        data = _read_upload(storage, current_app.config["IMPORT_MAX_BYTES"])
        table = import_files.read_table(filename, data, max_bytes=current_app.config["IMPORT_MAX_BYTES"])
    except import_files.ImportFileError as exc:
        form.file.errors = [str(exc)]
        return _render_upload(form, 400)
    result = imports.check_rows(table)
    token = None
    if result.ok:
        folder = _folder()
        _sweep(folder)
        token = secrets.token_hex(16)
        (folder / f"{token}.data").write_bytes(data)
        (folder / f"{token}.json").write_text(json.dumps({
            "user_id": current_user.id, "filename": filename, "sha256": hashlib.sha256(data).hexdigest()}))
    return render_template("venues/import_preview.html", result=result, filename=filename, token=token,
                           commit_form=ImportCommitForm(token=token), sample=result.rows[:PREVIEW_ROWS])


@bp.post("/commit")
@require(Permission.VENUE_IMPORT)
def commit():
    """Import a previewed file, all or nothing."""
    form = ImportCommitForm()
    token = form.token.data or ""
    if not form.validate_on_submit() or not _TOKEN.match(token):
        abort(400)
    folder = _folder()
    data_path, meta_path = folder / f"{token}.data", folder / f"{token}.json"
    if not data_path.exists() or not meta_path.exists():
        flash(_("This upload has expired or was already imported. Upload the file again."), "warning")
        return redirect(url_for(".index"))
    meta = json.loads(meta_path.read_text())
    if meta.get("user_id") != current_user.id:
        abort(403)
    data = data_path.read_bytes()
    try:
        table = import_files.read_table(meta["filename"], data, max_bytes=len(data) + 1)
    except import_files.ImportFileError as exc:
        flash(str(exc), "danger")
        return redirect(url_for(".index"))
    result = imports.check_rows(table)
    if result.ok:
        try:
            outcome = services.import_rows(result.rows, filename=meta["filename"], by_user_id=current_user.id)
            db.session.commit()
            if len(result.rows) >= BULK_ROWS:
                refresh_statistics()
                db.session.commit()
        except (VenueError, IntegrityError) as exc:
            db.session.rollback()
            message = str(exc) if isinstance(exc, VenueError) else _(
                "The register changed while importing (a registration number or reference is now taken). "
                "Nothing was imported; check the file again.")
            flash(message, "danger")
            return redirect(url_for(".index"))
        data_path.unlink(missing_ok=True)
        meta_path.unlink(missing_ok=True)
        flash(_("Imported %(venues)d venues, %(operators)d new operators and %(rooms)d rooms from %(file)s.",
                venues=outcome.venues, operators=outcome.operators, rooms=outcome.rooms, file=meta["filename"]),
              "success")
        return redirect(url_for("venues.index", sort="newest"))
    data_path.unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)
    return render_template("venues/import_preview.html", result=result, filename=meta["filename"], token=None,
                           commit_form=None, sample=[]), 409

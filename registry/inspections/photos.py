"""Inspection photos: checked, re-encoded with Pillow and stored outside the web root.

* Only JPEG and PNG, recognised by their first bytes (the name and the browser's type are not trusted); a file
  named ``.jpg`` that is really HTML is refused. A name with a path in it is refused too.
* At most ``INSPECTION_PHOTO_MAX_BYTES`` (8 MB by default) and ``INSPECTION_PHOTO_MAX_PIXELS`` (40 megapixels)
  before decoding, so a decompression bomb is never expanded.
* The image is decoded and re-encoded (JPEG quality 85 or PNG, longest side at most
  ``INSPECTION_PHOTO_MAX_EDGE`` px): nothing but pixels survives. The GPS position is copied over only when the
  inspector ticked "keep location"; every other metadata field is dropped.
* Stored as ``DATA_DIR/photos/<inspection id>/<random hex>.<jpg|png>``; served only through the inspection views,
  which check access, with ``Content-Disposition`` and ``nosniff``.
"""
from __future__ import annotations

import hashlib
import io
import os
import secrets
import warnings
from decimal import Decimal
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from registry.common import audit
from registry.extensions import db
from registry.inspections.models import Inspection, InspectionPhoto
from registry.inspections.services import InspectionError, _require_open

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ALLOWED_EXTENSIONS = {".jpg", ".jpeg", ".png"}
GPS_IFD = 0x8825


class PhotoError(InspectionError):
    """An upload that is refused; the message says why."""

    def __init__(self, message: str):
        super().__init__(message, "photo")


def _config(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def photos_root() -> Path:
    """``DATA_DIR/photos`` (created on first use)."""
    root = Path(current_app.config["DATA_DIR"]).resolve() / "photos"
    root.mkdir(parents=True, exist_ok=True)
    return root


def photo_path(photo: InspectionPhoto) -> Path:
    """Where the photo's bytes are; refuses anything that would resolve outside the photo folder."""
    root = photos_root()
    path = (root / str(photo.inspection_id) / photo.stored_name).resolve()
    if os.path.commonpath([path, root]) != str(root):
        raise PhotoError(_("This photo is not available."))
    return path


def _check_name(filename: str | None) -> str:
    name = filename or ""
    if not name or "/" in name or "\\" in name or ".." in name or "\x00" in name or len(name) > 255:
        raise PhotoError(_("The file name is not acceptable. Rename the photo (e.g. photo.jpg) and try again."))
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise PhotoError(_("Only JPEG or PNG photos can be added."))
    return ext


def _read_limited(stream, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise PhotoError(_("The photo is larger than %(mb)d MB. Take it at a lower resolution or choose a smaller "
                           "file.", mb=max(1, limit // (1024 * 1024))))
    if not data:
        raise PhotoError(_("The file is empty."))
    return data


def _gps_decimal(gps: dict) -> tuple[Decimal, Decimal] | None:
    """Latitude and longitude from an EXIF GPS IFD, or None if incomplete."""
    try:
        def deg(values, ref):
            d, m, s = (float(v) for v in values)
            value = d + m / 60 + s / 3600
            return -value if ref in ("S", "W") else value

        lat = deg(gps[2], gps.get(1, "N"))
        lng = deg(gps[4], gps.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


def reencode(data: bytes, *, keep_location: bool) -> tuple[bytes, str, int, int, tuple | None]:
    """Decode and re-encode an uploaded image.

    :returns: (bytes, "jpg"|"png", width, height, (lat, lng) or None)
    :raises PhotoError: unknown format, too many pixels, or an image Pillow cannot read.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if data.startswith(JPEG_MAGIC):
        kind = "jpg"
    elif data.startswith(PNG_MAGIC):
        kind = "png"
    else:
        raise PhotoError(_("This file is not a JPEG or PNG photo."))
    max_pixels = _config("INSPECTION_PHOTO_MAX_PIXELS", 40_000_000)
    max_edge = _config("INSPECTION_PHOTO_MAX_EDGE", 2560)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ("JPEG", "PNG") or (image.format == "JPEG") != (kind == "jpg"):
                raise PhotoError(_("This file is not a JPEG or PNG photo."))
            width, height = image.size
            if width * height > max_pixels:
                raise PhotoError(_("The photo has too many pixels. Take it at a lower resolution."))
            exif = image.getexif()
            gps = dict(exif.get_ifd(GPS_IFD)) if keep_location else {}
            image.load()
            image = ImageOps.exif_transpose(image)
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise PhotoError(_("The photo could not be read. It may be damaged; take it again.")) from exc
    if max(image.size) > max_edge:
        image.thumbnail((max_edge, max_edge))
    location = _gps_decimal(gps) if gps else None
    out = io.BytesIO()
    new_exif = None
    if location is not None:
        new_exif = Image.Exif()
        new_exif[GPS_IFD] = gps
    if kind == "jpg":
        image = image.convert("RGB")
        params = {"quality": 85, "optimize": True}
        if new_exif is not None:
            params["exif"] = new_exif.tobytes()
        image.save(out, format="JPEG", **params)
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        params = {"optimize": True}
        if new_exif is not None:
            params["exif"] = new_exif.tobytes()
        image.save(out, format="PNG", **params)
    return out.getvalue(), kind, image.size[0], image.size[1], location


def add_photo(inspection: Inspection, upload, *, keep_location: bool = False, item=None, caption: str | None = None,
              by=None) -> InspectionPhoto:
    """Check, re-encode and store an uploaded photo for an open visit.

    :param upload: a ``werkzeug.datastructures.FileStorage``.
    :raises PhotoError: the file is refused (the message says why). :raises LockedError: the visit is closed.
    """
    _require_open(inspection)
    if item is not None and item.inspection_id != inspection.id:
        raise PhotoError(_("The checklist item does not belong to this visit."))
    _check_name(getattr(upload, "filename", None))
    data = _read_limited(upload.stream, _config("INSPECTION_PHOTO_MAX_BYTES", 8 * 1024 * 1024))
    content, kind, width, height, location = reencode(data, keep_location=keep_location)
    stored_name = f"{secrets.token_hex(16)}.{kind}"
    folder = photos_root() / str(inspection.id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / stored_name
    with open(path, "xb") as fh:
        fh.write(content)
    photo = InspectionPhoto(
        inspection_id=inspection.id, item_id=getattr(item, "id", None), stored_name=stored_name,
        content_type="image/jpeg" if kind == "jpg" else "image/png", size=len(content), width=width, height=height,
        sha256=hashlib.sha256(content).hexdigest(), kept_location=location is not None,
        latitude=location[0] if location else None, longitude=location[1] if location else None,
        caption=caption, uploaded_by_id=getattr(by, "id", None))
    db.session.add(photo)
    db.session.flush()
    audit.record("inspection.photo", photo, {"inspection_id": inspection.id, "sha256": photo.sha256,
                                             "size": photo.size, "kept_location": photo.kept_location},
                 venue_id=inspection.venue_id)
    return photo


def discard_file(photo: InspectionPhoto) -> None:
    """Remove a stored file whose database row was rolled back (best effort)."""
    try:
        photo_path(photo).unlink(missing_ok=True)
    except (OSError, PhotoError):
        pass

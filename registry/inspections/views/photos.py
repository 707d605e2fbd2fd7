"""A visit's photos, served to people who may see the visit."""
from __future__ import annotations

from flask import abort, send_file

from registry.common.permissions import Permission, require
from registry.extensions import db
from registry.inspections.models import InspectionPhoto
from registry.inspections.views.shared import bp, viewable


@bp.get("/<int:inspection_id>/photos/<int:photo_id>")
@require(Permission.INSPECTION_VIEW)
def photo(inspection_id: int, photo_id: int):
    """A photo of the visit, to people who may see the visit (never from the static folder)."""
    from registry.inspections.photos import PhotoError, photo_path

    inspection = viewable(inspection_id)
    item = db.session.get(InspectionPhoto, photo_id)
    if item is None or item.inspection_id != inspection.id:
        abort(404)
    try:
        path = photo_path(item)
    except PhotoError:
        abort(404)
    if not path.is_file():
        abort(404)
    extension = "jpg" if item.content_type == "image/jpeg" else "png"
    response = send_file(path, mimetype=item.content_type, as_attachment=False,
                         download_name=f"inspection-{inspection.id}-photo-{item.id}.{extension}", max_age=0)
    response.headers["Content-Disposition"] = (
        f'inline; filename="inspection-{inspection.id}-photo-{item.id}.{extension}"')
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response

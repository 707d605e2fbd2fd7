"""Photo uploads: only real JPEG/PNG, size-limited, re-encoded, stored outside the web root with generated names,
GPS stripped unless kept, served only to people who may see the visit."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from registry.inspections.models import InspectionPhoto
from tests.inspections.conftest import started

GPS = 0x8825
STATIC = Path(__file__).resolve().parents[2] / "registry" / "static"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "INSPECTION_PHOTO_MAX_BYTES": 300_000}


def jpeg(*, gps: bool = True, size=(640, 480)) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make: must not survive either
    if gps:
        exif[GPS] = {1: "N", 2: (20.0, 51.0, 30.0), 3: "E", 4: (106.0, 41.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 255, 128)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(client, inspection, data: bytes, name: str, **extra):
    return client.post(f"/inspections/{inspection.id}/visit", data={
        "next": "photo", "version_id": inspection.version_id, "photo": (io.BytesIO(data), name), **extra},
        content_type="multipart/form-data", headers={"Accept-Language": "en"})


@pytest.fixture
def visit(karaoke, inspector, sign_in):
    inspection = started(karaoke, inspector)
    sign_in(inspector)
    return inspection


def test_good_jpeg_is_stored_outside_static_with_gps_and_metadata_stripped(client, visit, app, db):
    original = jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS)
    response = upload(client, visit, original, "IMG_2024.jpg")
    assert response.status_code == 302 and response.headers["Location"].endswith("#photos")
    photo = db.session.execute(db.select(InspectionPhoto)).scalar_one()
    assert photo.stored_name.endswith(".jpg") and "IMG_2024" not in photo.stored_name and len(photo.stored_name) == 36
    path = Path(app.config["DATA_DIR"]).resolve() / "photos" / str(visit.id) / photo.stored_name
    assert path.is_file()
    assert STATIC not in path.parents
    stored = Image.open(path)
    assert stored.format == "JPEG" and stored.size == (640, 480)
    exif = stored.getexif()
    assert not exif.get_ifd(GPS) and 0x010F not in exif
    assert not photo.kept_location and photo.latitude is None
    assert path.read_bytes() != original  # re-encoded, not copied

    served = client.get(f"/inspections/{visit.id}/photos/{photo.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline; filename=")
    assert "private" in served.headers["Cache-Control"]
    assert served.data == path.read_bytes()


def test_keep_location_keeps_only_the_gps(client, visit, app, db):
    assert upload(client, visit, jpeg(), "p.jpeg", keep_location="y").status_code == 302
    photo = db.session.execute(db.select(InspectionPhoto)).scalar_one()
    assert photo.kept_location and float(photo.latitude) == pytest.approx(20.858333, abs=1e-5)
    path = Path(app.config["DATA_DIR"]) / "photos" / str(visit.id) / photo.stored_name
    exif = Image.open(path).getexif()
    assert exif.get_ifd(GPS)[2] == (20.0, 51.0, 30.0) and 0x010F not in exif


def test_png_is_accepted_and_re_encoded(client, visit, db):
    assert upload(client, visit, png(), "plan.png").status_code == 302
    photo = db.session.execute(db.select(InspectionPhoto)).scalar_one()
    assert photo.content_type == "image/png" and photo.stored_name.endswith(".png")


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"<html><script>alert(1)</script></html>", "photo.jpg", "not a JPEG or PNG"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "photo.png", "not a JPEG or PNG"),
    (b"\xff\xd8\xff\xe0 not really a jpeg at all", "broken.jpg", "could not be read"),
    (None, "../../../etc/cron.d/evil.jpg", "file name is not acceptable"),
    (None, "..\\..\\evil.jpg", "file name is not acceptable"),
    (None, "photo.svg", "Only JPEG or PNG"),
    (b"", "empty.jpg", "empty"),
])
def test_bad_uploads_are_refused_with_a_message(client, visit, db, app, data, name, message):
    response = upload(client, visit, jpeg(gps=False) if data is None else data, name)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'data-field="photo"' in html
    assert db.session.execute(db.select(InspectionPhoto)).first() is None
    folder = Path(app.config["DATA_DIR"]) / "photos" / str(visit.id)
    assert not folder.exists() or not any(folder.iterdir())
    assert message in html


def test_oversize_photo_is_refused(client, visit, db):
    noise = Image.effect_noise((1500, 1500), 120).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, format="JPEG", quality=98)
    assert len(buffer.getvalue()) > 300_000
    response = upload(client, visit, buffer.getvalue(), "big.jpg")
    assert response.status_code == 400 and "MB" in response.get_data(as_text=True)
    assert db.session.execute(db.select(InspectionPhoto)).first() is None


def test_photos_of_a_cancelled_visit_cannot_be_added(client, visit, db):
    from registry.inspections import services
    from registry.inspections.photos import add_photo

    visit.status = "cancelled"  # locked like a completed visit (which the database refuses without a result)
    db.session.commit()
    with pytest.raises(services.LockedError):
        add_photo(visit, type("Upload", (), {"filename": "a.jpg", "stream": io.BytesIO(jpeg())})())

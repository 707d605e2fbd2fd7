"""The import file format: its columns, and reading an uploaded CSV (UTF-8) or XLSX file into numbered rows.

``read_table`` raises ``ImportFileError`` with a message a clerk can act on (wrong encoding, wrong headers, NUL
bytes, size); checking the values is ``imports.check_rows``'s job.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MAX_ROWS = 200_000

#: The columns of an import file: key, required?, description shown on the import page, example.
COLUMNS: list[tuple[str, bool, object, str]] = [
    ("operator_registration_number", True, _l("Enterprise code or household business certificate number. An "
                                             "operator already registered is reused."), "0201234567"),
    ("operator_name", True, _l("Name of the enterprise or household business (must match the register if the "
                               "operator already exists)."), "Công ty TNHH Giải trí Hoa Sen"),
    ("operator_kind", True, _l("enterprise or household (also: doanh nghiệp, hộ kinh doanh)."), "enterprise"),
    ("operator_registration_date", False, _l("Date of registration: YYYY-MM-DD or DD/MM/YYYY."), "2020-01-15"),
    ("operator_head_office", False, _l("Head office address."), "12 Lạch Tray, Hải Phòng"),
    ("operator_legal_rep", False, _l("Legal representative's full name."), "Nguyễn Văn An"),
    ("operator_security_person", False, _l("Person responsible for security and order."), "Trần Văn Bảo"),
    ("operator_phone", False, _l("Operator's phone number."), "0225 3 800 000"),
    ("venue_name", True, _l("Trading name of the venue."), "Karaoke Hoa Sen"),
    ("venue_kind", True, _l("karaoke, dance_hall, club or sports (also: vũ trường, câu lạc bộ, thể thao)."),
     "karaoke"),
    ("house_number", False, _l("House number."), "25"),
    ("street", False, _l("Street."), "Tô Hiệu"),
    ("ward", True, _l("Ward or commune: its name or its code from the list of administrative units. Wards that "
                      "no longer exist are accepted for older records."), "Phường Lê Chân"),
    ("district", False, _l("Former district, only to tell apart two wards with the same name."), ""),
    ("phone", False, _l("Venue phone number."), "0912 345 678"),
    ("capacity", False, _l("Capacity in people, 0 to 100,000."), "120"),
    ("opens_at", False, _l("Opening time HH:MM."), "08:00"),
    ("closes_at", False, _l("Closing time HH:MM; earlier than the opening time means the next day."), "23:30"),
    ("latitude", False, _l("Latitude in decimal degrees."), "20.844912"),
    ("longitude", False, _l("Longitude in decimal degrees."), "106.688084"),
    ("rooms", False, _l("Karaoke and dance halls: code:area pairs separated by semicolons."),
     "VIP1:24.5; VIP2:30; VIP3:28"),
    ("notes", False, _l("Free text."), ""),
]
HEADERS = [c[0] for c in COLUMNS]
class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, format, headers, size); the message says what to do."""


def size_text(n: int) -> str:
    """A size such as "8 MB" or "2 KB" in the user's number format."""
    from flask_babel import format_decimal

    if n >= 1024 * 1024:
        return f"{format_decimal(round(n / 1024 / 1024, 1))} MB"
    return f"{format_decimal(round(n / 1024, 1))} KB"


def too_large_message(max_bytes: int) -> str:
    """"The file is larger than 8 MB. …" in the user's language."""
    return _("The file is larger than %(size)s. Split it into smaller files.", size=size_text(max_bytes))


@dataclass
class Table:
    """The rows of a file: ``(line number, {column: text})``, header excluded."""

    rows: list[tuple[int, dict[str, str]]]
    kind: str  # "csv" or "xlsx"


def read_table(filename: str, data: bytes, *, max_bytes: int) -> Table:
    """Read an uploaded CSV (UTF-8, with or without BOM) or XLSX file.

    :raises ImportFileError: empty, too large, old .xls, not UTF-8, NUL bytes, unreadable XLSX, wrong headers,
        too many rows.
    """
    if len(data) > max_bytes:
        raise ImportFileError(too_large_message(max_bytes))
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("Old Excel files (.xls) cannot be read. In Excel choose Save As → Excel "
                                "Workbook (.xlsx) or CSV UTF-8."))
    if data.startswith(b"PK\x03\x04"):
        return Table(_rows_from_xlsx(data), "xlsx")
    if filename.lower().endswith(".xlsx"):
        raise ImportFileError(_("This file is not a valid XLSX workbook."))
    return Table(_rows_from_csv(_decode(data)), "csv")


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        raise ImportFileError(_("The file is saved as UTF-16 (Excel's “Unicode text”). In Excel choose Save As "
                                "→ CSV UTF-8 (comma delimited) and upload that file."))
    if b"\x00" in data:
        raise ImportFileError(_("The file contains NUL bytes, which no field may contain. Check that it is a "
                                "CSV text file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(_("The file is not in UTF-8 (line %(line)d). It is probably in a legacy Vietnamese "
                                "encoding such as Windows-1258 (cp1258), VNI or TCVN3. In Excel choose Save As "
                                "→ CSV UTF-8 (comma delimited) and upload that file.", line=line)) from exc


def _looks_utf16(data: bytes) -> bool:
    sample = data[:2000]
    return len(sample) >= 4 and (sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4)


def _rows_from_csv(text: str) -> list[tuple[int, list[str]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, start = [], 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
            if len(rows) > MAX_ROWS + 1:
                raise ImportFileError(_("The file has more than %(n)d rows. Split it into smaller files.",
                                        n=MAX_ROWS))
    except csv.Error as exc:
        raise ImportFileError(_("Line %(line)d could not be read as CSV: check the quotes.", line=start)) from exc
    return _with_header(rows)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "hour"):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows_from_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(_("This file is not a valid XLSX workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            rows.append((number, [_cell(x) for x in values]))
            if len(rows) > MAX_ROWS + 1:
                raise ImportFileError(_("The file has more than %(n)d rows. Split it into smaller files.",
                                        n=MAX_ROWS))
    finally:
        workbook.close()
    return _with_header(rows)


def _with_header(rows: list[tuple[int, list[str]]]) -> list[tuple[int, dict[str, str]]]:
    rows = [(n, cells) for n, cells in rows if any((c or "").strip() for c in cells)]
    if not rows:
        raise ImportFileError(_("The file is empty."))
    _line, header = rows[0]
    names = [(h or "").strip().lstrip("\ufeff").lower() for h in header]
    while names and not names[-1]:
        names.pop()
    missing = [h for h in HEADERS if h not in names]
    unknown = [h for h in names if h not in HEADERS]
    duplicated = sorted({h for h in names if names.count(h) > 1})
    if missing or unknown or duplicated:
        parts = []
        if missing:
            parts.append(_("missing: %(cols)s", cols=", ".join(missing)))
        if unknown:
            parts.append(_("not recognised: %(cols)s", cols=", ".join(h or _("(blank)") for h in unknown)))
        if duplicated:
            parts.append(_("repeated: %(cols)s", cols=", ".join(duplicated)))
        raise ImportFileError(_("The first row must hold exactly these column names (any order): %(expected)s. "
                                "This file's header is wrong — %(problems)s.", expected=", ".join(HEADERS),
                                problems="; ".join(parts)))
    out = []
    for number, cells in rows[1:]:
        if len(cells) > len(names) and any((c or "").strip() for c in cells[len(names):]):
            out.append((number, {"__extra__": "1"}))
            continue
        out.append((number, {name: (cells[i] if i < len(cells) else "") or "" for i, name in enumerate(names)}))
    if not out:
        raise ImportFileError(_("The file has a header but no rows to import."))
    return out


def template_rows() -> tuple[list[str], list[list[str]]]:
    """The header and two example lines of the downloadable template."""
    karaoke = [c[3] for c in COLUMNS]
    sports = dict(zip(HEADERS, karaoke, strict=True)) | {
        "operator_registration_number": "02A8012345", "operator_name": "Hộ kinh doanh Bể bơi Sông Cấm",
        "operator_kind": "household", "operator_registration_date": "15/03/2019", "venue_name": "Bể bơi Sông Cấm",
        "venue_kind": "sports", "house_number": "8", "street": "Bạch Đằng", "capacity": "200", "opens_at": "06:00",
        "closes_at": "21:00", "rooms": "", "latitude": "", "longitude": ""}
    return HEADERS, [karaoke, [sports[h] for h in HEADERS]]

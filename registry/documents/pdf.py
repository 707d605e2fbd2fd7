"""PDF rendering of official documents (Decree 30/2020/NĐ-CP layout) with WeasyPrint.

This module is deliberately independent of Flask and of the database, so the same code runs in
a gunicorn web worker and in a ``ProcessPoolExecutor`` batch worker:

* It imports no model and nothing from Flask. WeasyPrint (~0.35 s to import) and Jinja2 are
  imported lazily on the first render.
* Per process it builds ONE Jinja2 ``Environment`` (templates compiled once, no auto-reload), ONE
  WeasyPrint ``FontConfiguration``, the parsed ``official.css`` and a shared ``cache`` dict, and
  reuses them for every render (PERFORMANCE.md: a new FontConfiguration per document leaks native
  memory). The state is rebuilt if the process id changes, so state created before a fork is
  never shared with the child. Call :func:`warm_up` at worker start (gunicorn ``post_fork`` or the
  pool ``initializer``) so no request pays the ~0.6 s cold start.
* Templates receive plain data (dicts, strings, dates), never ORM objects: the caller builds the
  context, stores :data:`TEMPLATE_VERSION` next to the PDF, and the same context always gives
  byte-identical PDF output.
* Labels are translated with the small :data:`LABELS` dict keyed by ``context["lang"]`` ("vi" or
  "en"), not with Flask-Babel, which is not available in a process pool. Data fields (issuer,
  signer, operator, conditions, legal basis, recipients) are given by the caller in the language
  of the document.
* All resources go through :class:`RestrictedURLFetcher`: only ``data:`` URIs and regular files
  under ``<repo>/registry/static`` are served; anything else (``file:///etc/passwd``,
  ``http://169.254.169.254/``, any http/https/ftp) is refused without touching disk or network.

Public API: :func:`render_pdf`, :func:`render_html`, :func:`html_to_pdf`, :func:`warm_up`,
:func:`qr_data_uri`, :func:`vn_date_line`, :func:`en_date_line`, :func:`sample_licence_context`,
:func:`make_url_fetcher`, :data:`TEMPLATE_VERSION`, :data:`LICENCE_TEMPLATE`.

Context contract of ``documents/pdf/licence.html`` (keys marked * are optional; the form wording
follows DOMAIN.md §1.7 and is **[unverified]** against the official Form 02, so every sentence can
be overridden by the caller)::

    {
      "lang": "vi" | "en",                     # label language, default "vi"
      "doc_kind": "licence",
      "licence_kind": "karaoke" | "dance_hall" | "sports" | "event",
      "number": "15/GP-SVHTT",                 # printed as "Số: 15/GP-SVHTT" / "No.: ..."
      "issued_on": date,                       # date line "Hải Phòng, ngày 05 tháng 02 năm 2025"
      "issued_at": datetime | None,            # UTC; PDF CreationDate/ModDate (omitted if None)
      "place": "Hải Phòng",                    # place of the date line (diacritics dropped in English)
      "issuer": {"parent_body": "UBND THÀNH PHỐ HẢI PHÒNG",
                 "body": "SỞ VĂN HÓA VÀ THỂ THAO",
                 "authority"*: "GIÁM ĐỐC SỞ VĂN HÓA VÀ THỂ THAO"},  # line above "Căn cứ ..."
      "signer": {"prefix": "KT. GIÁM ĐỐC", "position": "PHÓ GIÁM ĐỐC", "name": "Nguyễn Văn A"},
      "title"*: ["GIẤY PHÉP", "ĐỦ ĐIỀU KIỆN ..."],  # title lines; default from licence_kind + lang
      "legal_basis"*: [str],                   # "Căn cứ ..." lines, printed in italics
      "operator": {"name", "kind_label",       # kind_label e.g. "Hộ kinh doanh" / "Doanh nghiệp"
                   "registration_number", "registration_date": date, "registration_issuer",
                   "head_office", "legal_representative"},
      "venue": {"name", "address", "phone"*},
      "rooms"*: [{"code": "VIP1", "area_m2": "24.50"}],   # karaoke / dance_hall; str|Decimal|float
      "room_count"*: int, "total_area_m2"*: str|Decimal,  # computed from rooms when missing
      "sports"*: [{"name": "Bơi, lặn", "note"*: str}],     # sports certificate
      "event"*: {"name", "starts_on": date, "ends_on": date} | None,
      "hours"*: "08:00–24:00", "capacity"*: int | str,
      "conditions"*: [str],                    # holder's duties (54/2019, 148/2024 clause)
      "valid_until"*: date | None,             # None: "valid from the date of signing"
      "supersedes_number"*: str | None,        # "replaces licence No. ..."
      "recipients"*: [str], "archive"*: "VT, QLVH",   # "Nơi nhận" list; last line "- Lưu: VT, QLVH."
      "verify_url": str,                       # encoded in the QR code + "Tra cứu: <url>" caption
      "copy_mark"*: bool,                      # prints the "BẢN SAO" / "COPY" marker
      "template_version"*: str,                # defaults to TEMPLATE_VERSION
    }
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import mimetypes
import os
import threading
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

log = logging.getLogger(__name__)

TEMPLATE_VERSION = "licence-2026.1"
LICENCE_TEMPLATE = "documents/pdf/licence.html"

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = REPO_ROOT / "templates"
STATIC_DIR = REPO_ROOT / "registry" / "static"
CSS_PATH = TEMPLATES_DIR / "documents" / "pdf" / "official.css"
UA_CSS_PATH = TEMPLATES_DIR / "documents" / "pdf" / "print_ua.css"

MAX_STATIC_BYTES = 5 * 1024 * 1024
# The shared WeasyPrint cache keeps every image by URL; per-document data: URIs (QR codes) are
# dropped after each render, and the whole cache is cleared past this size as a safety net.
MAX_CACHE_ENTRIES = 512

LABELS = {
    "vi": {
        "national_name": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto": "Độc lập - Tự do - Hạnh phúc",
        "number": "Số:",
        "copy_mark": "BẢN SAO",
        "titles": {
            "karaoke": ["GIẤY PHÉP", "ĐỦ ĐIỀU KIỆN KINH DOANH DỊCH VỤ KARAOKE"],
            "dance_hall": ["GIẤY PHÉP", "ĐỦ ĐIỀU KIỆN KINH DOANH DỊCH VỤ VŨ TRƯỜNG"],
            "sports": ["GIẤY CHỨNG NHẬN", "ĐỦ ĐIỀU KIỆN KINH DOANH HOẠT ĐỘNG THỂ THAO"],
            "event": ["GIẤY PHÉP", "TỔ CHỨC SỰ KIỆN"],
        },
        "grant": {
            "karaoke": "Cấp phép kinh doanh dịch vụ karaoke cho:",
            "dance_hall": "Cấp phép kinh doanh dịch vụ vũ trường cho:",
            "sports": "Chứng nhận đủ điều kiện kinh doanh hoạt động thể thao cho:",
            "event": "Cấp phép tổ chức sự kiện cho:",
        },
        "operator_name": "Tên doanh nghiệp/hộ kinh doanh",
        "registration": "Giấy chứng nhận đăng ký kinh doanh số",
        "registration_by": "do",
        "registration_on": "cấp ngày",
        "head_office": "Địa chỉ trụ sở chính",
        "legal_representative": "Người đại diện theo pháp luật",
        "venue_name": "Tên địa điểm kinh doanh",
        "venue_address": "Địa điểm kinh doanh",
        "phone": "Điện thoại",
        "rooms_intro": "Số lượng phòng: {count} phòng, tổng diện tích {area} m², cụ thể như sau:",
        "sports_intro": "Danh mục hoạt động thể thao kinh doanh:",
        "event_intro": "Sự kiện",
        "event_period": "từ ngày {start} đến ngày {end}",
        "col_no": "STT",
        "col_room": "Tên/số phòng",
        "col_area": "Diện tích (m²)",
        "col_sport": "Hoạt động thể thao",
        "col_note": "Ghi chú",
        "hours": "Thời gian hoạt động",
        "capacity": "Sức chứa tối đa",
        "capacity_unit": "người",
        "conditions": "Trách nhiệm của doanh nghiệp/hộ kinh doanh:",
        "noun": {"karaoke": "Giấy phép", "dance_hall": "Giấy phép",
                 "sports": "Giấy chứng nhận", "event": "Giấy phép"},
        "validity_open": "{noun} có hiệu lực kể từ ngày ký.",
        "validity_until": "{noun} có hiệu lực kể từ ngày ký đến hết ngày {date}.",
        "supersedes": "{noun} này thay thế {noun} số {number}.",
        "recipients": "Nơi nhận:",
        "archive": "Lưu:",
        "verify": "Tra cứu:",
        "signature_space": "",
    },
    "en": {
        "national_name": "SOCIALIST REPUBLIC OF VIET NAM",
        "motto": "Independence - Freedom - Happiness",
        "number": "No.:",
        "copy_mark": "COPY",
        "titles": {
            "karaoke": ["BUSINESS LICENCE FOR KARAOKE SERVICES"],
            "dance_hall": ["BUSINESS LICENCE FOR DANCE HALL SERVICES"],
            "sports": ["CERTIFICATE OF ELIGIBILITY FOR SPORTS BUSINESS"],
            "event": ["EVENT LICENCE"],
        },
        "grant": {
            "karaoke": "Karaoke services business licence is granted to:",
            "dance_hall": "Dance hall services business licence is granted to:",
            "sports": "This certifies that the following business is eligible to conduct sports activities:",
            "event": "The following event is licensed:",
        },
        "operator_name": "Name of enterprise/household business",
        "registration": "Business registration certificate No.",
        "registration_by": "issued by",
        "registration_on": "on",
        "head_office": "Head office address",
        "legal_representative": "Legal representative",
        "venue_name": "Business name",
        "venue_address": "Business location",
        "phone": "Telephone",
        "rooms_intro": "Number of rooms: {count}, total area {area} m², as follows:",
        "sports_intro": "Sports activities covered:",
        "event_intro": "Event",
        "event_period": "from {start} to {end}",
        "col_no": "No.",
        "col_room": "Room",
        "col_area": "Area (m²)",
        "col_sport": "Sports activity",
        "col_note": "Notes",
        "hours": "Opening hours",
        "capacity": "Maximum capacity",
        "capacity_unit": "persons",
        "conditions": "Duties of the licence holder:",
        "noun": {"karaoke": "licence", "dance_hall": "licence",
                 "sports": "certificate", "event": "licence"},
        "validity_open": "This {noun} takes effect from the date of signing.",
        "validity_until": "This {noun} takes effect from the date of signing until {date}.",
        "supersedes": "This {noun} replaces {noun} No. {number}.",
        "recipients": "Recipients:",
        "archive": "Archived:",
        "verify": "Verify:",
        "signature_space": "",
    },
}

_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


# --------------------------------------------------------------------------- date and number helpers

def as_date(value) -> date | None:
    """A ``date`` from a date, a datetime or an ISO string (contexts stored as JSON hold strings)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_datetime(value) -> datetime | None:
    """A ``datetime`` from a datetime or an ISO string (``str(datetime)`` included)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def vn_day_month(d: date) -> tuple[str, str]:
    """Day and month as Decree 30/2020 writes them: days 1–9 and months 1–2 take a leading 0."""
    day = f"{d.day:02d}" if d.day < 10 else str(d.day)
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return day, month


def vn_date_line(place: str, d: date) -> str:
    """``"Hải Phòng, ngày 05 tháng 02 năm 2025"`` (but ``"ngày 15 tháng 3 năm 2025"``)."""
    d = as_date(d)
    day, month = vn_day_month(d)
    return f"{place}, ngày {day} tháng {month} năm {d.year}"


def strip_diacritics(text: str) -> str:
    """``"Hải Phòng"`` -> ``"Hai Phong"`` (đ/Đ included), for English place names."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def en_date(d: date) -> str:
    """``"5 February 2025"``."""
    d = as_date(d)
    return f"{d.day} {_EN_MONTHS[d.month - 1]} {d.year}"


def en_date_line(place: str, d: date) -> str:
    """``"Hai Phong, 5 February 2025"`` (Vietnamese diacritics are dropped from the place)."""
    return f"{strip_diacritics(place)}, {en_date(d)}"


def vn_date(d: date) -> str:
    """``"05/02/2025"`` (short form used inside the body, e.g. registration dates)."""
    d = as_date(d)
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def format_date(d: date | str | None, lang: str = "vi") -> str:
    if d is None or d == "":
        return ""
    return en_date(d) if lang == "en" else vn_date(d)


def format_area(value, lang: str = "vi") -> str:
    """Area with two decimals: ``"24,50"`` in Vietnamese, ``"24.50"`` in English."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return str(value)
    text = f"{number:,.2f}"  # "1,234.50"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def w3c_datetime(value: datetime | None) -> str:
    """UTC timestamp for the PDF metadata (naive datetimes are taken as UTC)."""
    value = as_datetime(value)
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- QR code

@lru_cache(maxsize=256)
def qr_data_uri(url: str) -> str:
    """QR code of ``url`` as a ``data:image/png;base64,...`` URI.

    Error correction M, 4-module quiet zone, 4 px per module, 8-bit greyscale: a typical
    verification URL (version 4–6, 41–49 modules with the border) gives a ~165–200 px image,
    i.e. ~170–200 dpi at 25 mm. The template sets ``image-rendering: pixelated`` (PDF
    /Interpolate false) so the modules stay sharp. Measured: 8 px per module in 1-bit mode cost
    ~5 ms more per document (WeasyPrint re-encodes the image as RGB) for no gain in decoding.
    The mask is fixed (pattern 2, vertical stripes every third column): choosing the "best" of the eight
    masks lays the code out nine times, about 5 ms of every licence; with a URL's mixed bytes no mask produces
    the long runs the choice guards against, and every decoder reads all eight (tests decode it with zbarimg).
    """
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=4, border=4, mask_pattern=2)
    qr.add_data(url)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image().get_image().convert("L").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# --------------------------------------------------------------------------- restricted URL fetcher

class URLRefused(ValueError):
    """A resource URL outside the allow list (data: URIs and files under registry/static)."""


@lru_cache(maxsize=1)
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class RestrictedURLFetcher(URLFetcher):
        """WeasyPrint fetcher serving only ``data:`` URIs and files under ``static_dir``.

        Everything else raises :class:`URLRefused` before any handler runs, so there is no
        network access (no proxy, no DNS) and no disk access outside ``static_dir``. WeasyPrint
        logs the refusal and renders the document without the resource.
        """

        def __init__(self, static_dir: Path | None = STATIC_DIR):
            super().__init__(timeout=2, allowed_protocols=("data",), allow_redirects=False,
                             fail_on_errors=False)
            self.static_dir = static_dir

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)  # urllib's DataHandler: decodes in memory
            if scheme == "file":
                return self._fetch_static(url)
            raise self._refuse(url)

        def _refuse(self, url):
            log.warning("PDF resource refused: %.200r", url)
            return URLRefused(f"resource not allowed in documents: {url[:200]}")

        def _fetch_static(self, url):
            if self.static_dir is None:
                raise self._refuse(url)
            root = os.path.realpath(self.static_dir)
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost") or not os.path.isdir(root):
                raise self._refuse(url)
            path = os.path.realpath(url2pathname(parts.path))
            if os.path.commonpath([path, root]) != root or not os.path.isfile(path):
                raise self._refuse(url)
            if os.path.getsize(path) > MAX_STATIC_BYTES:
                raise self._refuse(url)
            with open(path, "rb") as fh:
                body = fh.read()
            mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(Path(path).as_uri(), body, {"Content-Type": mime})

    return RestrictedURLFetcher


def make_url_fetcher(static_dir: Path | None = STATIC_DIR):
    """A new :class:`RestrictedURLFetcher` (a ``weasyprint.urls.URLFetcher`` subclass)."""
    return _fetcher_class()(static_dir)


# --------------------------------------------------------------------------- per-process renderer

def _build_env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

    @pass_context
    def date_line(ctx, d, place=None):
        place = place if place is not None else ctx.get("place", "Hải Phòng")
        return en_date_line(place, d) if ctx.get("lang") == "en" else vn_date_line(place, d)

    @pass_context
    def fmt_date(ctx, d):
        return format_date(d, ctx.get("lang", "vi"))

    @pass_context
    def area(ctx, value):
        return format_area(value, ctx.get("lang", "vi"))

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=StrictUndefined,  # a missing field in an official document is a bug, not blank
        auto_reload=False,  # compiled once per process
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        vn_date_line=vn_date_line, en_date_line=en_date_line, date_line=date_line,
        fmt_date=fmt_date, area=area, w3c_datetime=w3c_datetime, qr_data_uri=qr_data_uri,
    )
    env.globals.update(
        vn_date_line=vn_date_line, en_date_line=en_date_line, qr_data_uri=qr_data_uri,
        format_area=format_area, format_date=format_date,
    )
    return env


class _Renderer:
    """Everything that must be built once per process and reused for every document."""

    def __init__(self):
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        self.pid = os.getpid()
        self.env = _build_env()
        self.fetcher = make_url_fetcher()
        self.font_config = FontConfiguration()
        self.css = CSS(filename=str(CSS_PATH), font_config=self.font_config,
                       url_fetcher=self.fetcher)
        user_agent = [CSS(filename=str(UA_CSS_PATH), font_config=self.font_config, url_fetcher=self.fetcher)]

        class PrintHTML(HTML):
            """HTML styled by ``print_ua.css`` instead of WeasyPrint's full HTML5 stylesheet (~4 ms a licence
            spent matching rules for forms, ruby and bidi that no print template uses). ``_ua_stylesheets`` is
            WeasyPrint's own hook for this (its ``HTML`` subclasses for tests use it); the version is pinned and
            ``tests/documents/test_print_ua.py`` checks the output against the stock stylesheet."""

            def _ua_stylesheets(self, forms=False):
                return user_agent

        self.html_class = PrintHTML
        self.cache: dict = {}
        self.base_url = (STATIC_DIR.as_uri() + "/")
        self.lock = threading.Lock()  # one document at a time per process (shared font config)

    def html_to_pdf(self, html: str) -> bytes:
        with self.lock:
            try:
                document = self.html_class(string=html, base_url=self.base_url, url_fetcher=self.fetcher)
                return document.write_pdf(
                    stylesheets=[self.css], font_config=self.font_config, cache=self.cache,
                    # the file identifier is a hash of the source (deterministic); ``True`` would hash the
                    # output, which serialises and compresses every stream a second time (~3 ms a licence)
                    pdf_identifier=hashlib.md5(html.encode(), usedforsecurity=False).digest(),
                )
            finally:
                _prune_cache(self.cache)


def _prune_cache(cache: dict) -> None:
    """Drop per-document images (data: URIs, i.e. QR codes) so the shared cache stays flat."""
    data_keys = [k for k in cache if isinstance(k, str) and k.startswith("data:")]
    prefixes = tuple(hashlib.md5(k.encode(), usedforsecurity=False).hexdigest() + "-"
                     for k in data_keys)
    for key in data_keys:
        del cache[key]
    if prefixes:
        for key in [k for k in cache if isinstance(k, str) and k.startswith(prefixes)]:
            del cache[key]
    if len(cache) > MAX_CACHE_ENTRIES:
        cache.clear()


_renderer: _Renderer | None = None
_renderer_lock = threading.Lock()


def _get_renderer() -> _Renderer:
    global _renderer
    renderer = _renderer
    if renderer is None or renderer.pid != os.getpid():
        with _renderer_lock:
            if _renderer is None or _renderer.pid != os.getpid():
                _renderer = _Renderer()
            renderer = _renderer
    return renderer


# --------------------------------------------------------------------------- public rendering API

_CONTEXT_DEFAULTS = {
    "lang": "vi",
    "place": "Hải Phòng",
    "issued_at": None,
    "title": None,
    "legal_basis": [],
    "rooms": [],
    "room_count": None,
    "total_area_m2": None,
    "sports": [],
    "event": None,
    "hours": None,
    "capacity": None,
    "conditions": [],
    "valid_until": None,
    "supersedes_number": None,
    "recipients": [],
    "archive": "VT",
    "verify_url": None,
    "copy_mark": False,
    "template_version": TEMPLATE_VERSION,
}


def _total_area(rooms) -> str | None:
    try:
        return str(sum(Decimal(str(room["area_m2"])) for room in rooms))
    except (KeyError, TypeError, InvalidOperation):
        return None


def render_html(template_name: str, context: dict) -> str:
    """Render a print template (path under ``templates/``) with a plain-data context."""
    ctx = {**_CONTEXT_DEFAULTS, **context}
    lang = ctx["lang"] if ctx["lang"] in LABELS else "vi"
    ctx["lang"] = lang
    ctx["L"] = LABELS[lang]
    rooms = ctx.get("rooms") or []
    if ctx["room_count"] is None:
        ctx["room_count"] = len(rooms)
    if ctx["total_area_m2"] is None and rooms:
        ctx["total_area_m2"] = _total_area(rooms)
    renderer = _get_renderer()
    return renderer.env.get_template(template_name).render(ctx)


def html_to_pdf(html: str) -> bytes:
    """Lay out already-rendered HTML with official.css and the restricted fetcher."""
    return _get_renderer().html_to_pdf(html)


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render ``template_name`` with ``context`` (plain data, see module docstring) to PDF bytes.

    Deterministic: the same context gives byte-identical output (metadata dates come from
    ``context["issued_at"]``; the PDF /ID is a hash of the content).
    """
    return html_to_pdf(render_html(template_name, context))


def warm_up(*, freeze_gc: bool = True) -> float:
    """Build the per-process renderer and render the sample licence once; returns seconds.

    Call once per worker process: gunicorn ``post_fork``, or the ``initializer`` of a
    ``ProcessPoolExecutor`` doing batch printing. With ``freeze_gc`` (default) the objects
    alive after warm-up (fonts, parsed CSS, compiled templates, imported modules) are moved
    to the permanent GC generation with ``gc.freeze()``: otherwise every ~11th render paid a
    full collection over them (+50 ms, which set the p95).
    """
    import gc
    import time

    start = time.perf_counter()
    render_pdf(LICENCE_TEMPLATE, sample_licence_context())
    if freeze_gc:
        gc.collect()
        gc.freeze()
    return time.perf_counter() - start


# --------------------------------------------------------------------------- sample data

def sample_licence_context(lang: str = "vi") -> dict:
    """A realistic (fictional) Hải Phòng karaoke licence context, for tests and benchmarks."""
    rooms = [
        {"code": "VIP1", "area_m2": "24.50"},
        {"code": "VIP2", "area_m2": "20.00"},
        {"code": "VIP3", "area_m2": "28.75"},
        {"code": "VIP4", "area_m2": "32.00"},
        {"code": "VIP5", "area_m2": "35.00"},
        {"code": "VIP6", "area_m2": "22.40"},
    ]
    total = sum(Decimal(r["area_m2"]) for r in rooms)
    common = {
        "lang": lang,
        "doc_kind": "licence",
        "licence_kind": "karaoke",
        "number": "15/GP-SVHTT",
        "issued_on": date(2025, 2, 5),
        "issued_at": datetime(2025, 2, 5, 2, 30, tzinfo=UTC),
        "rooms": rooms,
        "room_count": len(rooms),
        "total_area_m2": str(total),
        "sports": [],
        "hours": "08:00–24:00",
        "capacity": None,
        "valid_until": None,
        "event": None,
        "verify_url": "https://giayphep.haiphong.example.vn/v/15-GP-SVHTT-2025.Zk3q9XbT",
        "copy_mark": False,
        "supersedes_number": None,
        "archive": "VT, QLVH",
        "template_version": TEMPLATE_VERSION,
    }
    if lang == "en":
        return {
            **common,
            "place": "Hải Phòng",
            "issuer": {"parent_body": "HAI PHONG CITY PEOPLE'S COMMITTEE",
                       "body": "DEPARTMENT OF CULTURE AND SPORTS",
                       "authority": "DIRECTOR OF THE DEPARTMENT OF CULTURE AND SPORTS"},
            "signer": {"prefix": "FOR THE DIRECTOR", "position": "DEPUTY DIRECTOR",
                       "name": "Nguyễn Văn A"},
            "legal_basis": [
                "Pursuant to Decree No. 54/2019/ND-CP of 19 June 2019 of the Government on "
                "karaoke and dance hall business, as amended by Decree No. 148/2024/ND-CP;",
                "Considering the application of Hoa Sen Karaoke Household Business,",
            ],
            "operator": {
                "name": "Hoa Sen Karaoke Household Business",
                "kind_label": "Household business",
                "registration_number": "02F8012345",
                "registration_date": date(2023, 9, 12),
                "registration_issuer": "Le Chan District Finance and Planning Office",
                "head_office": "No. 128 Nguyen Van Linh Street, Niem Nghia Ward, Le Chan District, "
                               "Hai Phong City",
                "legal_representative": "Trần Thị Bình",
            },
            "venue": {"name": "Karaoke Hoa Sen",
                      "address": "No. 128 Nguyen Van Linh Street, Niem Nghia Ward, Le Chan District, "
                                 "Hai Phong City",
                      "phone": "0225 3856 123"},
            "conditions": [
                "Comply with Decree No. 54/2019/ND-CP as amended by Decree No. 148/2024/ND-CP, "
                "and the rules on fire safety, security and order, environment and noise.",
            ],
            "recipients": ["Hoa Sen Karaoke Household Business", "Le Chan District People's Committee",
                           "Niem Nghia Ward People's Committee", "Le Chan District Police"],
        }
    return {
        **common,
        "place": "Hải Phòng",
        "issuer": {"parent_body": "UBND THÀNH PHỐ HẢI PHÒNG",
                   "body": "SỞ VĂN HÓA VÀ THỂ THAO",
                   "authority": "GIÁM ĐỐC SỞ VĂN HÓA VÀ THỂ THAO"},
        "signer": {"prefix": "KT. GIÁM ĐỐC", "position": "PHÓ GIÁM ĐỐC", "name": "Nguyễn Văn A"},
        "legal_basis": [
            "Căn cứ Nghị định số 54/2019/NĐ-CP ngày 19 tháng 6 năm 2019 của Chính phủ quy định về "
            "kinh doanh dịch vụ karaoke, dịch vụ vũ trường, được sửa đổi, bổ sung bởi Nghị định "
            "số 148/2024/NĐ-CP;",
            "Xét đề nghị của Hộ kinh doanh Karaoke Hoa Sen,",
        ],
        "operator": {
            "name": "Hộ kinh doanh Karaoke Hoa Sen",
            "kind_label": "Hộ kinh doanh",
            "registration_number": "02F8012345",
            "registration_date": date(2023, 9, 12),
            "registration_issuer": "Phòng Tài chính - Kế hoạch quận Lê Chân",
            "head_office": "Số 128 đường Nguyễn Văn Linh, phường Niệm Nghĩa, quận Lê Chân, "
                           "thành phố Hải Phòng",
            "legal_representative": "Trần Thị Bình",
        },
        "venue": {"name": "Karaoke Hoa Sen",
                  "address": "Số 128 đường Nguyễn Văn Linh, phường Niệm Nghĩa, quận Lê Chân, "
                             "thành phố Hải Phòng",
                  "phone": "0225 3856 123"},
        "conditions": [
            "Thực hiện đúng các quy định tại Nghị định số 54/2019/NĐ-CP, Nghị định số "
            "148/2024/NĐ-CP và các quy định về phòng cháy, chữa cháy, an ninh, trật tự, "
            "môi trường, tiếng ồn.",
        ],
        "recipients": ["Hộ kinh doanh Karaoke Hoa Sen", "UBND quận Lê Chân",
                       "UBND phường Niệm Nghĩa", "Công an quận Lê Chân"],
    }

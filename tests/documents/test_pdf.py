"""Licence PDF rendering: layout text, fonts, determinism, QR, URL fetcher, pagination.

No Flask and no database. Uses poppler-utils (pdftotext, pdffonts, pdfinfo, pdfimages,
pdftoppm) and zbar-tools (zbarimg): when one is missing the test fails (FileNotFoundError),
it is never skipped.
"""

from __future__ import annotations

import builtins
import json
import re
import socket
import subprocess
import sys
import urllib.request
from base64 import b64decode
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context
from pathlib import Path

import jinja2
import pytest

from registry.documents import pdf

A4_W, A4_H = 595.28, 841.89
MM = 72 / 25.4
LEFT, RIGHT, TOP, BOTTOM = 30 * MM, 15 * MM, 20 * MM, 20 * MM
TOL = 1.0  # pt: glyph boxes of justified text may exceed the content box by a fraction

HOSTILE = ('Karaoke <script>alert(1)</script> <img src="file:///etc/passwd"> '
           '<link rel="stylesheet" href="http://169.254.169.254/latest/meta-data/">')


# --------------------------------------------------------------------------- helpers

def run(*cmd: str, data: bytes | None = None) -> str:
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout.decode()


def pdf_file(tmp_path: Path, data: bytes, name: str = "doc.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def pdf_text(path: Path, *args: str) -> str:
    return run("pdftotext", *args, str(path), "-")


def words(path: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, text) of every word on ``page`` (pdftotext -bbox)."""
    html = run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-")
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    return [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in re.findall(pattern, html)]


def page_count(path: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(path)), re.M).group(1))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def nows(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> tuple[bytes, Path]:
    data = pdf.render_pdf(pdf.LICENCE_TEMPLATE, pdf.sample_licence_context())
    return data, pdf_file(tmp_path_factory.mktemp("sample"), data)


@pytest.fixture
def fetch_spy(monkeypatch):
    """Record every URL WeasyPrint asks for, every urllib open, socket connect and file open."""
    calls = {"fetch": [], "urllib": [], "connect": [], "open": []}
    fetcher = pdf._get_renderer().fetcher
    real_fetch = fetcher.fetch

    def spy_fetch(url, headers=None):
        calls["fetch"].append(url)
        return real_fetch(url, headers)

    def spy_urllib(self, url, *args, **kwargs):
        full = url.full_url if isinstance(url, urllib.request.Request) else url
        calls["urllib"].append(full)
        if not str(full).startswith("data:"):
            raise AssertionError(f"urllib opened {full}")
        return real_urllib(self, url, *args, **kwargs)

    def spy_connect(self, address):
        calls["connect"].append(address)
        raise AssertionError(f"network connection to {address}")

    def spy_open(file, *args, **kwargs):
        calls["open"].append(str(file))
        return real_open(file, *args, **kwargs)

    real_urllib = urllib.request.OpenerDirector.open
    real_open = builtins.open
    monkeypatch.setattr(fetcher, "fetch", spy_fetch)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy_urllib)
    monkeypatch.setattr(socket.socket, "connect", spy_connect)
    monkeypatch.setattr(builtins, "open", spy_open)
    return calls


# --------------------------------------------------------------------------- date helpers

@pytest.mark.parametrize(("d", "expected"), [
    (date(2025, 2, 5), "Hải Phòng, ngày 05 tháng 02 năm 2025"),
    (date(2025, 3, 15), "Hải Phòng, ngày 15 tháng 3 năm 2025"),
    (date(2025, 1, 1), "Hải Phòng, ngày 01 tháng 01 năm 2025"),
    (date(2024, 12, 9), "Hải Phòng, ngày 09 tháng 12 năm 2024"),
    (date(2024, 10, 10), "Hải Phòng, ngày 10 tháng 10 năm 2024"),
    (date(2024, 9, 30), "Hải Phòng, ngày 30 tháng 9 năm 2024"),
])
def test_vn_date_line_pads_days_1_to_9_and_months_1_2(d, expected):
    assert pdf.vn_date_line("Hải Phòng", d) == expected


def test_en_date_line_drops_diacritics():
    assert pdf.en_date_line("Hải Phòng", date(2025, 2, 5)) == "Hai Phong, 5 February 2025"
    assert pdf.en_date_line("Đồ Sơn", date(2024, 12, 31)) == "Do Son, 31 December 2024"


def test_format_area_uses_vietnamese_decimal_comma():
    assert pdf.format_area("24.5") == "24,50"
    assert pdf.format_area("1650", "vi") == "1.650,00"
    assert pdf.format_area("24.5", "en") == "24.50"


# --------------------------------------------------------------------------- content

def test_sample_licence_text(sample_pdf):
    data, path = sample_pdf
    assert data.startswith(b"%PDF-")
    text, layout = pdf_text(path), pdf_text(path, "-layout")
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "UBND THÀNH PHỐ HẢI PHÒNG", "SỞ VĂN HÓA VÀ THỂ THAO", "Số: 15/GP-SVHTT",
                     "Hải Phòng, ngày 05 tháng 02 năm 2025", "GIẤY PHÉP",
                     "ĐỦ ĐIỀU KIỆN KINH DOANH DỊCH VỤ KARAOKE", "Karaoke Hoa Sen",
                     "phường Niệm Nghĩa", "quận Lê Chân", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC",
                     "Nguyễn Văn A", "Nơi nhận:", "- Lưu: VT, QLVH.", "Tra cứu:"):
        assert expected in text, expected
    for room, area in [("VIP1", "24,50"), ("VIP2", "20,00"), ("VIP3", "28,75"),
                       ("VIP4", "32,00"), ("VIP5", "35,00"), ("VIP6", "22,40")]:
        assert re.search(rf"\b{room}\s+{area}\b", layout), (room, area)
    assert "tổng diện tích 162,65 m²" in flat(text)
    assert "BẢN SAO" not in text


def test_sample_licence_fits_on_one_page_without_page_number(sample_pdf):
    _, path = sample_pdf
    assert page_count(path) == 1
    assert not [w for w in words(path, 1) if w[3] <= TOP]


def test_metadata_comes_from_context(sample_pdf):
    _, path = sample_pdf
    info = run("pdfinfo", "-isodates", str(path))
    assert re.search(r"^CreationDate:\s+2025-02-05T02:30:00Z$", info, re.M)
    assert re.search(r"^ModDate:\s+2025-02-05T02:30:00Z$", info, re.M)
    assert pdf.TEMPLATE_VERSION in info
    assert "Page size:       595.276 x 841.89 pts (A4)" in info


def test_liberation_serif_is_embedded(sample_pdf):
    _, path = sample_pdf
    rows = [line.split() for line in run("pdffonts", str(path)).splitlines()[2:]]
    assert rows
    for row in rows:
        assert "Liberation-Serif" in row[0], row
        assert row[-5] == "yes", row  # emb
    assert {r[0].split("+")[1] for r in rows} >= {"Liberation-Serif", "Liberation-Serif-Bold",
                                                  "Liberation-Serif-Italic"}


def test_rendering_is_deterministic(sample_pdf):
    data, _ = sample_pdf
    context = pdf.sample_licence_context()
    assert pdf.render_pdf(pdf.LICENCE_TEMPLATE, context) == data
    assert pdf.render_pdf(pdf.LICENCE_TEMPLATE, context) == data


def test_rendering_is_deterministic_across_processes(sample_pdf):
    """A fresh interpreter gives the same bytes; pdf.py is loaded by path, without Flask."""
    data, _ = sample_pdf
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('docpdf', {str(Path(pdf.__file__))!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "assert 'flask' not in sys.modules and 'weasyprint' not in sys.modules\n"
        "sys.stdout.buffer.write(m.render_pdf(m.LICENCE_TEMPLATE, m.sample_licence_context()))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True).stdout
    assert out == data


def test_qr_code_decodes_to_verify_url(sample_pdf, tmp_path):
    _, path = sample_pdf
    run("pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page"))
    png = next(tmp_path.glob("page*.png"))
    decoded = run("zbarimg", "--raw", "-q", str(png)).strip()
    assert decoded == pdf.sample_licence_context()["verify_url"]


def test_qr_data_uri_is_png():
    uri = pdf.qr_data_uri("https://example.vn/v/1")
    assert uri.startswith("data:image/png;base64,iVBOR")


def test_english_rendering(tmp_path):
    context = pdf.sample_licence_context("en")
    path = pdf_file(tmp_path, pdf.render_pdf(pdf.LICENCE_TEMPLATE, context))
    text = pdf_text(path)
    for expected in ("SOCIALIST REPUBLIC OF VIET NAM", "Independence - Freedom - Happiness",
                     "BUSINESS LICENCE FOR KARAOKE SERVICES", "No.: 15/GP-SVHTT",
                     "Hai Phong, 5 February 2025", "FOR THE DIRECTOR", "Recipients:",
                     "Karaoke Hoa Sen", "24.50"):
        assert expected in text, expected
    assert "CỘNG HÒA" not in text and "Nơi nhận" not in text


def test_copy_mark_sports_list_and_supersedes(tmp_path):
    context = {**pdf.sample_licence_context(), "licence_kind": "sports", "number": "7/GCN-SVHTT",
               "rooms": [], "sports": [{"name": "Bơi, lặn"}, {"name": "Thể dục thể hình", "note": "Tầng 3"}],
               "copy_mark": True, "supersedes_number": "3/GCN-SVHTT", "valid_until": date(2030, 3, 15)}
    text = flat(pdf_text(pdf_file(tmp_path, pdf.render_pdf(pdf.LICENCE_TEMPLATE, context))))
    assert "BẢN SAO" in text
    assert "GIẤY CHỨNG NHẬN" in text and "HOẠT ĐỘNG THỂ THAO" in text
    assert "Bơi, lặn" in text and "Thể dục thể hình" in text and "Tầng 3" in text
    assert "VIP1" not in text
    assert "Giấy chứng nhận này thay thế Giấy chứng nhận số 3/GCN-SVHTT" in text
    assert "15/03/2030" in text


def test_context_stored_as_json_renders_the_same_bytes(sample_pdf):
    """Callers store the context as JSON (dates become strings); re-rendering it gives the same PDF."""
    data, _ = sample_pdf
    stored = json.loads(json.dumps(pdf.sample_licence_context(), default=str, ensure_ascii=False))
    assert isinstance(stored["issued_on"], str)
    assert pdf.render_pdf(pdf.LICENCE_TEMPLATE, stored) == data


def test_room_count_and_total_area_are_computed_when_missing(tmp_path):
    context = pdf.sample_licence_context()
    del context["room_count"], context["total_area_m2"]
    text = flat(pdf_text(pdf_file(tmp_path, pdf.render_pdf(pdf.LICENCE_TEMPLATE, context))))
    assert "Số lượng phòng: 6 phòng, tổng diện tích 162,65 m²" in text


def test_missing_required_field_fails_loudly():
    context = pdf.sample_licence_context()
    del context["number"]
    with pytest.raises(jinja2.UndefinedError):
        pdf.render_pdf(pdf.LICENCE_TEMPLATE, context)


# --------------------------------------------------------------------------- pagination and overflow

def test_sixty_rooms_span_pages_with_numbers_from_page_2_and_nothing_cut_off(tmp_path):
    rooms = [{"code": f"VIP{i}", "area_m2": f"{20 + i % 15}.25"} for i in range(1, 61)]
    long_name = "Trung tâm Giải trí Karaoke " + "Hoa Sen Rất Dài " * 6 + "X" * 150
    context = {**pdf.sample_licence_context(), "rooms": rooms, "room_count": 60,
               "total_area_m2": "1650.00",
               "venue": {"name": long_name, "address": "Số 128 " + "đường Nguyễn Văn Linh, " * 12,
                         "phone": "0225 3856 123"}}
    path = pdf_file(tmp_path, pdf.render_pdf(pdf.LICENCE_TEMPLATE, context))
    pages = page_count(path)
    assert pages >= 2

    all_words = []
    for page in range(1, pages + 1):
        page_words = words(path, page)
        all_words += page_words
        in_top_margin = [w for w in page_words if w[3] <= TOP]
        body = [w for w in page_words if w[3] > TOP]
        if page == 1:
            assert in_top_margin == []
        else:  # the page number, centred in the top margin
            assert [w[4] for w in in_top_margin] == [str(page)]
            centre = (in_top_margin[0][0] + in_top_margin[0][2]) / 2
            assert abs(centre - (LEFT + (A4_W - RIGHT)) / 2) < 3
        for x_min, _y_min, x_max, y_max, text in body:
            assert x_min >= LEFT - TOL, (page, text, x_min)
            assert x_max <= A4_W - RIGHT + TOL, (page, text, x_max)
            assert y_max <= A4_H - BOTTOM + TOL, (page, text, y_max)

    text = pdf_text(path)
    codes = re.findall(r"\bVIP(\d+)\b", text)
    assert sorted(map(int, codes)) == list(range(1, 61))  # every room exactly once
    assert "X" * 150 in "".join(w[4] for w in all_words)  # the long name wrapped, not clipped
    assert "Nguyễn Văn A" in text and "- Lưu: VT, QLVH." in text


def test_signature_block_never_splits_nor_stands_alone(tmp_path):
    """Whatever the body length, recipients, QR and signature share a page with the last clause."""
    base = pdf.sample_licence_context()
    for n in range(1, 9):
        context = {**base, "conditions": base["conditions"] * n}
        path = pdf_file(tmp_path, pdf.render_pdf(pdf.LICENCE_TEMPLATE, context), f"c{n}.pdf")
        pages = pdf_text(path).split("\f")[:-1]

        def page_of(text, pages=pages):
            return [i for i, page in enumerate(pages, 1) if text in page]

        last = len(pages)
        for marker in ("có hiệu lực kể từ ngày ký", "Nơi nhận:", "- Lưu: VT, QLVH.", "Tra cứu:",
                       "KT. GIÁM ĐỐC", "Nguyễn Văn A"):
            assert page_of(marker) == [last], (n, marker)


# --------------------------------------------------------------------------- URL fetcher / injection

def test_hostile_fields_render_as_text_and_fetch_nothing(fetch_spy, tmp_path):
    context = pdf.sample_licence_context()
    context["venue"] = {**context["venue"], "name": HOSTILE, "address": "http://169.254.169.254/"}
    context["operator"] = {**context["operator"], "name": '<img src="http://169.254.169.254/x.png">'}
    data = pdf.render_pdf(pdf.LICENCE_TEMPLATE, context)
    path = pdf_file(tmp_path, data)

    text = nows(pdf_text(path, "-layout"))  # long URLs wrap at "/" or "-"; -layout keeps the "-"
    for shown in ["<script>alert(1)</script>", '<img src="file:///etc/passwd">',
                  "http://169.254.169.254/latest/meta-data/", '<img src="http://169.254.169.254/x.png">']:
        assert nows(shown) in text, shown
    # The only resource fetched is the QR code's data: URI.
    assert [u[:22] for u in fetch_spy["fetch"]] == ["data:image/png;base64,"]
    assert fetch_spy["connect"] == []
    assert not [p for p in fetch_spy["open"] if "passwd" in p]
    # Only the QR image is embedded.
    assert len(run("pdfimages", "-list", str(path)).splitlines()[2:]) == 1


def test_template_urls_outside_the_allow_list_are_refused(fetch_spy, tmp_path):
    canary = tmp_path / "canary.png"  # a valid PNG outside registry/static
    canary.write_bytes(b64decode(pdf.qr_data_uri("canary").split(",", 1)[1]))
    refused = [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/logo.png",
        "ftp://example.com/x.png",
        canary.as_uri(),
        "/etc/passwd",                 # relative to the static base URL -> file:///etc/passwd
        "../../../etc/passwd",
        f"{pdf.STATIC_DIR.as_uri()}/../../../etc/passwd",
    ]
    html = (
        "<html><head>"
        '<link rel="stylesheet" href="http://169.254.169.254/evil.css">'
        "<style>@import url('https://example.com/x.css');"
        " body { background: url('file:///etc/passwd'); }</style></head><body><p>x</p>"
        + "".join(f'<img src="{u}">' for u in refused)
        + '<img src="data:image/png;base64,' + pdf.qr_data_uri("ok").split(",", 1)[1] + '">'
        + "</body></html>"
    )
    path = pdf_file(tmp_path, pdf.html_to_pdf(html))

    assert fetch_spy["connect"] == []
    assert [u for u in fetch_spy["urllib"] if not u.startswith("data:")] == []
    assert not [p for p in fetch_spy["open"] if "passwd" in p or "canary" in p]
    assert "http://169.254.169.254/evil.css" in fetch_spy["fetch"]
    assert "file:///etc/passwd" in fetch_spy["fetch"]
    # Only the data: image made it into the PDF, not the canary file.
    assert len(run("pdfimages", "-list", str(path)).splitlines()[2:]) == 1


def test_fetcher_serves_only_regular_files_inside_static(tmp_path):
    static = tmp_path / "static"
    (static / "img").mkdir(parents=True)
    (static / "img" / "seal.png").write_bytes(b"\x89PNG fake")
    (tmp_path / "secret.txt").write_text("secret")
    (static / "link.txt").symlink_to(tmp_path / "secret.txt")
    fetcher = pdf.make_url_fetcher(static)

    response = fetcher.fetch((static / "img" / "seal.png").as_uri())
    assert response.read() == b"\x89PNG fake"
    assert response.content_type == "image/png"
    for url in [(tmp_path / "secret.txt").as_uri(), f"{static.as_uri()}/../secret.txt",
                f"{static.as_uri()}/%2e%2e/secret.txt", (static / "link.txt").as_uri(),
                static.as_uri(), f"file://evil.example{static}/img/seal.png",
                "http://127.0.0.1/", "HTTPS://example.com/", "javascript:alert(1)", "relative.png"]:
        with pytest.raises(pdf.URLRefused):
            fetcher.fetch(url)
    assert pdf.make_url_fetcher(None).fetch("data:text/plain,ok").read() == b"ok"
    with pytest.raises(pdf.URLRefused):
        pdf.make_url_fetcher(tmp_path / "missing").fetch((static / "img" / "seal.png").as_uri())


# --------------------------------------------------------------------------- process reuse

def test_shared_cache_does_not_grow_with_per_document_qr_codes():
    renderer = pdf._get_renderer()
    base = pdf.sample_licence_context()
    sizes = []
    for i in range(12):
        pdf.render_pdf(pdf.LICENCE_TEMPLATE, {**base, "verify_url": f"https://example.vn/v/{i}"})
        sizes.append(len(renderer.cache))
        assert not [k for k in renderer.cache if isinstance(k, str) and k.startswith("data:")]
    assert len(set(sizes[2:])) == 1
    assert pdf._get_renderer() is renderer  # one renderer (font config, CSS, env) per process


def _render_in_worker(lang: str) -> tuple[int, bytes]:
    import os
    return os.getpid(), pdf.render_pdf(pdf.LICENCE_TEMPLATE, pdf.sample_licence_context(lang))


def test_process_pool_workers_build_their_own_renderer(sample_pdf):
    data, _ = sample_pdf
    parent = pdf._get_renderer()
    with ProcessPoolExecutor(2, mp_context=get_context("fork"), initializer=pdf.warm_up) as pool:
        results = list(pool.map(_render_in_worker, ["vi", "vi", "en"]))
    assert all(pid != parent.pid for pid, _ in results)
    assert results[0][1] == data and results[1][1] == data
    assert results[2][1].startswith(b"%PDF-") and results[2][1] != data
    assert pdf.warm_up() > 0

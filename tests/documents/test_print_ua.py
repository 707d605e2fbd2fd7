"""The print templates are styled by their own lean user-agent stylesheet (``print_ua.css``) instead of
WeasyPrint's HTML5 one: it must cover every element they use, and the documents must come out the same."""
from __future__ import annotations

import re
from datetime import date

import pytest

from registry.documents import pdf
from tests.documents.helpers import assert_lays_out_as_stock

PRINT_TEMPLATES = pdf.TEMPLATES_DIR / "documents" / "pdf"
INLINE_BY_DEFAULT = {"span", "a"}  # CSS initial value "display: inline": needs no rule


def _selectors(css: str) -> set[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return set(re.findall(r"(?<![\w.#:-])([a-z][a-z0-9]*)(?=[\s,:{>\[)]|::)", "".join(re.findall(r"([^{}]*)\{", css))))


def test_every_element_of_the_print_templates_has_a_user_agent_rule():
    covered = _selectors(pdf.UA_CSS_PATH.read_text())
    used = set()
    for template in PRINT_TEMPLATES.glob("*.html"):
        text = re.sub(r"\{#.*?#\}", "", template.read_text(), flags=re.S)  # Jinja comments name tags in prose
        used |= set(re.findall(r"<([a-z][a-z0-9]*)\b", text))
    assert {"div", "p", "table", "td", "ul", "li", "img"} <= used  # the scan itself works
    assert used - covered - INLINE_BY_DEFAULT == set()


LICENCES = {
    "karaoke, Vietnamese": pdf.sample_licence_context(),
    "karaoke, English": pdf.sample_licence_context("en"),
    "karaoke, three rooms (one column)": {**pdf.sample_licence_context(),
                                          "rooms": pdf.sample_licence_context()["rooms"][:3]},
    "karaoke, 40 rooms over two pages": {**pdf.sample_licence_context(), "rooms": [
        {"code": f"P{n:02d}", "area_m2": "21.50"} for n in range(1, 41)]},
    "sports certificate, copy mark": {**pdf.sample_licence_context(), "licence_kind": "sports",
                                      "number": "7/GCN-SVHTT", "rooms": [], "copy_mark": True,
                                      "sports": [{"name": "Bơi, lặn"}, {"name": "Thể dục thể hình", "note": "Tầng 3"}],
                                      "valid_until": date(2030, 3, 15)},
}


@pytest.mark.parametrize("context", LICENCES.values(), ids=LICENCES.keys())
def test_licences_lay_out_exactly_as_with_the_stock_stylesheet(context, tmp_path):
    assert_lays_out_as_stock(pdf.LICENCE_TEMPLATE, context, tmp_path)

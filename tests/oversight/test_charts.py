"""Server-rendered SVG charts: well-formed, accessible, no inline styles, values printed as text."""
from __future__ import annotations

from xml.etree import ElementTree

from registry.oversight.charts import Chart, Series, render

NS = "{http://www.w3.org/2000/svg}"


def _svg(chart):
    markup = str(render(chart))
    return markup, ElementTree.fromstring(markup)  # noqa: S314 (our own output, built from escaped text)


def test_bar_chart_carries_values_and_a_title():
    chart = Chart("x", "Licences <in> force", "bars", ["Lê Chân", "Ngô Quyền"], [Series("Licences", [7, 3])])
    markup, root = _svg(chart)
    assert root.find(f"{NS}title").text == "Licences <in> force"  # escaped in the markup, readable as text
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Lê Chân" in texts and "7" in texts and "3" in texts
    assert "style=" not in markup and "<script" not in markup
    assert root.get("role") == "img"


def test_stacked_and_columns_charts_have_legends_and_tables():
    stacked = Chart("s", "By status", "stacked", ["Karaoke"],
                    [Series("Valid", [5]), Series("Suspended", [2]), Series("Revoked", [0])])
    _markup, root = _svg(stacked)
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Valid" in texts and "Suspended" in texts and "Revoked" not in texts  # empty series: no legend entry
    assert "7" in texts
    header, rows = stacked.table()
    assert header == ["", "Valid", "Suspended", "Revoked", "Σ"] and rows == [["Karaoke", 5, 2, 0, 7]]
    columns = Chart("c", "Per month", "columns", ["01/26", "02/26"], [Series("Received", [3, 4])],
                    line=Series("Median", [5.0, None]))
    _markup, root = _svg(columns)
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Median" in texts and "5" in texts and "–" in texts
    assert columns.table()[1] == [["01/26", 3, 5.0], ["02/26", 4, None]]


def test_empty_chart_renders_nothing():
    assert str(render(Chart("e", "Empty", "bars", [], [Series("n", [])]))) == ""
    assert Chart("e", "Zero", "bars", ["a"], [Series("n", [0])]).is_empty


def test_long_labels_are_clipped_but_kept_in_the_tooltip():
    label = "Phường và xã mới từ ngày 1 tháng 7 năm 2025 có tên rất dài"
    markup, root = _svg(Chart("l", "t", "bars", [label], [Series("n", [1])]))
    assert label in markup  # in the <title> tooltip
    assert any(t.text and t.text.endswith("…") for t in root.iter(f"{NS}text"))

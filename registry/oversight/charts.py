"""Charts as server-rendered SVG: no JavaScript library, no inline styles (CSP), readable on paper.

Every chart is built from a :class:`Chart` — the same rows the page shows in the table behind the chart — so what
is drawn and what is exported can never disagree. Colours are presentation attributes (allowed by the CSP, kept by
WeasyPrint and by printers); every bar carries its value as text, so a black-and-white print still reads.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

#: Colour-blind-safe palette (Okabe–Ito), in series order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000", "#999999")
INK = "#212529"
MUTED = "#6c757d"
GRID = "#dee2e6"
WIDTH = 360


@dataclass
class Series:
    """One coloured series: its name and one value per category."""

    name: str
    values: list[float]
    colour: str = ""


@dataclass
class Chart:
    """The data behind a chart and its table.

    ``kind``: ``"bars"`` (horizontal, one series), ``"stacked"`` (horizontal, stacked series per category) or
    ``"columns"`` (vertical grouped columns per category, e.g. months, with an optional ``line`` drawn as numbers).
    """

    name: str
    title: str
    kind: str
    categories: list[str]
    series: list[Series]
    value_header: str = ""
    line: Series | None = None
    note: str = ""
    empty_text: str = ""
    extra_columns: list[tuple[str, list]] = field(default_factory=list)

    def __post_init__(self):
        for i, s in enumerate(self.series):
            s.colour = s.colour or PALETTE[i % len(PALETTE)]

    @property
    def is_empty(self) -> bool:
        return not self.categories or not any(v for s in self.series for v in s.values)

    def table(self) -> tuple[list[str], list[list]]:
        """Header and rows of the table behind the chart (also the CSV/XLSX export)."""
        header = [self.value_header or "", *(s.name for s in self.series)]
        if len(self.series) > 1:
            header.append("Σ")
        if self.line is not None:
            header.append(self.line.name)
        header += [name for name, _ in self.extra_columns]
        rows = []
        for i, cat in enumerate(self.categories):
            values = [s.values[i] for s in self.series]
            row = [cat, *values]
            if len(self.series) > 1:
                row.append(sum(v or 0 for v in values))
            if self.line is not None:
                row.append(self.line.values[i])
            row += [col[i] for _, col in self.extra_columns]
            rows.append(row)
        return header, rows


def _num(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{int(value):,}".replace(",", " ")


def _text(x, y, content, *, size=12, anchor="start", fill=INK, weight=None) -> str:
    w = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{w}>'
            f'{escape(str(content))}</text>')


def _clip(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(chart: Chart, height: float, body: list[str]) -> Markup:
    title_id = f"chart-{chart.name}-title"
    # every text that goes into the SVG passed through html.escape above; numbers are formatted here
    return Markup(  # noqa: S704
        f'<svg class="oversight-chart" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-labelledby="{title_id}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">'
        f'<title id="{title_id}">{escape(chart.title)}</title>' + "".join(body) + "</svg>")


def _legend(series: list[Series], y: float) -> tuple[list[str], float]:
    parts, x = [], 0.0
    for s in series:
        width = 18 + 7 * len(s.name)
        if x and x + width > WIDTH:
            x, y = 0.0, y + 18
        parts.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{s.colour}"/>')
        parts.append(_text(x + 16, y, s.name, size=12))
        x += width + 12
    return parts, y + 10


def horizontal(chart: Chart) -> Markup:
    """Horizontal bars (one series) or stacked bars (several), one row per category, value at the bar's end."""
    label_w, bar_h, gap = 132, 18, 10
    y = 4.0
    body: list[str] = []
    if len(chart.series) > 1:
        legend, y = _legend([s for s in chart.series if any(s.values)], 14)
        body += legend
        y += 6
    totals = [sum(s.values[i] or 0 for s in chart.series) for i in range(len(chart.categories))]
    top = max(totals or [0]) or 1
    span = WIDTH - label_w - 56
    for i, cat in enumerate(chart.categories):
        cy = y + i * (bar_h + gap)
        body.append(f'<g><title>{escape(cat)}: {_num(totals[i])}</title>')
        body.append(_text(label_w - 6, cy + bar_h - 5, _clip(cat, 20), anchor="end"))
        x = float(label_w)
        for s in chart.series:
            value = s.values[i] or 0
            w = span * value / top
            if w > 0:
                body.append(f'<rect x="{x:.1f}" y="{cy:.1f}" width="{max(w, 1):.1f}" height="{bar_h}" '
                            f'fill="{s.colour}"><title>{escape(s.name)}: {_num(value)}</title></rect>')
            x += w
        body.append(_text(x + 4, cy + bar_h - 5, _num(totals[i]), weight="bold"))
        body.append("</g>")
    height = y + len(chart.categories) * (bar_h + gap) + 4
    body.insert(0, f'<line x1="{label_w}" y1="{y - 2:.1f}" x2="{label_w}" y2="{height - 6:.1f}" stroke="{GRID}"/>')
    return _svg(chart, height, body)


def columns(chart: Chart) -> Markup:
    """Grouped vertical columns per category (months), values above, and the optional line as a number row."""
    body: list[str] = []
    legend, y0 = _legend([s for s in chart.series if any(s.values)] or chart.series[:1], 14)
    body += legend
    plot_top, plot_h = y0 + 14, 150.0
    n = max(len(chart.categories), 1)
    left, right = 8.0, WIDTH - 8.0
    slot = (right - left) / n
    k = max(len(chart.series), 1)
    bar_w = max(min((slot - 6) / k, 22.0), 3.0)
    top = max([v or 0 for s in chart.series for v in s.values] or [0]) or 1
    base = plot_top + plot_h
    body.append(f'<line x1="{left}" y1="{base:.1f}" x2="{right}" y2="{base:.1f}" stroke="{GRID}"/>')
    small = slot < 26
    for i, cat in enumerate(chart.categories):
        x0 = left + i * slot + (slot - bar_w * k) / 2
        for j, s in enumerate(chart.series):
            value = s.values[i] or 0
            h = plot_h * value / top
            x = x0 + j * bar_w
            body.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar_w - 1:.1f}" height="{max(h, 0):.1f}" '
                        f'fill="{s.colour}"><title>{escape(cat)} · {escape(s.name)}: {_num(value)}</title></rect>')
            if value and not small:
                body.append(_text(x + (bar_w - 1) / 2, base - h - 3, _num(value), size=9, anchor="middle"))
        body.append(_text(left + i * slot + slot / 2, base + 13, cat, size=10 if not small else 9, anchor="middle"))
    height = base + 20
    if chart.line is not None:
        body.append(_text(left, height + 8, chart.line.name, size=11, fill=MUTED))
        height += 14
        for i, value in enumerate(chart.line.values):
            body.append(_text(left + i * slot + slot / 2, height + 8, _num(value), size=10, anchor="middle",
                              weight="bold"))
        height += 14
    return _svg(chart, height + 4, body)


def render(chart: Chart) -> Markup:
    """The chart's SVG (empty markup when there is nothing to draw)."""
    if chart.is_empty:
        return Markup("")
    return columns(chart) if chart.kind == "columns" else horizontal(chart)

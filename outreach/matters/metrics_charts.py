"""The metrics page's charts, drawn on the server as inline SVG.

The dashboard's approach (monitoring/chart.py; outreach may not import monitoring): no chart
library and no script, since the CSP is script-src 'self' and nothing comes from a CDN;
presentation attributes and CSS classes only (portal.css ``.chart``), no inline style. Each
chart names itself to screen readers (``role="img"``, a <title> and a <desc> that reads out
every figure); each point or bar carries its own <title> as a tooltip. Series differ by line
pattern and marker as well as by colour. The table below each chart stays: it is the record.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LEFT, RIGHT, TOP, BOTTOM = 52, 20, 34, 34
LINE_HEIGHT = 220
BAR_LEFT = 132  # room for a category, department or grid name
BAR, BAR_GAP, GROUP_GAP = 7, 1, 10


@dataclass(frozen=True)
class Series:
    """One line or one bar of each group: its legend and a value per label (None: no value,
    e.g. a rate of a month with nothing rated)."""

    name: str
    values: Sequence[float | None]


def nice_ceiling(value: float) -> float:
    """A round upper bound for an axis: 1, 2 or 5 times a power of ten, at least 1."""
    if value <= 1:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    return float(next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= value))


def _top(series: Sequence[Series], unit: str) -> float:
    if unit == "%":
        return 100.0
    values = [v for s in series for v in s.values if v is not None]
    return nice_ceiling(max(values, default=0.0))


def _figure(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:g}{unit}"


def _desc(labels: Sequence[str], series: Sequence[Series], unit: str) -> str:
    """Every figure in words: what a screen reader reads instead of the drawing."""
    return "; ".join(
        f"{label}: " + ", ".join(f"{s.name} {_figure(s.values[i], unit)}" for s in series)
        for i, label in enumerate(labels)
    )


def _frame(*, testid: str, title: str, desc: str, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart metrics-chart" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" data-testid="{}">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        height,
        testid,
        testid,
        testid,
        testid,
        title,
        testid,
        desc,
        body,
    )


def _legend(series: Sequence[Series]) -> SafeString:
    return format_html_join(
        "",
        '<g class="series-{}"><line class="line" x1="{}" x2="{}" y1="14" y2="14"/>'
        '<rect class="mark" x="{}" y="10" width="8" height="8"/>'
        '<text x="{}" y="18">{}</text></g>',
        (
            (
                i,
                LEFT + i * 170,
                LEFT + i * 170 + 22,
                LEFT + i * 170 + 7,
                LEFT + i * 170 + 28,
                s.name,
            )
            for i, s in enumerate(series)
        ),
    )


def line_chart(
    *, labels: Sequence[str], series: Sequence[Series], unit: str, title: str, testid: str
) -> SafeString:
    """Lines over ``labels`` (oldest first), one per series; ``unit`` "%" (axis 0–100) or a
    unit of time such as "h" (axis 0 to a round bound). Empty ``labels``: no chart."""
    # Long (as monitoring/chart.py's drawing is): one SVG drawn top to bottom, axis, grid,
    # lines, points, legend, sharing the same coordinates; split, each part would need them all.
    if not labels:
        return mark_safe("")
    top = _top(series, unit)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, LINE_HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)
    # At most about twelve labels under the axis; every point keeps its tooltip.
    every = max(1, -(-len(labels) // 12))

    def x(i: int) -> float:
        return LEFT + i * step if len(labels) > 1 else LEFT + plot_w / 2

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    axis = format_html_join(
        "",
        '<line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (
                LEFT,
                WIDTH - RIGHT,
                f"{y(v):.1f}",
                f"{y(v):.1f}",
                LEFT - 6,
                f"{y(v) + 3:.1f}",
                f"{v:g}{unit}",
            )
            for v in (0, top / 2, top)
        ),
    )
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (f"{x(i):.1f}", LINE_HEIGHT - 12, label)
            for i, label in enumerate(labels)
            if i % every == 0
        ),
    )
    lines = []
    for n, s in enumerate(series):
        # A missing value breaks the line rather than drawing it to zero.
        runs, run = [], []
        for i, value in enumerate(s.values):
            if value is None:
                runs, run = ([*runs, run] if run else runs), []
            else:
                run.append(f"{x(i):.1f},{y(value):.1f}")
        runs = [*runs, run] if run else runs
        polylines = format_html_join(
            "", '<polyline class="line" points="{}"/>', ((" ".join(r),) for r in runs)
        )
        marks = format_html_join(
            "",
            '<rect class="mark" x="{}" y="{}" width="7" height="7">'
            "<title>{} · {}: {}</title></rect>",
            (
                (f"{x(i) - 3.5:.1f}", f"{y(v) - 3.5:.1f}", labels[i], s.name, _figure(v, unit))
                for i, v in enumerate(s.values)
                if v is not None
            ),
        )
        lines.append(format_html('<g class="series-{}">{}{}</g>', n, polylines, marks))
    body = format_html("{}{}{}{}", _legend(series), axis, ticks, SafeString("".join(lines)))
    return _frame(
        testid=testid,
        title=title,
        desc=_desc(labels, series, unit),
        height=LINE_HEIGHT,
        body=body,
    )


def bar_chart(
    *, labels: Sequence[str], series: Sequence[Series], unit: str, title: str, testid: str
) -> SafeString:
    """Horizontal bars, a group per label (a category, department or grid; names read
    across), a bar per series. Empty ``labels``: no chart."""
    if not labels:
        return mark_safe("")
    top = _top(series, unit)
    group = len(series) * (BAR + BAR_GAP) + GROUP_GAP
    height = TOP + group * len(labels) + BOTTOM
    plot_w = WIDTH - BAR_LEFT - RIGHT

    def width(value: float) -> float:
        return plot_w * min(value, top) / top

    axis = format_html_join(
        "",
        '<line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (
                f"{BAR_LEFT + width(v):.1f}",
                f"{BAR_LEFT + width(v):.1f}",
                TOP - 4,
                height - BOTTOM,
                f"{BAR_LEFT + width(v):.1f}",
                height - BOTTOM + 14,
                f"{v:g}{unit}",
            )
            for v in (0, top / 2, top)
        ),
    )
    names = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (BAR_LEFT - 6, TOP + g * group + (group - GROUP_GAP) / 2 + 3, label)
            for g, label in enumerate(labels)
        ),
    )
    bars = format_html_join(
        "",
        '<rect class="series-{} bar" x="{}" y="{}" width="{}" height="{}">'
        "<title>{} · {}: {}</title></rect>",
        (
            (
                *(n, BAR_LEFT, TOP + g * group + n * (BAR + BAR_GAP), f"{width(v):.1f}", BAR),
                *(label, s.name, _figure(v, unit)),
            )
            for g, label in enumerate(labels)
            for n, s in enumerate(series)
            if (v := s.values[g]) is not None
        ),
    )
    return _frame(
        testid=testid,
        title=title,
        desc=_desc(labels, series, unit),
        height=height,
        body=format_html("{}{}{}{}", _legend(series), axis, names, bars),
    )

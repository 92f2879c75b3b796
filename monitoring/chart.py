"""The loss-of-contact trend as an inline SVG line chart, drawn on the server.

No chart library and no script: the site's CSP is script-src 'self' and nothing is fetched
from a CDN. Presentation attributes and CSS classes only (portal.css), no inline style.
"""

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 600, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 28, 16, 32


def _nice_top(value: float) -> float:
    """A round upper bound for the y axis (in percent): 1, 2, 5, 10, 20, 50, 100."""
    for top in (1, 2, 5, 10, 20, 50, 100):
        if value <= top:
            return float(top)
    return 100.0


def trend_svg(points: Sequence[tuple[str, float]], *, title: str) -> SafeString:
    """``points``: (label, rate 0–1) oldest first. Returns the <svg> element."""
    if not points:
        return mark_safe("")
    percents = [rate * 100 for _label, rate in points]
    top = _nice_top(max(percents))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def xy(i: int, percent: float) -> tuple[float, float]:
        return LEFT + i * step, TOP + plot_h * (1 - percent / top)

    coordinates = [xy(i, p) for i, p in enumerate(percents)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
    dots = format_html_join(
        "",
        '<circle class="dot" cx="{}" cy="{}" r="3"><title>{}: {}%</title></circle>',
        (
            (f"{x:.1f}", f"{y:.1f}", label, f"{p:.1f}")
            for (x, y), (label, _rate), p in zip(coordinates, points, percents, strict=True)
        ),
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (f"{x:.1f}", HEIGHT - 10, label)
            for (x, _y), (label, _rate) in zip(coordinates, points, strict=True)
        ),
    )
    grid = format_html_join(
        "",
        '<line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text x="{}" y="{}" text-anchor="end">{}%</text>',
        (
            (LEFT, WIDTH - RIGHT, f"{y:.1f}", f"{y:.1f}", LEFT - 6, f"{y + 3:.1f}", f"{value:g}")
            for value in (0, top / 2, top)
            for y in [TOP + plot_h * (1 - value / top)]
        ),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'data-testid="trend-chart"><title>{}</title>{}{}'
        '<polyline class="line" points="{}"/>{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        title,
        grid,
        labels,
        line,
        dots,
    )


def chart_title() -> str:
    return _("Loss-of-contact rate, last 12 months")

"""Small SVG charts drawn on the server. Each chart has a title and a description for screen
readers, and every page that shows one also shows the same numbers as a table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#0b57a4", "#a4141b", "#1e7b34", "#7a3e00", "#5b2a86", "#00606b", "#4a5560"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", ""]


@dataclass
class Series:
    label: str
    points: list[tuple[float, float | None]]  # (x, y); y None = no data


def n(value: float) -> str:
    """A coordinate as text (format_html escapes its arguments, so numbers go in as text)."""
    return f"{value:.1f}"


def _frame(chart_id, title, desc, width, height, body) -> SafeString:
    return format_html(
        '<svg id="{}" class="chart" role="img" viewBox="0 0 {} {}" width="100%" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        chart_id,
        width,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        desc,
        body,
    )


def line_chart(
    chart_id: str,
    title: str,
    desc: str,
    series: list[Series],
    *,
    y_max: float = 1.0,
    y_format: str = "{:.0%}",
    width: int = 720,
    height: int = 300,
) -> SafeString:
    """Lines over numeric x (e.g. years), each with its own colour and dash pattern so that
    they are told apart without colour too, and a legend."""
    xs = sorted({x for s in series for x, _ in s.points})
    if not xs:
        return _frame(
            chart_id, title, desc, width, 60, mark_safe('<text x="10" y="30">No data</text>')
        )
    left, right, top, bottom = 56, 170, 16, 36
    x0, x1 = xs[0], xs[-1] if xs[-1] != xs[0] else xs[0] + 1
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x):
        return left + (x - x0) / (x1 - x0) * plot_w

    def py(y):
        return top + plot_h - (y / y_max if y_max else 0) * plot_h

    parts = []
    for i in range(5):
        y = y_max * i / 4
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#c9d1d9"/>'
                '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#1b1f24">{}</text>',
                left,
                left + plot_w,
                n(py(y)),
                n(py(y)),
                left - 6,
                n(py(y) + 4),
                y_format.format(y),
            )
        )
    step = max(1, len(xs) // 10)
    for x in xs[::step]:
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="#1b1f24">{}</text>',
                n(px(x)),
                height - 12,
                int(x),
            )
        )
    for k, s in enumerate(series):
        colour, dash = PALETTE[k % len(PALETTE)], DASHES[k % len(DASHES)]
        runs, run = [], []
        for x, y in sorted(s.points):
            if y is None:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(f"{px(x):.1f},{py(min(y, y_max)):.1f}")
        if run:
            runs.append(run)
        for r in runs:
            parts.append(
                format_html(
                    '<polyline fill="none" stroke="{}" stroke-width="2.5" stroke-dasharray="{}" '
                    'points="{}"/>',
                    colour,
                    dash,
                    " ".join(r),
                )
            )
        ly = top + 18 * k + 8
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2.5" '
                'stroke-dasharray="{}"/>'
                '<text x="{}" y="{}" font-size="12" fill="#1b1f24">{}</text>',
                width - right + 12,
                width - right + 40,
                ly,
                ly,
                colour,
                dash,
                width - right + 46,
                ly + 4,
                s.label,
            )
        )
    return _frame(chart_id, title, desc, width, height, mark_safe("".join(parts)))


@dataclass
class Bar:
    start: dt.date
    end: dt.date | None
    label: str
    uncertain: bool = False
    acting: bool = False
    # the end nobody recorded: ``end`` is then the last day it surely ran to, and the bar
    # fades out after it rather than stopping at a made-up day
    end_unknown: bool = False


def lanes(bars: list[Bar]) -> list[list[Bar]]:
    """Spread overlapping bars over as few rows as needed (a committee's seats side by side)."""
    result: list[list[Bar]] = []
    for bar in sorted(bars, key=lambda b: b.start):
        for lane in result:
            last = lane[-1]
            if last.end is not None and last.end <= bar.start:
                lane.append(bar)
                break
        else:
            result.append([bar])
    return result or [[]]


def timeline_chart(
    chart_id: str,
    title: str,
    desc: str,
    rows: list[tuple[str, list[Bar]]],
    *,
    first: dt.date,
    last: dt.date,
    width: int = 960,
) -> SafeString:
    """One row per position, one bar per holder, over the years."""
    left, right, top, row_h = 260, 16, 28, 30
    height = top + row_h * max(len(rows), 1) + 24
    span = max((last - first).days, 1)
    plot_w = width - left - right

    def px(day):
        return left + max(0, min((day - first).days, span)) / span * plot_w

    parts = []
    for year in range(first.year + 1, last.year + 1):
        if (last.year - first.year) > 15 and year % 5:
            continue
        x = n(px(dt.date(year, 1, 1)))
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#c9d1d9"/>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#1b1f24">{}'
                "</text>",
                x,
                x,
                top - 4,
                height - 20,
                x,
                height - 6,
                year,
            )
        )
    for i, (label, bars) in enumerate(rows):
        y = top + i * row_h
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#1b1f24">{}</text>',
                left - 8,
                y + 19,
                label[:40],
            )
        )
        for k, bar in enumerate(bars):
            x0, x1 = px(bar.start), px(bar.end or last)
            fill = PALETTE[k % 2] if not bar.acting else "#7a3e00"
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" '
                    'fill-opacity="{}" stroke="#ffffff"><title>{}</title></rect>',
                    n(x0),
                    y + 5,
                    n(max(x1 - x0, 1.5)),
                    row_h - 10,
                    fill,
                    "0.55" if bar.uncertain else "1",
                    bar.label,
                )
            )
            if bar.end_unknown:  # a fading tail and a question mark: it ended, nobody says when
                x = x0 + max(x1 - x0, 1.5)
                for step, opacity in enumerate(("0.45", "0.3", "0.18", "0.08")):
                    parts.append(
                        format_html(
                            '<rect x="{}" y="{}" width="6" height="{}" fill="{}" '
                            'fill-opacity="{}"><title>{}</title></rect>',
                            n(x + 6 * step),
                            y + 5,
                            row_h - 10,
                            fill,
                            opacity,
                            bar.label,
                        )
                    )
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" font-size="12" fill="#1b1f24">?</text>',
                        n(x + 27),
                        y + 19,
                    )
                )
    return _frame(
        chart_id, title, desc, width, height, format_html_join("", "{}", ((p,) for p in parts))
    )


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    rows: list[tuple[str, float | None, float | None]],
    *,
    width: int = 640,
    x_max: float = 1.0,
) -> SafeString:
    """Horizontal bars (a share per row) with a dark tick at a reference share (the pool's);
    rows without a value say so in words."""
    left, right, top, row_h = 230, 70, 10, 34
    height = top + row_h * max(len(rows), 1) + 26
    plot_w = width - left - right

    def px(v):
        return left + min(max(v / x_max, 0), 1) * plot_w

    parts = []
    for i in range(5):
        x = px(x_max * i / 4)
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#c9d1d9"/>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#1b1f24">{}</text>',
                n(x),
                n(x),
                top,
                height - 22,
                n(x),
                height - 8,
                f"{x_max * i / 4:.0%}",
            )
        )
    for i, (label, value, reference) in enumerate(rows):
        y = top + i * row_h
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#1b1f24">{}</text>',
                left - 8,
                y + 21,
                label,
            )
        )
        if value is None:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="12" fill="#4a5560">not shown</text>',
                    left + 4,
                    y + 21,
                )
            )
        else:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="#0b57a4"/>'
                    '<text x="{}" y="{}" font-size="12" fill="#1b1f24">{}</text>',
                    left,
                    y + 8,
                    n(px(value) - left),
                    row_h - 14,
                    n(px(value) + 4),
                    y + 21,
                    f"{value:.0%}",
                )
            )
        if reference is not None:
            parts.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#1b1f24" stroke-width="3"/>',
                    n(px(reference)),
                    n(px(reference)),
                    y + 3,
                    y + row_h - 3,
                )
            )
    return _frame(
        chart_id, title, desc, width, height, format_html_join("", "{}", ((p,) for p in parts))
    )

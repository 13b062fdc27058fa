"""The organizational chart drawn as SVG on the server, from the tree that
:func:`convener.org.services.org_chart` returns, and its PNG and PDF downloads.

Layout. The collaboration's management sits at the top; below it, one column per L1 area
with its L2 areas and L3 groups stacked and indented under it, then one column for the boards
and one for the advisory committees. Lines run from each unit to its children. We tried the
general-purpose layouts first: Graphviz's layered ``dot`` (and ELK's ``layered``, which would
also need Node.js at run time) put every L3 group of the collaboration in one row, a chart
some 40 boxes wide that no screen can show. The column layout is what collaborations draw by
hand; it is a fixed, simple geometry (a few dozen lines below), so it needs no library. The
width grows with the number of L1 areas, the height with the size of the largest one, and
the text stays at reading size at 200 units; the page adds zoom and pan.

Looks. Every class and colour the SVG uses is in one stylesheet, ``static/convener/
orgchart.css``: the page links it, the downloaded SVG carries a copy, and the Jekyll site's
chart can match it.

Conversion. CairoSVG (Kozea, the makers of WeasyPrint) turns the same SVG into PNG and PDF,
so the three downloads are one drawing.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.html import escape

from convener.org.models import Appointment, OrgUnit
from convener.org.services import Holder, PositionNode, UnitNode

STYLESHEET = Path(settings.BASE_DIR) / "static" / "convener" / "orgchart.css"

BOX_W = 250  # a top-level box; nested boxes are indented by INDENT per level
INDENT = 14
COL_GAP = 28
ROW_GAP = 10
PAD = 8
NAME_H = 19  # the unit's name
KIND_H = 15  # its kind and level
TITLE_H = 15  # a position's title
LINE_H = 16  # a holder, a vacancy or an incoming appointee
TOP_GAP = 56  # between the management box and the columns
MARGIN = 16
CHAR_W = {13: 7.4, 12: 6.7, 11: 6.1, 10: 5.6}  # a generous average glyph width, sans-serif


def text_width(text: str, size: int) -> float:
    return len(text) * CHAR_W[size]


def fit(text: str, width: float, size: int) -> str:
    """``text`` cut with an ellipsis so that it fits ``width`` (the full text goes in a
    <title>, which browsers show on hover)."""
    if text_width(text, size) <= width:
        return text
    keep = max(int(width / CHAR_W[size]) - 1, 1)
    return text[:keep].rstrip() + "…"


@dataclass
class Line:
    kind: str  # "title", "holder", "vacant", "unknown" (no record), "incoming"
    text: str
    href: str = ""
    badges: list[str] = field(default_factory=list)
    full: str = ""
    position: str = ""  # the slug of the position a title line opens


@dataclass
class Box:
    node: UnitNode
    depth: int  # 0 for the top of a column
    x: float = 0
    y: float = 0
    w: float = BOX_W
    lines: list[Line] = field(default_factory=list)
    parent: Box | None = None

    @property
    def h(self) -> float:
        body = sum(TITLE_H if line.kind == "title" else LINE_H for line in self.lines)
        return PAD + NAME_H + KIND_H + body + PAD

    @property
    def unit(self) -> OrgUnit:
        return self.node.unit


def unit_kind(unit: OrgUnit) -> str:
    kind = unit.get_kind_display()
    if unit.level is not None and unit.level > 0:
        return f"{unit.get_level_display()} {kind.lower()}"
    return kind


def short_title(position, unit: OrgUnit) -> str:
    """ "Tracker Upgrade L1 Manager" in the box of Tracker Upgrade reads "L1 Manager"."""
    title = position.title
    for prefix in (unit.name, unit.short_name):
        if prefix and title.startswith(prefix + " ") and len(title) > len(prefix) + 1:
            return title[len(prefix) + 1 :]
    return title


def holder_badges(holder: Holder) -> list[str]:
    badges = []
    if holder.appointment.is_acting:
        badges.append(holder.appointment.get_capacity_display().lower())
    if not holder.sure:
        badges.append("dates uncertain")
    if holder.holdover_since:
        badges.append("holdover")
    return badges


def unrecorded_text(a: Appointment) -> str:
    """What is known of a seat whose last holder's end nobody recorded."""
    return f"{a.person.name} from {a.start_date}; no record after that of who held it"


def position_lines(
    pn: PositionNode, unit: OrgUnit, incoming: list[Appointment], link_day: dt.date | None = None
) -> list[Line]:
    """The lines of a position in its box; with ``link_day`` (a chart of another day than
    today), the position links to its page as it stood that day, as the list beside it does."""
    seats = f" ({pn.seats} seats)" if pn.seats > 1 else ""
    title = short_title(pn.position, unit) + seats
    href = pn.position.get_absolute_url()
    if link_day is not None:
        href += f"?on={link_day.isoformat()}"
    lines = [
        Line(
            "title",
            title,
            href,
            full=pn.position.title + seats,
            position=pn.position.slug,
        )
    ]
    for h in pn.holders:
        person = h.appointment.person
        lines.append(Line("holder", person.name, person.get_absolute_url(), holder_badges(h)))
    for a in pn.unrecorded:
        lines.append(
            Line(
                "unknown",
                f"Unknown since {a.start_date}",
                badges=["unknown"],
                full=unrecorded_text(a),
            )
        )
    if pn.vacant_seats:
        text = "Vacant" if pn.vacant_seats == pn.seats else f"{pn.vacant_seats} vacant"
        lines.append(Line("vacant", text, badges=["vacant"]))
    for a in incoming:
        lines.append(
            Line(
                "incoming",
                a.person.name,
                a.person.get_absolute_url(),
                ["incoming"],
                full=f"{a.person.name}, incoming from {a.start_date}",
            )
        )
    return lines


def incoming_for(position, today: dt.date) -> list[Appointment]:
    """The appointees of ``position`` who have been appointed and not yet started."""
    return list(
        position.appointments.filter(start__gt=today).select_related("person").order_by("start")
    )


@dataclass
class Layout:
    tops: list[Box]
    columns: list[list[Box]]
    width: float
    height: float


def _column_groups(children: list[UnitNode]) -> list[list[UnitNode]]:
    """One column per area; boards together, committees together."""
    columns: list[list[UnitNode]] = []
    grouped: dict[str, list[UnitNode]] = {}
    for child in children:
        if child.unit.kind in (OrgUnit.Kind.BOARD, OrgUnit.Kind.COMMITTEE):
            grouped.setdefault(child.unit.kind, [])
            if not grouped[child.unit.kind]:
                columns.append(grouped[child.unit.kind])
            grouped[child.unit.kind].append(child)
        else:
            columns.append([child])
    return columns


def layout(
    roots: list[UnitNode],
    incoming: dict[int, list[Appointment]],
    link_day: dt.date | None = None,
) -> Layout:
    """Place every unit of the tree (see the module's docstring for the shape)."""

    def box_for(node: UnitNode, depth: int, parent: Box | None) -> Box:
        box = Box(node, depth, parent=parent)
        box.w = BOX_W - depth * INDENT
        for pn in node.positions:
            box.lines += position_lines(pn, node.unit, incoming.get(pn.position.pk, []), link_day)
        return box

    tops = [box_for(r, 0, None) for r in roots]
    columns: list[list[Box]] = []
    x = MARGIN
    top_h = max((b.h for b in tops), default=0)
    col_y = MARGIN + top_h + TOP_GAP if tops else MARGIN
    for top in tops:
        first_x = x
        for group in _column_groups(top.node.children) or [[]]:
            column: list[Box] = []
            y = col_y

            def place(node, depth, parent, column=column, x=x):
                nonlocal y
                box = box_for(node, depth, parent)
                box.x, box.y = x + depth * INDENT, y
                y += box.h + ROW_GAP
                column.append(box)
                for child in node.children:
                    place(child, depth + 1, box)

            for node in group:
                place(node, 0, top)
            if column:
                columns.append(column)
                x += BOX_W + COL_GAP
        # at the left, over the first column: where a reader (and a scrolled frame) starts
        top.x = first_x
        top.y = MARGIN + (top_h - top.h)
        x = max(x, first_x + BOX_W + COL_GAP)
    height = max([b.y + b.h for col in columns for b in col] + [b.y + b.h for b in tops] + [MARGIN])
    return Layout(tops, columns, width=max(x - COL_GAP + MARGIN, 200), height=height + MARGIN)


# -- drawing ----------------------------------------------------------------------------------
def _a(href: str, inner: str, focusable: bool) -> str:
    if not href:
        return inner
    tab = "" if focusable else ' tabindex="-1"'
    return f'<a href="{escape(href)}"{tab}>{inner}</a>'


def _badge(x: float, y: float, kind: str, label: str, tip: str = "") -> tuple[str, float]:
    w = text_width(label, 10) + 10
    cls = "oc-badge oc-badge-" + kind.replace(" ", "-")
    tip = f"<title>{escape(tip)}</title>" if tip else ""
    return (
        f'<g class="{cls}">{tip}<rect x="{x:.1f}" y="{y - 11:.1f}" width="{w:.1f}" '
        f'height="14" rx="3"/><text x="{x + 5:.1f}" y="{y:.1f}">{escape(label)}</text></g>',
        w,
    )


def _box(box: Box, focusable: bool) -> str:
    unit = box.unit
    inner_w = box.w - 2 * PAD
    parts = [
        f'<g class="oc-unit oc-{unit.kind}" id="oc-{escape(unit.slug)}" '
        f'data-unit="{escape(unit.slug)}" '
        f'data-parent="{escape(box.parent.unit.slug) if box.parent else ""}" '
        f'data-depth="{box.depth}" data-h="{box.h:.0f}" '
        f'transform="translate({box.x:.1f},{box.y:.1f})">',
        f"<title>{escape(unit.name)}</title>",
        f'<rect class="oc-box" width="{box.w:.0f}" height="{box.h:.0f}" rx="6"/>',
        f'<rect class="oc-band" width="{box.w:.0f}" height="5" rx="2"/>',
        _a(
            unit.get_absolute_url(),
            f'<text class="oc-name" x="{PAD}" y="{PAD + 14}">'
            f"{escape(fit(unit.name, inner_w, 13))}</text>",
            focusable,
        ),
        f'<text class="oc-kind" x="{PAD}" y="{PAD + NAME_H + 11}">'
        f"{escape(fit(unit_kind(unit), inner_w, 11))}</text>",
    ]
    y = PAD + NAME_H + KIND_H
    open_group = False
    for line in box.lines:
        if line.kind == "title":
            if open_group:
                parts.append("</g>")
            parts.append(f'<g class="oc-position" data-position="{escape(line.position)}">')
            open_group = True
            y += TITLE_H
            label = escape(fit(line.text, inner_w, 11))
            title = f"<title>{escape(line.full)}</title>" if line.full != line.text else ""
            parts.append(
                _a(
                    line.href,
                    f'<text class="oc-title" x="{PAD}" y="{y - 3}">{title}{label}</text>',
                    focusable,
                )
            )
            continue
        y += LINE_H
        badges_w = sum(text_width(b, 10) + 14 for b in line.badges)
        seat = line.kind in ("vacant", "unknown")  # drawn as its badge alone
        if seat:
            text = ""
        else:
            shown = fit(line.text, inner_w - 10 - badges_w, 12)
            tip = f"<title>{escape(line.full)}</title>" if line.full else ""
            text = _a(
                line.href,
                f'<text class="oc-{line.kind}" x="{PAD + 10}" y="{y - 4}">{tip}'
                f"{escape(shown)}</text>",
                focusable,
            )
        bx = PAD + 10 + (0 if seat else text_width(fit(line.text, 999, 12), 12))
        bx = min(bx + 6, box.w - PAD - badges_w) if not seat else PAD + 10
        badge_parts = []
        for label in line.badges:
            shown = fit(line.text, inner_w - 20, 10) if seat else label
            svg, w = _badge(bx, y - 4, label, shown, line.full if seat else "")
            badge_parts.append(svg)
            bx += w + 4
        parts.append(text + "".join(badge_parts))
    if open_group:
        parts.append("</g>")
    parts.append("</g>")
    return "".join(parts)


def _links(lay: Layout) -> list[str]:
    """Connectors: down from the management box to a bus, from the bus to each column, and
    from each unit to its children. Each carries what the page's script needs to redraw it
    after a collapse (the child it leads to, and how it is drawn)."""
    paths = []
    for top in lay.tops:
        columns = [col for col in lay.columns if col and col[0].parent is top]
        if not columns:
            continue
        bus_y = top.y + top.h + TOP_GAP / 2
        cx = top.x + top.w / 2
        xs = [cx]
        paths.append(f'<path class="oc-link" d="M{cx:.1f},{top.y + top.h:.1f}V{bus_y:.1f}"/>')
        for col in columns:
            head = col[0]
            xs.append(head.x + 12)
            paths.append(f'<path class="oc-link" d="M{head.x + 12:.1f},{bus_y:.1f}V{head.y:.1f}"/>')
            for box in col[1:]:
                if box.depth == 0:  # boards and committees share a column: a side trunk
                    trunk = head.x - INDENT / 2
                    xs.append(trunk)
                    paths.append(_link(box, "side", trunk, bus_y))
        paths.append(f'<path class="oc-link" d="M{min(xs):.1f},{bus_y:.1f}H{max(xs):.1f}"/>')
    for col in lay.columns:
        for box in col:
            if box.depth > 0:
                paths.append(
                    _link(box, "nest", box.parent.x + INDENT / 2, box.parent.y + box.parent.h)
                )
    return paths


def _link(box: Box, kind: str, trunk_x: float, from_y: float) -> str:
    mid = box.y + PAD + 10
    return (
        f'<path class="oc-link" data-child="{escape(box.unit.slug)}" data-kind="{kind}" '
        f'data-from="{from_y:.1f}" d="M{trunk_x:.1f},{from_y:.1f}V{mid:.1f}H{box.x:.1f}"/>'
    )


def legend_text(day: dt.date) -> str:
    return (
        f"Organizational chart on {day.isoformat()}: each box is a unit with its positions and "
        "who held them; lines lead to the units below. Badges mark vacant seats, seats with no "
        "record after their last holder's start, holders whose dates are uncertain, holdovers, "
        "acting holders and incoming appointees."
    )


def render_svg(
    roots: list[UnitNode],
    day: dt.date,
    incoming: dict[int, list[Appointment]],
    *,
    standalone: bool,
    base_url: str = "",
    is_today: bool = True,
) -> str:
    """The chart as SVG text. ``standalone`` (the download) carries its own stylesheet and
    absolute links; the page's inline copy is hidden from screen readers and from the Tab key
    (the list beside it is the accessible version, with the same links). A chart of another
    day than today (``is_today`` False) links each position to its page of ``day``."""
    lay = layout(roots, incoming, None if is_today else day)
    body = [*_links(lay)]
    for box in lay.tops:
        body.append(_box(box, standalone))
    for col in lay.columns:
        body.append('<g class="oc-col">')
        body.extend(_box(box, standalone) for box in col)
        body.append("</g>")
    w, h = f"{lay.width:.0f}", f"{lay.height:.0f}"
    if standalone:
        head = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
            f'xmlns:xlink="http://www.w3.org/1999/xlink" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}" role="img" aria-labelledby="oc-t oc-d" class="oc-chart">'
            f'<title id="oc-t">Organizational chart, {day.isoformat()}</title>'
            f'<desc id="oc-d">{escape(legend_text(day))}</desc>'
            f"<style>{stylesheet()}</style>"
            f'<rect class="oc-paper" width="{w}" height="{h}"/>'
        )
        svg = head + "".join(body) + "</svg>\n"
        if base_url:
            svg = svg.replace('href="/', f'href="{escape(base_url)}/')
        return svg
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        f'class="oc-chart" aria-hidden="true" focusable="false">'
        f'<rect class="oc-paper" width="{w}" height="{h}"/>' + "".join(body) + "</svg>"
    )


@cache
def stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


MAX_PNG_PIXELS = 12_000_000  # a whole collaboration's chart stays a file slides can take


def to_png(svg: str, scale: float = 1.5) -> bytes:
    """The drawing as PNG, 1.5 times its size (sharp on slides), less when it would pass
    twelve million pixels."""
    import cairosvg

    root_size = re.search(r'width="(\d+)" height="(\d+)"', svg)
    if root_size:
        pixels = int(root_size[1]) * int(root_size[2]) * scale * scale
        if pixels > MAX_PNG_PIXELS:
            scale *= (MAX_PNG_PIXELS / pixels) ** 0.5
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale, unsafe=False)


def to_pdf(svg: str) -> bytes:
    import cairosvg

    return cairosvg.svg2pdf(bytestring=svg.encode("utf-8"), unsafe=False)


def subtree(roots: list[UnitNode], slug: str) -> UnitNode | None:
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node.unit.slug == slug:
            return node
        stack.extend(node.children)
    return None


def render_list(
    roots: list[UnitNode], day: dt.date, is_today: bool, incoming: dict[int, list[Appointment]]
) -> str:
    """The chart as a list (for screen readers and the keyboard, with every link): each unit
    a section with its name as a heading, its positions and holders. Written here rather than
    as a recursive template: the template took most of a cold chart's time."""
    out: list[str] = []
    on = "" if is_today else f"?on={day:%Y-%m-%d}"
    for node in roots:
        _list_unit(node, 3, on, incoming, out)
    return "".join(out)


def _list_unit(node: UnitNode, depth: int, on: str, incoming, out: list[str]) -> None:
    e = _escape
    unit = node.unit
    slug = e(unit.slug)
    out.append(
        f'<section class="org-unit" id="unit-{slug}" aria-labelledby="unit-{slug}-h">\n'
        '  <div class="org-unit-head">'
    )
    if depth <= 6:
        out.append(f'<h{depth} id="unit-{slug}-h" class="unit-name">{e(unit.name)}</h{depth}>')
    else:
        out.append(
            f'<p role="heading" aria-level="{depth}" id="unit-{slug}-h" class="unit-name">'
            f"{e(unit.name)}</p>"
        )
    level = f"{e(unit.get_level_display())} " if unit.level is not None and unit.level > 0 else ""
    out.append(
        f'\n  <span class="unit-kind">{level}{e(unit.get_kind_display().lower())}</span></div>\n'
    )
    if node.positions:
        out.append('  <ul class="positions">\n')
        for pn in node.positions:
            position = pn.position
            url = e(position.get_absolute_url()) + on
            out.append(f'    <li><a href="{url}">{e(position.title)}</a>:\n      ')
            holders = []
            for h in pn.holders:
                a = h.appointment
                text = f'<a href="{e(a.person.get_absolute_url())}">{e(a.person.name)}</a>'
                if a.is_acting:
                    text += f" ({e(a.get_capacity_display().lower())})"
                if not h.sure:
                    text += ' <span class="uncertain">(dates uncertain)</span>'
                if h.holdover_since:
                    text += (
                        f' <span class="holdover">(holdover since {h.holdover_since:%Y-%m})</span>'
                    )
                holders.append(text)
            for a in pn.unrecorded:  # an end nobody recorded, and no later holder: not vacant
                holders.append(
                    f'<span class="uncertain">unknown since {e(a.start_date)} (<a href="'
                    f'{e(a.person.get_absolute_url())}">{e(a.person.name)}</a> from '
                    f"{e(a.start_date)}, end not recorded)</span>"
                )
            out.append(", ".join(holders) or '<strong class="vacant">Vacant</strong>')
            out.append("\n      ")
            if pn.vacant_seats and pn.vacant_seats != pn.seats:
                out.append(
                    f'<span class="seats">({pn.vacant_seats} of {pn.seats} seats vacant)</span>'
                )
            out.append("\n      ")
            for a in incoming.get(position.pk, []) if incoming else []:
                out.append(
                    f'<span class="incoming">incoming: <a href="{e(a.person.get_absolute_url())}">'
                    f"{e(a.person.name)}</a> from {e(a.start_date)}</span>"
                )
            out.append("\n    </li>\n")
        out.append("  </ul>\n")
    for child in node.children:
        _list_unit(child, depth + 1, on, incoming, out)
    out.append("</section>\n")


def _escape(value) -> str:
    return html.escape(str(value))

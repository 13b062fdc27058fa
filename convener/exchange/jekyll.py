"""Publication on the collaboration's Jekyll website: data files under ``_data/convener/`` and
pages under ``leadership/``, written only when their content changed, so a second run with
no change writes nothing, and nothing else in the site is touched."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.utils import timezone

from convener.core.text import markdown_html
from convener.nominations.models import Call
from convener.org import services as org_services
from convener.org.models import Appointment, Position
from convener.org.succession import LEADERSHIP_LEVELS

MARKER = "generator: convener"


class NotAJekyllSite(Exception):
    pass


def _dump(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


def _page(front: dict, body: str) -> str:
    return "---\n" + _dump({**front, "generator": "convener"}) + "---\n" + body


def _unit_rows(nodes, out, depth=0):
    for node in nodes:
        out.append(
            {
                "id": node.unit.slug,
                "name": node.unit.name,
                "kind": node.unit.kind,
                "depth": depth,
                "positions": [
                    {
                        "id": pn.position.slug,
                        "title": pn.position.title,
                        "holders": [h.appointment.person.name for h in pn.holders],
                        "vacant": not pn.holders,
                    }
                    for pn in node.positions
                ],
            }
        )
        _unit_rows(node.children, out, depth + 1)
    return out


def collect() -> dict[str, str]:
    """Every file to publish, relative path -> content."""
    today = timezone.localdate()
    files: dict[str, str] = {}
    units = _unit_rows(org_services.org_chart(today), [])
    positions = {}
    current = {}
    for a in Appointment.objects.possibly_on(today).select_related("person"):
        current.setdefault(a.position_id, []).append(
            {
                "name": a.person.name,
                "since": str(a.start_date) if a.start_date else None,
                "term": a.term_number,
                "acting": a.is_acting,
                "source": a.source or None,
            }
        )
    qs = Position.objects.possibly_on(today).select_related("unit").order_by("slug")
    for p in qs:
        positions[p.slug] = {
            "title": p.title,
            "unit": p.unit.name,
            "level": p.level,
            "role": p.get_role_display(),
            "seats": p.seats,
            "term_months": p.term_months,
            "term_limit": p.term_limit,
            "mandate_html": markdown_html(p.mandate),
            "requirements_html": markdown_html(p.requirements),
            "holders": current.get(p.pk, []),
        }
    calls = [
        {
            "id": c.pk,
            "title": c.title,
            "state": c.get_state_display(),
            "position": c.position.slug,
            "opens": c.opens_at.isoformat(),
            "closes": c.closes_at.isoformat(),
            "mandate_html": markdown_html(c.mandate),
        }
        for c in Call.objects.filter(state=Call.State.OPEN)
        .select_related("position")
        .order_by("closes_at", "id")
    ]
    history = [
        {
            "person": a.person.name,
            "position": a.position.title,
            "level": a.position.level,
            "start": str(a.start_date) if a.start_date else None,
            "end": "unknown" if a.end_unknown else (str(a.end_date) if a.end else None),
            "acting": a.is_acting,
            "source": a.source or None,
        }
        for a in Appointment.objects.filter(position__level__in=LEADERSHIP_LEVELS)
        .select_related("person", "position")
        .order_by("position__title", "start", "id")
    ]
    files["_data/convener/structure.yml"] = _dump(units)
    files["_data/convener/positions.yml"] = _dump(positions)
    files["_data/convener/calls.yml"] = _dump(calls)
    files["_data/convener/history.yml"] = _dump(history)
    files["leadership/index.md"] = _page(
        {"layout": "default", "title": "Organization and leadership", "permalink": "/leadership/"},
        ORG_CHART,
    )
    files["leadership/calls.md"] = _page(
        {"layout": "default", "title": "Calls for nominations", "permalink": "/leadership/calls/"},
        CALLS,
    )
    for slug, p in positions.items():
        files[f"leadership/positions/{slug}.md"] = _page(
            {
                "layout": "default",
                "title": p["title"],
                "permalink": f"/leadership/positions/{slug}/",
                "convener_position": slug,
            },
            POSITION,
        )
    return files


def publish(site: Path) -> dict[str, int]:
    """Write what changed into the Jekyll site at ``site``; remove pages of positions that no
    longer exist (only pages this command wrote). Returns counts."""
    site = Path(site)
    if not site.is_dir() or not (site / "_config.yml").is_file():
        raise NotAJekyllSite(f"{site} is not a Jekyll site: it has no _config.yml")
    files = collect()
    written = unchanged = removed = 0
    for relative, content in files.items():
        path = site / relative
        if path.is_file() and path.read_text(encoding="utf-8") == content:
            unchanged += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written += 1
    pages = site / "leadership" / "positions"
    if pages.is_dir():
        for path in pages.glob("*.md"):
            rel = str(path.relative_to(site))
            if rel not in files and MARKER in path.read_text(encoding="utf-8")[:2000]:
                path.unlink()
                removed += 1
    return {"written": written, "unchanged": unchanged, "removed": removed}


PAGES = Path(__file__).parent / "jekyll_pages"  # Liquid bodies of the generated pages
ORG_CHART = (PAGES / "org_chart.liquid").read_text(encoding="utf-8")
POSITION = (PAGES / "position.liquid").read_text(encoding="utf-8")
CALLS = (PAGES / "calls.liquid").read_text(encoding="utf-8")

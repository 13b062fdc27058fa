"""The data files a site's templates read (``_data/convener/*.yml``), built from the registry.

Keys are documented in docs/jekyll.md; every record carries both Convener's own id (``id``,
the slug used in addresses) and the registry's external id (``external_id``, the key the
collaboration's own systems and website use), so a site's templates can join on either.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from convener.core.dates import PartialDate
from convener.core.text import markdown_html
from convener.nominations.models import Call
from convener.org import services as org_services
from convener.org.models import Appointment, OrgUnit, Position
from convener.people.models import Affiliation, Person

from .config import SiteConfig


def unit_level(unit: OrgUnit) -> str:
    """A unit's level in the positions' vocabulary (top, L1-L3, board, committee), so one
    ``levels`` setting selects units and positions alike."""
    if unit.kind == OrgUnit.Kind.BOARD:
        return Position.Level.BOARD.value
    if unit.kind == OrgUnit.Kind.COMMITTEE:
        return Position.Level.COMMITTEE.value
    if unit.level in (None, OrgUnit.Level.TOP):
        return Position.Level.TOP.value
    return f"L{unit.level}"


def unit_label(unit: OrgUnit) -> str:
    """ "L1 area", "Advisory committee": what the app's chart says under a unit's name."""
    kind = str(unit.get_kind_display())
    if unit.level:
        return f"{unit.get_level_display()} {kind.lower()}"
    return kind


def _institution(inst) -> dict | None:
    if inst is None:
        return None
    return {
        "id": inst.slug,
        "external_id": inst.external_id,
        "name": inst.name,
        "short_name": inst.short_name or None,
    }


def _partial(value: dt.date | None, precision: str) -> str | None:
    return str(PartialDate(value, precision)) if value else None


def _moment(value: dt.datetime) -> str:
    """A deadline in the registry's time zone, to the second, with its offset."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def appointment_row(a: Appointment, institution) -> dict:
    """One holder, now or in the past: the same keys in positions.yml and history.yml."""
    return {
        "person": a.person.slug,
        "external_id": a.person.external_id,
        "name": a.person.name,
        "institution": _institution(institution),
        "start": _partial(a.start, a.start_precision),
        "start_precision": a.start_precision,
        "term": a.term_number,
        "acting": a.is_acting,
        "capacity": a.capacity,
        "source": a.source or None,  # the record it comes from: a URL or a citation
    }


class Collector:
    """Reads the registry once and shapes it for the site's configuration."""

    def __init__(self, config: SiteConfig, today: dt.date | None = None):
        self.config = config
        self.today = today or timezone.localdate()

    def collect(self) -> dict[str, object]:
        """Every data file's content, by file name (without ``.yml``)."""
        roots = org_services.org_chart(self.today)
        units: list[dict] = []
        positions: dict[str, dict] = {}
        self._walk(roots, None, 0, units, positions)
        self._link_tree(units, positions)
        calls = self._calls(positions)
        history, history_people = self._history()
        people = self._people(positions, history_people)
        return {
            "publication": self.config.publication(),
            "units": units,
            "positions": positions,
            "people": people,
            "calls": calls,
            "history": history,
        }

    # -- the tree -------------------------------------------------------------------------
    def _walk(self, nodes, parent: str | None, depth: int, units, positions) -> None:
        """Units in the tree's order (parents first, siblings by the registry's order); a unit
        of an unpublished level is skipped and its children move up to the nearest published
        ancestor."""
        for node in nodes:
            unit = node.unit
            if unit_level(unit) not in self.config.levels:
                self._walk(node.children, parent, depth, units, positions)
                continue
            published = [pn for pn in node.positions if pn.position.level in self.config.levels]
            row = {
                "id": unit.slug,
                "external_id": unit.external_id,
                "name": unit.name,
                "short_name": unit.short_name or None,
                "kind": unit.kind,
                "level": unit_level(unit),
                "label": unit_label(unit),
                "order": unit.order or None,
                "rank": len(units) + 1,
                "depth": depth,
                "parent": parent,
                "children": [],
                "positions": [pn.position.slug for pn in published],
                "record_url": self.config.record_url(unit.get_absolute_url()),
            }
            units.append(row)
            for pn in published:
                positions[pn.position.slug] = self._position(pn, unit)
            self._walk(node.children, unit.slug, depth + 1, units, positions)

    def _position(self, pn, unit: OrgUnit) -> dict:
        p: Position = pn.position
        holders = []
        for h in pn.holders:
            row = appointment_row(h.appointment, h.institution)
            row["certain"] = h.sure
            row["holdover_since"] = h.holdover_since.isoformat() if h.holdover_since else None
            holders.append(row)
        return {
            "id": p.slug,
            "external_id": p.external_id,
            "title": p.title,
            "unit": unit.slug,
            "unit_name": unit.name,
            "level": p.level,
            "role": p.role,
            "role_label": str(p.get_role_display()),
            "seats": p.seats,
            "vacant_seats": pn.vacant_seats,
            # seats whose last holder's end nobody recorded: neither held nor known vacant
            "unrecorded": [appointment_row(a, None) for a in pn.unrecorded],
            "term_months": p.term_months,
            "term_limit": p.term_limit,
            "deputy_of": p.deputizes_for.slug if p.deputizes_for_id else None,
            "deputies": [],
            "mandate_html": markdown_html(p.mandate),
            "requirements_html": markdown_html(p.requirements),
            "holders": holders,
            "calls": [],
            "page": self.config.url("positions", p.slug),
            "record_url": self.config.record_url(p.get_absolute_url()),
        }

    @staticmethod
    def _link_tree(units: list[dict], positions: dict[str, dict]) -> None:
        """Each unit lists its published children; each lead lists its published deputies."""
        by_id = {u["id"]: u for u in units}
        for u in units:
            if u["parent"] is not None:
                by_id[u["parent"]]["children"].append(u["id"])
        for slug, row in positions.items():
            lead = positions.get(row["deputy_of"] or "")
            if lead is not None:
                lead["deputies"].append(slug)
            elif row["deputy_of"]:
                row["deputy_of"] = None  # the post it deputizes for is not published

    # -- calls ----------------------------------------------------------------------------
    def _calls(self, positions: dict[str, dict]) -> list[dict]:
        """Published calls still to be decided, of published positions, soonest deadline
        first; each position lists its calls too."""
        calls = []
        qs = (
            Call.objects.public()
            .filter(state__in=[Call.State.OPEN, Call.State.CLOSED, Call.State.REVIEW])
            .select_related("position")
            .order_by("closes_at", "id")
        )
        for c in qs:
            position = positions.get(c.position.slug)
            if position is None:
                continue
            is_open = c.state == Call.State.OPEN
            calls.append(
                {
                    "id": c.pk,
                    "title": c.title,
                    "state": c.state,
                    "state_label": str(c.get_state_display()),
                    "position": c.position.slug,
                    "position_title": c.position.title,
                    "seats": c.seats,
                    "opens": _moment(c.opens_at),
                    "closes": _moment(c.closes_at),
                    "time_zone": settings.TIME_ZONE,
                    "mandate_html": markdown_html(c.mandate),
                    "record_url": self.config.record_url(c.get_absolute_url()),
                    "nominate_url": self.config.record_url(
                        reverse("nominations:nominate", args=[c.pk])
                    )
                    if is_open
                    else None,
                }
            )
            position["calls"].append(c.pk)
        return calls

    # -- history and people ---------------------------------------------------------------
    def _history(self) -> tuple[list[dict], set[int]]:
        levels = [lv for lv in self.config.history_levels if lv in self.config.levels]
        in_history = Appointment.objects.filter(position__level__in=levels)
        appointments = list(
            in_history.select_related("person", "position", "position__unit").order_by(
                "position__title", "position_id", "start", "id"
            )
        )
        affiliations = defaultdict(list)
        for aff in (
            # a subquery, not a list of ids: the history runs to thousands of people
            Affiliation.objects.filter(person__in=in_history.values("person_id"))
            .select_related("institution")
            .order_by("start", "id")
        ):
            affiliations[aff.person_id].append(aff)
        rows = []
        for a in appointments:
            # where they worked when they took the post (the latest affiliation that may
            # already have run on the first day)
            at_start = (
                [f for f in affiliations[a.person_id] if f.possibly_covers(a.start)]
                if a.start
                else []  # a start nobody recorded names no institution
            )
            row = appointment_row(a, at_start[-1].institution if at_start else None)
            row.update(
                {
                    "position": a.position.slug,
                    "position_title": a.position.title,
                    "unit": a.position.unit.slug,
                    "unit_name": a.position.unit.name,
                    "level": a.position.level,
                    "end": "unknown" if a.end_unknown else _partial(a.end, a.end_precision),
                    "end_precision": a.end_precision if (a.end or a.end_unknown) else None,
                    "end_kind": a.end_kind if (a.end or a.end_unknown) else None,
                }
            )
            rows.append(row)
        return rows, in_history.values("person_id")

    def _people(self, positions: dict[str, dict], history_people) -> dict[str, dict]:
        """Everyone named in the chart or the history, by Convener id, with the profile
        fields the site chose to publish."""
        current = defaultdict(list)
        for slug, p in positions.items():
            for h in p["holders"]:
                current[h["person"]].append(slug)
        wanted = Person.objects.filter(Q(slug__in=list(current)) | Q(pk__in=history_people))
        people = list(wanted.order_by("sort_key", "slug"))
        institutions = {}
        for aff in (
            Affiliation.objects.possibly_on(self.today)
            .filter(Q(person__slug__in=list(current)) | Q(person__in=history_people))
            .select_related("institution")
            .order_by("start", "id")
        ):
            institutions[aff.person_id] = aff.institution
        out = {}
        for person in people:
            row = {
                "id": person.slug,
                "external_id": person.external_id,
                "name": person.name,
                "sort_name": person.sort_name,
                "institution": _institution(institutions.get(person.pk)),
                "positions": current.get(person.slug, []),
                "record_url": self.config.record_url(person.get_absolute_url()),
            }
            for name in self.config.profile_fields:
                row[name] = getattr(person, name) or None
            out[person.slug] = row
        return out

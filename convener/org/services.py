"""Read and write operations of the leadership registry, shared by views, admin, API and CLI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Max, Prefetch, Q

from convener.core.dates import add_months
from convener.people.models import Affiliation, Person

from .models import Appointment, OrgUnit, Position


@dataclass
class Holder:
    appointment: Appointment
    sure: bool  # False when the dates only allow that they held it that day
    institution: object | None = None
    holdover_since: dt.date | None = None  # the term ended; no successor yet


@dataclass
class PositionNode:
    position: Position
    holders: list[Holder] = field(default_factory=list)

    @property
    def vacant_seats(self) -> int:
        return max(self.position.seats - len(self.holders), 0)


@dataclass
class UnitNode:
    unit: OrgUnit
    positions: list[PositionNode] = field(default_factory=list)
    children: list[UnitNode] = field(default_factory=list)

    def count_vacancies(self) -> int:
        own = sum(1 for p in self.positions if not p.holders)
        return own + sum(child.count_vacancies() for child in self.children)


_KIND_ORDER = {
    k: i
    for i, k in enumerate(
        [
            OrgUnit.Kind.COLLABORATION,
            OrgUnit.Kind.AREA,
            OrgUnit.Kind.GROUP,
            OrgUnit.Kind.BOARD,
            OrgUnit.Kind.COMMITTEE,
        ]
    )
}
_ROLE_ORDER = {r: i for i, r in enumerate(Position.Role.values)}


def org_chart(day: dt.date) -> list[UnitNode]:
    """The unit tree as it stood on ``day``, with every position and its holders.

    Four queries whatever the size of the collaboration: units, positions, appointments and
    the holders' affiliations on that day.
    """
    units = list(OrgUnit.objects.possibly_on(day))
    unit_ids = {u.pk for u in units}
    positions = [
        p
        for p in Position.objects.possibly_on(day).select_related("deputizes_for")
        if p.unit_id in unit_ids
    ]
    position_ids = {p.pk for p in positions}
    appointments = [
        a
        for a in Appointment.objects.possibly_on(day).select_related("person")
        if a.position_id in position_ids
    ]
    institutions = {
        aff.person_id: aff.institution
        for aff in Affiliation.objects.possibly_on(day)
        .filter(person_id__in={a.person_id for a in appointments})
        .select_related("institution")
        .order_by("start")
    }

    nodes = {u.pk: UnitNode(u) for u in units}
    pnodes = {p.pk: PositionNode(p) for p in positions}
    for a in sorted(appointments, key=lambda a: (a.start, a.person.sort_name)):
        position = pnodes[a.position_id].position
        a.position = position  # already loaded: term arithmetic needs it
        holdover = None
        if a.end is None and not a.is_acting and position.term_months:
            end = add_months(a.start_date.latest, position.term_months)
            holdover = end if end <= day else None
        pnodes[a.position_id].holders.append(
            Holder(a, a.surely_covers(day), institutions.get(a.person_id), holdover)
        )

    def position_order(p: Position):
        # a deputy follows the post it deputizes for
        group = p.deputizes_for.title if p.deputizes_for_id else p.title
        return (
            _ROLE_ORDER.get(p.role, 99) if not p.deputizes_for_id else 0,
            group,
            p.deputizes_for_id is not None,
            p.title,
        )

    for p in sorted(positions, key=position_order):
        nodes[p.unit_id].positions.append(pnodes[p.pk])
    roots = []
    # siblings in the collaboration's own order (e.g. WBS numbers), then by kind and name
    for u in sorted(units, key=lambda u: (u.order_key, _KIND_ORDER.get(u.kind, 9), u.name)):
        parent = nodes.get(u.parent_id)
        (parent.children if parent else roots).append(nodes[u.pk])
    return roots


SUCCESSION_PAGE_SIZE = 100
ASKABLE_LIMIT = 20


def position_page(position: Position, today: dt.date, page: str | int | None = 1) -> dict:
    """Everything the public position page shows, in a fixed number of queries: the
    succession a page at a time, most recent first (a board's runs to thousands of rows)."""
    appointments = position.appointments.select_related("person", "appointed_by")
    current = list(appointments.possibly_on(today).order_by("start", "id"))
    current_ids = [a.person_id for a in current]
    askable = list(
        Person.objects.filter(contact_opt_in=True, appointments__position=position)
        .exclude(pk__in=current_ids)
        .annotate(last_held=Max("appointments__start"))
        .order_by("-last_held", "pk")[:ASKABLE_LIMIT]
    )
    deputies = list(
        position.deputies.possibly_on(today).prefetch_related(
            Prefetch(
                "appointments",
                queryset=Appointment.objects.possibly_on(today).select_related("person"),
                to_attr="current_appointments",
            )
        )
    )
    succession = Paginator(appointments.order_by("-start", "-id"), SUCCESSION_PAGE_SIZE)
    return {
        "succession": succession.get_page(page),
        "current": current,
        "vacant_seats": max(position.seats - len(current), 0),
        "deputies": deputies,
        "askable": askable,
    }


@dataclass
class RoleLine:
    appointment: Appointment
    led_later: Appointment | None = None  # for a deputy: their later appointment as the lead


def person_page(person: Person, today: dt.date) -> dict:
    """A person's public leadership history, with deputy-to-lead pathways marked."""
    appointments = list(
        person.appointments.select_related("position", "position__unit", "appointed_by").order_by(
            "start", "id"
        )
    )
    lines = [RoleLine(a) for a in appointments]
    for line in lines:
        lead_id = line.appointment.position.deputizes_for_id
        if lead_id is None:
            continue
        line.led_later = next(
            (
                b
                for b in appointments
                if b.position_id == lead_id and b.start >= line.appointment.start
            ),
            None,
        )
    affiliations = list(person.affiliations.select_related("institution").order_by("start"))
    current_affiliations = [a for a in affiliations if a.possibly_covers(today)]
    return {
        "lines": lines,
        "current_roles": [line for line in lines if line.appointment.possibly_covers(today)],
        "past_roles": [line for line in lines if not line.appointment.possibly_covers(today)],
        "affiliations": affiliations,
        "current_affiliations": current_affiliations,
    }


def search(query: str, limit: int = 25) -> dict:
    """People, positions and units whose names contain ``query``."""
    q = query.strip()
    if len(q) < 2:
        return {"people": [], "positions": [], "units": []}
    return {
        "people": list(Person.objects.filter(name__icontains=q).order_by("sort_name")[:limit]),
        "positions": list(
            Position.objects.filter(Q(title__icontains=q) | Q(unit__name__icontains=q))
            .select_related("unit")
            .order_by("title")[:limit]
        ),
        "units": list(OrgUnit.objects.filter(name__icontains=q).order_by("name")[:limit]),
    }


@transaction.atomic
def appoint(
    person: Person,
    position: Position,
    start,
    *,
    start_precision="day",
    end=None,
    end_precision="day",
    capacity=Appointment.Capacity.REGULAR,
    method=Appointment.Method.CALL,
    appointed_by=None,
    note="",
    exception_justification="",
    exception_approved_by="",
) -> Appointment:
    """Record that ``person`` holds ``position`` from ``start``. Raises ``ValidationError`` and
    writes nothing when the appointment would break a rule of the registry."""
    appointment = Appointment(
        person=person,
        position=position,
        start=start,
        start_precision=start_precision,
        end=end,
        end_precision=end_precision,
        capacity=capacity,
        method=method,
        appointed_by=appointed_by,
        note=note,
        exception_justification=exception_justification,
        exception_approved_by=exception_approved_by,
    )
    appointment.save()
    return appointment


@transaction.atomic
def end_appointment(appointment: Appointment, end, *, reason, end_precision="day") -> Appointment:
    """Close a current appointment on ``end`` for ``reason``."""
    appointment.end = end
    appointment.end_precision = end_precision
    appointment.end_reason = reason
    appointment.save()
    return appointment

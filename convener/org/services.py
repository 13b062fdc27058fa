"""Read and write operations of the leadership registry, shared by views, admin, API and CLI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Prefetch, Q

from convener.core.dates import Precision
from convener.core.models import possibly_on_q
from convener.people.models import Affiliation, Person

from .models import Appointment, OrgUnit, Position, SeatPeriod, in_order
from .succession import holdover_since


def incoming_by_position(day: dt.date, today: dt.date) -> dict[int, list[Appointment]]:
    """Appointments already decided that start after ``day``: the chart marks them as
    incoming. Only for today or later: on a past day nobody can say what was decided yet."""
    if day < today:
        return {}
    result: dict[int, list[Appointment]] = {}
    for a in (
        Appointment.objects.filter(start__gt=day).select_related("person").order_by("start", "id")
    ):
        result.setdefault(a.position_id, []).append(a)
    return result


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
    seats: int = 1  # seats on the chart's day (seat periods included)
    # the last holders whose end nobody recorded, one per seat not otherwise held: on the
    # day their seat is neither known to be held nor known to be vacant (``unrecorded_q``)
    unrecorded: list[Appointment] = field(default_factory=list)

    @property
    def vacant_seats(self) -> int:
        return max(self.seats - len(self.holders) - len(self.unrecorded), 0)


def unrecorded_q(day: dt.date) -> Q:
    """Appointments begun before ``day`` whose end nobody recorded, that the dates do not
    place on ``day`` (an unknown end is only known to come after the start period), and after
    which no later appointment to the post had begun by ``day``. Nothing says their holder
    had left by then, nor that they still held it: the seat is shown as "unknown since" their
    start, never as vacant. Combined with ``possibly_on`` in one query by the chart and the
    position page; a multi-seat post counts any later appointment as closing the record."""
    later = Appointment.objects.filter(
        position_id=OuterRef("position_id"), maybe_from__gt=OuterRef("maybe_from")
    ).filter(maybe_from__lte=day)
    return Q(
        end_precision=Precision.UNKNOWN, maybe_from__isnull=False, maybe_until__lte=day
    ) & ~Exists(later)


def _unrecorded_seats(rows: list[Appointment], seats: int, held: int) -> list[Appointment]:
    """The newest unrecorded ends, one per seat no holder of the day takes."""
    newest = sorted(rows, key=lambda a: (a.maybe_from, a.sure_from, a.pk), reverse=True)
    return newest[: max(seats - held, 0)]


@dataclass
class UnitNode:
    unit: OrgUnit
    positions: list[PositionNode] = field(default_factory=list)
    children: list[UnitNode] = field(default_factory=list)

    def count_vacancies(self) -> int:
        own = sum(1 for p in self.positions if not p.holders and not p.unrecorded)
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

    Five queries whatever the size of the collaboration: units, positions, their seat periods,
    appointments and the holders' affiliations on that day. Seats are those of that day.
    """
    units = list(OrgUnit.objects.possibly_on(day))
    unit_ids = {u.pk for u in units}
    positions = [
        p
        for p in Position.objects.possibly_on(day).select_related("deputizes_for")
        if p.unit_id in unit_ids
    ]
    position_ids = {p.pk for p in positions}
    periods: dict[int, list[SeatPeriod]] = {}
    for period in SeatPeriod.objects.possibly_on(day).filter(position_id__in=position_ids):
        periods.setdefault(period.position_id, []).append(period)
    appointments, unrecorded = [], {}
    for a in Appointment.objects.filter(possibly_on_q(day) | unrecorded_q(day)).select_related(
        "person"
    ):
        if a.position_id not in position_ids:
            continue
        if a.possibly_covers(day):
            appointments.append(a)
        else:
            unrecorded.setdefault(a.position_id, []).append(a)
    institutions = {
        aff.person_id: aff.institution
        for aff in Affiliation.objects.possibly_on(day)
        .filter(person_id__in={a.person_id for a in appointments})
        .select_related("institution")
        .order_by("start")
    }

    nodes = {u.pk: UnitNode(u) for u in units}
    pnodes = {
        p.pk: PositionNode(p, seats=p.seats_on(day, periods.get(p.pk, []))) for p in positions
    }
    for a in sorted(appointments, key=lambda a: (*a.chronology, a.person.sort_key)):
        position = pnodes[a.position_id].position
        a.position = position  # already loaded: term arithmetic needs it
        holdover = holdover_since(a, day)
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

    for position_id, rows in unrecorded.items():
        if (pn := pnodes.get(position_id)) is not None:
            pn.unrecorded = _unrecorded_seats(rows, pn.seats, len(pn.holders))
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


def position_page(
    position: Position,
    day: dt.date,
    page: str | int | None = 1,
    *,
    today: dt.date | None = None,
    with_succession: bool = True,
) -> dict:
    """Everything the public position page shows, as the position stood on ``day`` (today by
    default), in a fixed number of queries: holders, deputies and seats of that day, and the
    succession a page at a time, most recent first (a board's runs to thousands of rows). An
    appointment whose end nobody recorded is never shown as a holder."""
    today = today or day
    appointments = position.appointments.select_related("person", "appointed_by")
    periods = list(position.seat_periods.all())
    holders, unrecorded = [], []
    for a in appointments.filter(possibly_on_q(day) | unrecorded_q(day)).order_by("start", "id"):
        (holders if a.possibly_covers(day) else unrecorded).append(a)
    for a in holders:
        a.position = position
        a.holdover_since = holdover_since(a, day)
    holder_ids = [a.person_id for a in holders]
    askable = list(
        Person.objects.filter(contact_opt_in=True, appointments__position=position)
        .exclude(pk__in=holder_ids)
        .annotate(last_held=Max("appointments__start"))
        .order_by("-last_held", "pk")[:ASKABLE_LIMIT]
    )
    deputies = list(
        position.deputies.possibly_on(day).prefetch_related(
            Prefetch(
                "appointments",
                queryset=Appointment.objects.possibly_on(day).select_related("person"),
                to_attr="current_appointments",
            )
        )
    )
    seats = position.seats_on(day, periods)
    existed = position.possibly_covers(day)
    unrecorded = _unrecorded_seats(unrecorded, seats, len(holders)) if existed else []
    return {
        "day": day,
        "is_today": day == today,
        "existed": existed,
        **({"succession": succession_page(position, page)} if with_succession else {}),
        "current": holders,
        "unrecorded": unrecorded,
        "seats": seats,
        "seat_periods": periods,
        "vacant_seats": max(seats - len(holders) - len(unrecorded), 0) if existed else 0,
        "deputies": deputies,
        "askable": askable,
    }


def succession_page(position: Position, page: str | int | None = 1):
    """A page of everyone who held ``position``, most recent first (two queries)."""
    newest_first = [F("maybe_from").desc(nulls_last=True), F("sure_from").desc(), "-id"]
    appointments = position.appointments.select_related("person", "appointed_by")
    return Paginator(appointments.order_by(*newest_first), SUCCESSION_PAGE_SIZE).get_page(page)


@dataclass
class RoleLine:
    appointment: Appointment
    led_later: Appointment | None = None  # for a deputy: their later appointment as the lead


def person_page(person: Person, today: dt.date) -> dict:
    """A person's public leadership history, with deputy-to-lead pathways marked."""
    appointments = in_order(
        person.appointments.select_related("position", "position__unit", "appointed_by")
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
                if b.position_id == lead_id and b.chronology >= line.appointment.chronology
            ),
            None,
        )
    for line in lines:
        line.appointment.holdover_since = holdover_since(line.appointment, today)
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
        "people": list(Person.objects.filter(name__icontains=q).order_by("sort_key")[:limit]),
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
    end_kind=None,
    capacity=Appointment.Capacity.REGULAR,
    method=Appointment.Method.UNKNOWN,
    appointed_by=None,
    source="",
    note="",
    exception_justification="",
    exception_approved_by="",
) -> Appointment:
    """Record that ``person`` holds ``position`` from ``start`` (None with ``start_precision``
    "unknown" when the records do not say). ``end_kind`` says whether ``end`` is the last day
    in office or the day of leaving (the collaboration's default when None). Raises
    ``ValidationError`` and writes nothing when the appointment would break a rule of the
    registry."""
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
        source=source,
        note=note,
        exception_justification=exception_justification,
        exception_approved_by=exception_approved_by,
    )
    if end_kind:
        appointment.end_kind = end_kind
    appointment.save()
    return appointment


@transaction.atomic
def end_appointment(
    appointment: Appointment, end, *, reason, end_precision="day", end_kind=None
) -> Appointment:
    """Close a current appointment on ``end`` for ``reason``."""
    appointment.end = end
    appointment.end_precision = end_precision
    if end_kind:
        appointment.end_kind = end_kind
    appointment.end_reason = reason
    appointment.save()
    return appointment


@transaction.atomic
def set_seat_period(
    position: Position,
    start,
    seats: int,
    *,
    start_precision="day",
    end=None,
    end_precision="day",
    end_kind=None,
    note="",
) -> SeatPeriod:
    """Give ``position`` ``seats`` seats from ``start`` to ``end``; refused (nothing written)
    when its appointments would then have too many holders on some day. ``end_kind`` says
    whether ``end`` is the period's last day or the day it ended (default: the
    collaboration's ``CONVENER_END_DATES``)."""
    period = SeatPeriod(
        position=position,
        start=start,
        start_precision=start_precision,
        end=end,
        end_precision=end_precision,
        seats=seats,
        note=note,
    )
    if end_kind:
        period.end_kind = end_kind
    period.save()
    return period


TO_COMPLETE_PAGE_SIZE = 100


def records_to_complete(page: str | int | None = 1):
    """Appointments, positions and units whose start, end or method the records do not give,
    for managers to complete: a page of appointments and every incomplete unit and position."""
    appointments = Paginator(
        Appointment.objects.to_complete()
        .select_related("person", "position", "position__unit")
        .order_by("position__title", "sure_from", "id"),
        TO_COMPLETE_PAGE_SIZE,
    )
    return {
        "appointments": appointments.get_page(page),
        "positions": list(Position.objects.incomplete().select_related("unit").order_by("title")),
        "units": list(OrgUnit.objects.incomplete().order_by("name")),
    }

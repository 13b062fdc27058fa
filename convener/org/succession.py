"""Succession: terms and limits, holdovers, deputies as the bench, vacancies, and junior
members' share of leadership. Every function answers from a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db import models
from django.db.models import Q

from convener.core import cache
from convener.core.dates import add_months
from convener.people.models import CareerStage

from .models import Appointment, OrgUnit, Position, SeatPeriod, consecutive, in_order

LEADERSHIP_LEVELS = [Position.Level.TOP, Position.Level.L1, Position.Level.L2, Position.Level.L3]
LEAD_ROLES = {
    Position.Role.LEAD,
    Position.Role.CO_LEAD,
    Position.Role.CHAIR,
    Position.Role.CO_CHAIR,
}


# The calls under way for each position belong to the nominations app, which the registry
# does not import: that app registers here (in its ``ready()``) a function answering
# ``{position id: call under way}``; without it no term shows a call.
_calls_under_way: Callable[[], dict[int, object]] = dict


def register_calls_under_way(lookup: Callable[[], dict[int, object]]) -> None:
    """Tell succession where to find each position's call under way (see above)."""
    global _calls_under_way
    _calls_under_way = lookup


class TermStatus(models.TextChoices):
    WITHIN = "within", "Within limit"
    LAST_TERM = "last_term", "Last term"
    ENDS_SOON = "ends_soon", "Term ends soon"
    ENDED = "ended", "Term ended"
    AT_LIMIT = "at_limit", "At limit"
    OVER_LIMIT = "over_limit", "Over limit"


@dataclass
class Term:
    appointment: Appointment
    term_end: dt.date | None
    status: str
    holdover_since: dt.date | None = None
    call: object | None = None
    incoming: list[Appointment] = field(default_factory=list)  # decided, not yet started

    @property
    def status_label(self) -> str:
        return TermStatus(self.status).label

    def ends_in(self, today: dt.date) -> str:
        """When the term ends, in words a reader can act on: "ends in 5 days", "ends in 4
        months", "ended 3 months ago" (whole months; days up to two months)."""
        if self.term_end is None:
            return "no fixed term"
        days = (self.term_end - today).days
        if days == 0:
            return "ends today"
        if abs(days) <= 61:
            n = abs(days)
            unit = f"{n} day{'s' if n != 1 else ''}"
        else:
            early, late = sorted([today, self.term_end])
            n = (late.year - early.year) * 12 + late.month - early.month - (late.day < early.day)
            unit = f"{n} months"
        return f"ends in {unit}" if days > 0 else f"ended {unit} ago"

    @property
    def urgency(self) -> tuple:
        """Sort key, most urgent first: over the limit, then the soonest end."""
        rank = {TermStatus.OVER_LIMIT: 0, TermStatus.AT_LIMIT: 1}.get(self.status, 2)
        return (rank, self.term_end or dt.date.max, self.appointment.position.title)

    @property
    def holdover_months(self) -> int | None:
        if self.holdover_since is None:
            return None
        today = dt.date.today()
        return (
            (today.year - self.holdover_since.year) * 12 + today.month - self.holdover_since.month
        )


def term_end(appointment: Appointment) -> dt.date | None:
    """When the current term ends: the start plus the position's term length."""
    months = appointment.position.term_months
    if not months or appointment.start_date is None:
        return None
    return add_months(appointment.start_date.latest, months)


def holdover_since(appointment: Appointment, day: dt.date) -> dt.date | None:
    """The day a regular holder still in office (no end recorded) began to hold over on
    ``day``: the end of their term, when it has passed. The one rule of the chart, the
    position and person pages, the succession dashboard and the Jekyll data."""
    if not appointment.is_open or appointment.is_acting:
        return None
    end = term_end(appointment)
    return end if end is not None and end <= day else None


def term_status(appointment: Appointment, today: dt.date) -> Term:
    """The status of a current holder's term, as the dashboard shows it: a term that has
    already ended is "Term ended" (the holder holds over), never "ends soon"."""
    position = appointment.position
    end = term_end(appointment)
    n, limit = appointment.term_number or 0, position.term_limit
    ended = end is not None and end <= today
    soon = end is not None and end <= add_months(today, 6)
    if limit and n > limit:
        status = TermStatus.OVER_LIMIT
    elif limit and n == limit:
        status = TermStatus.AT_LIMIT if soon else TermStatus.LAST_TERM
    elif ended:
        status = TermStatus.ENDED
    elif soon:
        status = TermStatus.ENDS_SOON
    else:
        status = TermStatus.WITHIN
    return Term(appointment, end, status, holdover_since(appointment, today))


def current_terms(today: dt.date, version: int | None = None) -> list[Term]:
    """Every current regular holder of a post with a term, with status and any open call.
    The terms come from the registry's model of the day (computed once per registry version);
    the calls, which are not part of the registry, are read anew: one query."""
    calls = _calls_under_way()
    # copies: the model is shared by every request of this registry version
    terms = registry_terms(today, version)
    return [replace(t, call=calls.get(t.appointment.position_id)) for t in terms]


def registry_terms(today: dt.date, version: int | None = None) -> list[Term]:
    """The current terms of ``today`` without their calls, computed once per registry version
    for every process (one query when not yet computed). Shared: never changed by callers."""
    day = today.isoformat()
    return cache.registry_derived("terms", lambda: _terms(today), day, version=version)


def _terms(today: dt.date) -> list[Term]:
    appointments = (
        Appointment.objects.surely_on(today)
        .filter(capacity=Appointment.Capacity.REGULAR, position__term_months__isnull=False)
        .select_related("person", "position", "position__unit")
        .order_by("position__title", "start")
    )
    return [term_status(a, today) for a in appointments]


def ending_within(terms: list[Term], today: dt.date, months: int) -> list[Term]:
    horizon = add_months(today, months)
    return sorted(
        (t for t in terms if t.term_end is not None and t.term_end <= horizon),
        key=lambda t: t.term_end,
    )


@dataclass
class LeadLine:
    position: Position
    holders: list[Appointment] = field(default_factory=list)
    deputies: list[Appointment] = field(default_factory=list)
    ready: list[Appointment] = field(default_factory=list)  # deputies with a full term served


def _served_since(appointments: list[Appointment]) -> dict[int, dt.date | None]:
    """For each appointment, the start of the run of consecutive appointments it belongs to
    (the registry's one continuity rule, :func:`convener.org.models.consecutive`)."""
    runs: dict[int, dt.date | None] = {}
    by_pair = defaultdict(list)
    for a in appointments:
        by_pair[(a.person_id, a.position_id)].append(a)
    for rows in by_pair.values():
        rows = in_order(rows)
        run_start = None
        for i, a in enumerate(rows):
            if i == 0 or not consecutive(rows[i - 1], a):
                run_start = a.start
            runs[a.pk] = run_start
    return runs


def lead_lines(today: dt.date) -> list[LeadLine]:
    """The lead lines of the registry's model of ``today`` (see :func:`_lead_lines`)."""
    return model(today).lines


def _lead_lines(today: dt.date) -> list[LeadLine]:
    """Current lead posts of the management levels with their holders and deputies; a deputy
    is ready when they have served at least one full term of the deputy post."""
    positions = list(
        Position.objects.possibly_on(today)
        .filter(level__in=LEADERSHIP_LEVELS)
        .select_related("unit")
    )
    leads = {p.pk: LeadLine(p) for p in positions if p.role in LEAD_ROLES}
    deputy_posts = {p.pk: p for p in positions if p.deputizes_for_id in leads}
    history = list(
        Appointment.objects.filter(
            Q(position_id__in=leads) | Q(position_id__in=deputy_posts)
        ).select_related("person")
    )
    runs = _served_since(history)
    for a in history:
        if not a.surely_covers(today):
            continue
        if a.position_id in leads:
            leads[a.position_id].holders.append(a)
        else:
            post = deputy_posts[a.position_id]
            line = leads[post.deputizes_for_id]
            line.deputies.append(a)
            months = post.term_months or 24
            if runs[a.pk] is not None and add_months(runs[a.pk], months) <= today:
                line.ready.append(a)
    return sorted(leads.values(), key=lambda line: line.position.title)


def bench_strength(
    lines: list[LeadLine], today: dt.date, areas_of: dict[int, OrgUnit | None] | None = None
) -> list[dict]:
    """Per L1 area: how many of its lead posts have a deputy ready to take over. ``areas_of``
    is :func:`l1_areas` of ``today`` when the caller has it already (no query then)."""
    if areas_of is None:
        areas_of = l1_areas(today)
    table: dict[int, dict] = {}
    for line in lines:
        area = areas_of.get(line.position.unit_id)
        if area is None:
            continue
        row = table.setdefault(area.pk, {"area": area, "leads": 0, "with_deputy": 0, "ready": 0})
        row["leads"] += 1
        row["with_deputy"] += bool(line.deputies)
        row["ready"] += bool(line.ready)
    rows = sorted(table.values(), key=lambda r: r["area"].name)
    for row in rows:
        row["share"] = row["ready"] / row["leads"] if row["leads"] else 0
    return rows


@dataclass
class Vacancy:
    position: Position
    vacant_seats: int
    since: dt.date | None
    incoming: list[Appointment] = field(default_factory=list)  # decided, not yet started
    since_text: str = ""  # since when, at the precision the records give (never a made-up day)

    @property
    def months(self) -> int | None:
        if self.since is None:
            return None
        today = dt.date.today()
        return (today.year - self.since.year) * 12 + today.month - self.since.month


def _free_from_text(a: Appointment) -> str:
    """The first day the seat was free after ``a``, as precisely as its end is recorded: the
    day after a last day, a day of leaving itself, or the month or year the end names."""
    end = a.end_date
    if end.precision == "day":
        return a.sure_until.isoformat()
    return str(end)


def vacancies(today: dt.date) -> list[Vacancy]:
    """The vacancies of the registry's model of ``today`` (see :func:`_vacancies`)."""
    return model(today).vacancies


def _vacancies(today: dt.date) -> list[Vacancy]:
    """Current posts with fewer holders than their seats of today (seat periods included), and
    since when the last seat was free. An appointment whose end nobody recorded holds no seat
    today (it is listed among the records to complete instead)."""
    positions = list(Position.objects.possibly_on(today).select_related("unit"))
    periods = defaultdict(list)
    for period in SeatPeriod.objects.possibly_on(today):
        periods[period.position_id].append(period)
    history = list(
        Appointment.objects.filter(Q(maybe_from__isnull=True) | Q(maybe_from__lte=today)).only(
            "id",
            "position_id",
            "start",
            "start_precision",
            "end",
            "end_precision",
            "end_kind",
            "maybe_from",
            "sure_from",
            "sure_until",
            "maybe_until",
        )
    )
    holders, last_end = defaultdict(int), {}
    for a in history:
        if a.possibly_covers(today):
            holders[a.position_id] += 1
        elif a.maybe_until is not None and a.end is not None:
            left = a.sure_until  # the first day the seat was surely free
            if a.position_id not in last_end or left > last_end[a.position_id][0]:
                last_end[a.position_id] = (left, _free_from_text(a))
    result = []
    for p in positions:
        p.seats_today = p.seats_on(today, periods.get(p.pk, []))
        free = p.seats_today - holders[p.pk]
        if free > 0:
            since, text = None, ""
            if holders[p.pk] == 0:
                since, text = last_end.get(p.pk) or (p.start, str(p.start_date or ""))
            result.append(Vacancy(p, free, since, since_text=text))
    return sorted(result, key=lambda v: (v.since or today, v.position.title))


def exceptions() -> list[Appointment]:
    return list(
        Appointment.objects.exclude(exception_justification="")
        .select_related("person", "position")
        .order_by("-start")
    )


@dataclass
class Model:
    """What the succession dashboard and the "Your tasks" panel read from the registry on one
    day. It depends on the registry alone, so it is computed once per registry version and
    day and shared by every process (``core.cache.registry_derived``); nobody changes it."""

    incoming: dict[int, list[Appointment]]  # by position: decided, not yet started
    lines: list[LeadLine]
    vacancies: list[Vacancy]
    areas_of: dict[int, OrgUnit | None]
    exceptions: list[Appointment]  # the most recent hundred


def model(today: dt.date, version: int | None = None) -> Model:
    return cache.registry_derived(
        "succession", lambda: _model(today), today.isoformat(), version=version
    )


def _model(today: dt.date) -> Model:
    from .services import incoming_by_position

    incoming = incoming_by_position(today, today)
    found = _vacancies(today)
    for v in found:
        v.incoming = incoming.get(v.position.pk, [])
    lines = _lead_lines(today)
    return Model(
        incoming=incoming,
        lines=lines,
        vacancies=found,
        areas_of=l1_areas(today),
        exceptions=exceptions()[:100],
    )


# -- junior participation -------------------------------------------------------------------
def _stage_lookup(person_ids) -> dict[int, list[CareerStage]]:
    stages = defaultdict(list)
    for s in CareerStage.objects.filter(person_id__in=person_ids).order_by("start"):
        stages[s.person_id].append(s)
    return stages


def is_junior_on(stages: list[CareerStage], day: dt.date) -> bool:
    """Junior (student, postdoc, early-career faculty) on ``day``, per the recorded stages."""
    return any(s.stage in CareerStage.JUNIOR and s.possibly_covers(day) for s in stages)


def junior_participation(years: list[int]) -> dict:
    """Per level and year: lead and deputy seats held on 1 July, and how many by people who
    were junior when appointed. Also: junior deputies who went on to lead."""
    roles = LEAD_ROLES | {Position.Role.DEPUTY}
    first, last = dt.date(min(years), 1, 1), dt.date(max(years), 12, 31)
    # pathways use the full history, not just the window; whether junior when appointed
    # needs the start. Two queries: the appointments, and their holders' career stages.
    all_rows = list(
        Appointment.objects.filter(position__level__in=LEADERSHIP_LEVELS, position__role__in=roles)
        .exclude(start__isnull=True)
        .select_related("position")
    )
    stages_all = _stage_lookup({a.person_id for a in all_rows})
    appointments = [
        a for a in all_rows if a.start <= last and (a.maybe_until is None or a.maybe_until >= first)
    ]
    junior = {a.pk: is_junior_on(stages_all[a.person_id], a.start) for a in appointments}
    table = []
    for year in years:
        day = dt.date(year, 7, 1)
        for level in LEADERSHIP_LEVELS:
            held = [a for a in appointments if a.position.level == level and a.surely_covers(day)]
            n_junior = sum(junior[a.pk] for a in held)
            table.append(
                {
                    "year": year,
                    "level": level,
                    "seats": len(held),
                    "junior": n_junior,
                    "share": n_junior / len(held) if held else None,
                }
            )
    leads_by_person = defaultdict(list)
    for a in all_rows:
        if a.position.role in LEAD_ROLES:
            leads_by_person[a.person_id].append(a.start)
    junior_deputies = {}
    for a in all_rows:
        if a.position.role == Position.Role.DEPUTY and is_junior_on(
            stages_all[a.person_id], a.start
        ):
            junior_deputies.setdefault(a.person_id, a.start)
    went_on = sum(
        1
        for pid, start in junior_deputies.items()
        if any(s >= start for s in leads_by_person.get(pid, []))
    )
    return {"table": table, "junior_deputies": len(junior_deputies), "went_on_to_lead": went_on}


# -- the leadership database ------------------------------------------------------------------
def leadership_roles(
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    unit: OrgUnit | None = None,
    level: str | None = None,
):
    """Everyone who held an L3-convener-or-higher role (deputies included), as appointments,
    filtered by period (overlapping it), unit (and everything below it) and level."""
    qs = Appointment.objects.filter(position__level__in=LEADERSHIP_LEVELS)
    if start:
        qs = qs.filter(Q(maybe_until__isnull=True) | Q(maybe_until__gt=start))
    if end:
        qs = qs.filter(start__lte=end)
    if level:
        qs = qs.filter(position__level=level)
    if unit is not None:
        qs = qs.filter(position__unit_id__in=subtree_ids(unit))
    return qs.select_related("person", "position", "position__unit").order_by(
        "person__sort_key", "start"
    )


def l1_areas(today: dt.date) -> dict[int, OrgUnit | None]:
    """For every unit existing ``today``: the L1 area it belongs to (None above L1, and for
    boards and committees). One query."""
    units = {u.pk: u for u in OrgUnit.objects.possibly_on(today)}
    result: dict[int, OrgUnit | None] = {}
    for pk in units:
        unit, seen = units.get(pk), set()
        while unit is not None and unit.level != 1 and unit.parent_id and unit.pk not in seen:
            seen.add(unit.pk)
            unit = units.get(unit.parent_id)
        result[pk] = unit if unit is not None and unit.level == 1 else None
    return result


def subtree_ids(unit: OrgUnit) -> set[int]:
    children = defaultdict(list)
    for pk, parent in OrgUnit.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
    found, stack = set(), [unit.pk]
    while stack:
        pk = stack.pop()
        found.add(pk)
        stack.extend(children[pk])
    return found

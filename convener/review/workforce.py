"""Retention, career advancement and each institution's workforce, for the annual review.

Retention is a Kaplan-Meier estimate (lifelines) of staying in the collaboration, counted
per person from their first membership, by the career stage they were at when that
membership began; read at 1, 3 and 5 years with the numbers still at risk, and only where
enough are. Advancement counts only people who have had the time to advance, and compares
a group with the others with an exact test and an interval. Published figures carry no
demographic breakdown; the officer's view adds one, hiding groups smaller than 5."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.views.decorators.debug import sensitive_variables
from lifelines import KaplanMeierFitter

from convener.org.models import Appointment, Position
from convener.people.models import Affiliation, CareerStage, Membership

from . import stats
from .disclosure import MIN_GROUP, round_base

MIN_AT_RISK = 20
HORIZONS = (1, 3, 5)
LARGEST_INSTITUTIONS = 25
LEADS = {Position.Role.LEAD, Position.Role.CO_LEAD, Position.Role.CHAIR, Position.Role.CO_CHAIR}
STAFF = {
    CareerStage.Stage.SCIENTIST,
    CareerStage.Stage.ENGINEER,
    CareerStage.Stage.FACULTY_EARLY,
    CareerStage.Stage.FACULTY_SENIOR,
}
# years a person needs to have had for each step to count them (time at risk)
STEPS = {
    "student → postdoc": 7,
    "postdoc → staff or faculty": 6,
    "member → deputy": 10,
    "deputy → lead": 6,
}
COHORT_YEARS = 10  # who entered the first stage within these years, before the time at risk


def _stage_on(stages: list[tuple[dt.date, str]], day: dt.date) -> str:
    """The stage a person was at on ``day`` (the latest one begun by then)."""
    current = "unknown"
    for start, stage in stages:
        if start <= day:
            current = stage
    return current


def stages_by_person() -> dict[int, list[tuple[dt.date, str]]]:
    """Everyone's career stages in order, as (start, stage)."""
    stages = defaultdict(list)
    for person, start, stage in CareerStage.objects.order_by("start").values_list(
        "person_id", "start", "stage"
    ):
        if start is not None:
            stages[person].append((start, stage))
    return stages


def _years(days: int) -> float:
    return days / 365.25


@sensitive_variables()
def retention(day: dt.date, min_at_risk: int = MIN_AT_RISK, *, stages=None) -> list[dict]:
    """Share still members 1, 3 and 5 years after joining, by career stage at entry: one
    record per person (their first membership begun by ``day``), censored at ``day``."""
    stages = stages if stages is not None else stages_by_person()
    first: dict[int, tuple] = {}
    for person, start, end in Membership.objects.filter(start__lte=day).values_list(
        "person_id", "start", "end"
    ):
        if start is not None and (person not in first or start < first[person][0]):
            first[person] = (start, end)
    spans = defaultdict(lambda: ([], []))
    for person, (start, end) in first.items():
        left = end is not None and end <= day
        durations, events = spans[_stage_on(stages.get(person, []), start)]
        durations.append(_years(((end if left else day) - start).days))
        events.append(left)
    rows = []
    for stage, (durations, events) in sorted(spans.items()):
        fitter = KaplanMeierFitter().fit(durations, events)
        row = {
            "stage": str(CareerStage.Stage(stage).label)
            if stage in CareerStage.Stage.values
            else "Unknown",
            "people": len(durations),
            "at": {},
            "at_risk": {},
        }
        for horizon in HORIZONS:
            at_risk = sum(1 for d in durations if d >= horizon)
            row["at_risk"][horizon] = at_risk
            row["at"][horizon] = float(fitter.predict(horizon)) if at_risk >= min_at_risk else None
        rows.append(row)
    return rows


@sensitive_variables()
def advancement(
    day: dt.date,
    group: set[int] | None = None,
    answered: set[int] | None = None,
    *,
    stages=None,
) -> dict:
    """Steps up: student to postdoc, postdoc to staff or faculty, member to deputy, deputy to
    lead. A person counts for a step only if they entered its first stage in the
    ``COHORT_YEARS`` before the step's time at risk, so that everyone counted had that long
    to take it; they advanced if they took it within that time. With ``group`` (and those
    who ``answered``), the step for the group and for the others, hidden where either has
    fewer than 5 who did or did not advance, and compared with an exact test."""
    stages = stages if stages is not None else stages_by_person()
    entered: dict[str, dict[int, dt.date]] = defaultdict(dict)  # stage -> person -> first day
    for person, rows in stages.items():
        for start, stage in rows:
            entered[stage].setdefault(person, start)
    deputy: dict[int, dt.date] = {}
    lead: dict[int, list[dt.date]] = defaultdict(list)
    for person, start, role in (
        Appointment.objects.filter(start__lte=day)
        .order_by("start")
        .values_list("person_id", "start", "position__role")
    ):
        if start is None:
            continue
        if role == Position.Role.DEPUTY:
            deputy.setdefault(person, start)
        elif role in LEADS:
            lead[person].append(start)
    joined: dict[int, dt.date] = {}
    for person, start in Membership.objects.filter(start__lte=day).values_list(
        "person_id", "start"
    ):
        if start is not None and (person not in joined or start < joined[person]):
            joined[person] = start
    staff_from: dict[int, dt.date] = {}
    for stage in STAFF:
        for person, start in entered[stage].items():
            staff_from[person] = min(start, staff_from.get(person, start))

    steps = {
        "student → postdoc": (
            entered[CareerStage.Stage.STUDENT],
            {p: [d] for p, d in entered[CareerStage.Stage.POSTDOC].items()},
        ),
        "postdoc → staff or faculty": (
            entered[CareerStage.Stage.POSTDOC],
            {p: [d] for p, d in staff_from.items()},
        ),
        "member → deputy": (joined, {p: [d] for p, d in deputy.items()}),
        "deputy → lead": (deputy, lead),
    }
    out = {}
    for name, (start_of, reached) in steps.items():
        horizon = STEPS[name]
        latest = day - dt.timedelta(days=round(horizon * 365.25))
        earliest = latest - dt.timedelta(days=round(COHORT_YEARS * 365.25))
        base = {p for p, since in start_of.items() if earliest < since <= latest}
        advanced = set()
        for p in base:
            since = start_of[p]
            if any(0 <= (d - since).days <= horizon * 365.25 for d in reached.get(p, ())):
                advanced.add(p)
        row = {"base": len(base), "advanced": len(advanced), "horizon": horizon}
        if group is not None:
            sides = {
                "group": base & answered & group,
                "others": (base & answered) - group,
            }
            counts = {}
            for label, people in sides.items():
                moved = len(people & advanced)
                ok = min(moved, len(people) - moved) >= MIN_GROUP
                row[label] = (moved, len(people)) if ok else None
                counts[label] = (moved, len(people))
            if row["group"] and row["others"]:
                (k1, n1), (k2, n2) = counts["group"], counts["others"]
                row["comparison"] = _comparison(stats.two_samples(k1, n1, k2, n2))
        out[name] = row
    return out


def _comparison(c: stats.Comparison) -> dict:
    from .report import _comparison_dict

    return _comparison_dict(c)


def _current(day: dt.date, members: set[int]) -> tuple[dict, dict]:
    people = defaultdict(set)
    names = {}
    for person, slug, name in Affiliation.objects.possibly_on(day).values_list(
        "person_id", "institution__slug", "institution__name"
    ):
        if person in members:
            people[slug].add(person)
            names[slug] = name
    return people, names


@sensitive_variables()
def largest_institutions(day: dt.date, members: set[int]) -> list[tuple[str, set[int]]]:
    """The ``LARGEST_INSTITUTIONS`` largest institutions by current members, with them."""
    people, _ = _current(day, members)
    ranked = sorted(people.items(), key=lambda item: (-len(item[1]), item[0]))
    return ranked[:LARGEST_INSTITUTIONS]


@sensitive_variables()
def institutions(
    day: dt.date,
    group: set[int] | None = None,
    answered: set[int] | None = None,
    published: bool = True,
) -> list[dict]:
    """The largest institutions' current members by career stage (rounded to 5 when
    published) and, for the officer, the share of one group among those who answered
    (whether it may be shown is decided with the review's other cells)."""
    members = set(Membership.objects.surely_on(day).values_list("person_id", flat=True))
    people, names = _current(day, members)
    stage_of = dict(CareerStage.objects.possibly_on(day).values_list("person_id", "stage"))
    rows = []
    for slug, ids in sorted(people.items(), key=lambda item: (-len(item[1]), item[0]))[
        :LARGEST_INSTITUTIONS
    ]:
        stages = Counter(stage_of.get(p, "unknown") for p in ids)
        row = {
            "slug": slug,
            "institution": names[slug],
            "members": round_base(len(ids)) if published else len(ids),
            "stages": {
                str(CareerStage.Stage(k).label) if k in CareerStage.Stage.values else "Unknown": (
                    round_base(v) if published else v
                )
                for k, v in sorted(stages.items())
            },
        }
        if group is not None and not published:
            asked = ids & answered
            k = len(asked & group)
            row["group"] = (k, len(asked)) if min(k, len(asked) - k) >= MIN_GROUP else None
        rows.append(row)
    return rows

"""Retention, career advancement and each institution's workforce, for the annual review.

Retention is a Kaplan-Meier estimate (lifelines) of staying in the collaboration, by career
stage at entry, read at 1, 3 and 5 years only where enough people are still at risk; no step
plots of small groups are drawn. Published figures carry no demographic breakdown; the
officer's view adds one attribute, hiding groups smaller than 5."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from lifelines import KaplanMeierFitter

from convener.org.models import Appointment, Position
from convener.people.models import Affiliation, CareerStage, Membership

from .disclosure import MIN_GROUP, round_base

MIN_AT_RISK = 20
HORIZONS = (1, 3, 5)
LEADS = {Position.Role.LEAD, Position.Role.CO_LEAD, Position.Role.CHAIR, Position.Role.CO_CHAIR}


def _entry_stages() -> dict[int, str]:
    first = {}
    for s in CareerStage.objects.order_by("start").only("person_id", "stage", "start"):
        first.setdefault(s.person_id, s.stage)
    return first


def retention(day: dt.date, min_at_risk: int = MIN_AT_RISK) -> list[dict]:
    """Share still members 1, 3 and 5 years after joining, by career stage at entry."""
    stages = _entry_stages()
    spans = defaultdict(lambda: ([], []))
    for m in Membership.objects.filter(start__lte=day).only("person_id", "start", "end"):
        end = m.end if m.end and m.end <= day else day
        years = max((end - m.start).days, 0) / 365.25
        durations, events = spans[stages.get(m.person_id, "unknown")]
        durations.append(years)
        events.append(m.end is not None and m.end <= day)
    rows = []
    for stage, (durations, events) in sorted(spans.items()):
        fitter = KaplanMeierFitter().fit(durations, events)
        table = fitter.event_table
        row = {
            "stage": CareerStage.Stage(stage).label
            if stage in CareerStage.Stage.values
            else "Unknown",
            "people": len(durations),
            "at": {},
        }
        for horizon in HORIZONS:
            at_risk = (
                int(table.loc[table.index >= horizon, "at_risk"].iloc[0])
                if (table.index >= horizon).any()
                else 0
            )
            row["at"][horizon] = float(fitter.predict(horizon)) if at_risk >= min_at_risk else None
        rows.append(row)
    return rows


def advancement(
    day: dt.date, group: set[int] | None = None, answered: set[int] | None = None
) -> dict:
    """Steps up: student to postdoc, postdoc to staff or faculty, member to deputy, deputy to
    lead. With ``group`` (and the people who ``answered``), each step also for the group and
    the others, hidden where either is smaller than 5."""
    by_person = defaultdict(list)
    for s in (
        CareerStage.objects.filter(start__lte=day)
        .order_by("start")
        .only("person_id", "stage", "start")
    ):
        by_person[s.person_id].append(s.stage)
    deputy, lead_after = {}, set()
    for a in (
        Appointment.objects.filter(start__lte=day)
        .select_related("position")
        .only("person_id", "start", "position__role")
        .order_by("start")
    ):
        if a.position.role == Position.Role.DEPUTY:
            deputy.setdefault(a.person_id, a.start)
        elif a.position.role in LEADS and a.person_id in deputy and a.start >= deputy[a.person_id]:
            lead_after.add(a.person_id)
    members = set(Membership.objects.filter(start__lte=day).values_list("person_id", flat=True))
    staff = {
        CareerStage.Stage.SCIENTIST,
        CareerStage.Stage.ENGINEER,
        CareerStage.Stage.FACULTY_EARLY,
        CareerStage.Stage.FACULTY_SENIOR,
    }
    steps = {
        "student → postdoc": (
            {p for p, s in by_person.items() if CareerStage.Stage.STUDENT in s},
            {
                p
                for p, s in by_person.items()
                if CareerStage.Stage.STUDENT in s and CareerStage.Stage.POSTDOC in s
            },
        ),
        "postdoc → staff or faculty": (
            {p for p, s in by_person.items() if CareerStage.Stage.POSTDOC in s},
            {
                p
                for p, s in by_person.items()
                if CareerStage.Stage.POSTDOC in s
                and any(x in staff for x in s[s.index(CareerStage.Stage.POSTDOC) :])
            },
        ),
        "member → deputy": (members, set(deputy) & members),
        "deputy → lead": (set(deputy), lead_after),
    }
    out = {}
    for name, (base, advanced) in steps.items():
        row = {"base": len(base), "advanced": len(advanced & base)}
        if group is not None:
            for label, people in (
                ("group", base & answered & group),
                ("others", base & answered - group),
            ):
                moved = len(people & advanced)
                ok = (
                    len(people) >= MIN_GROUP
                    and moved >= MIN_GROUP
                    and len(people) - moved >= MIN_GROUP
                )
                row[label] = (moved, len(people)) if ok else None
        out[name] = row
    return out


def institutions(
    day: dt.date,
    group: set[int] | None = None,
    answered: set[int] | None = None,
    published: bool = True,
) -> list[dict]:
    """Each institution's current members by career stage (and, for the officer, the share
    of one group among those who answered, hidden when small)."""
    members = set(Membership.objects.surely_on(day).values_list("person_id", flat=True))
    stage_of = {}
    for s in CareerStage.objects.possibly_on(day).only("person_id", "stage"):
        stage_of[s.person_id] = s.stage
    people = defaultdict(set)
    names = {}
    for a in (
        Affiliation.objects.possibly_on(day)
        .select_related("institution")
        .only("person_id", "institution__name", "institution__slug")
    ):
        if a.person_id in members:
            people[a.institution.slug].add(a.person_id)
            names[a.institution.slug] = a.institution.name
    rows = []
    for slug, ids in people.items():
        stages = Counter(stage_of.get(p, "unknown") for p in ids)
        row = {
            "institution": names[slug],
            "members": len(ids),
            "stages": {
                CareerStage.Stage(k).label if k in CareerStage.Stage.values else "Unknown": (
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
    return sorted(rows, key=lambda r: -r["members"])

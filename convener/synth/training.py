"""Courses, requirements and completions (some missing, some expiring), and contact opt-ins."""

from __future__ import annotations

import datetime as dt

from convener.org.models import Position
from convener.people.models import Person
from convener.training.models import Completion, Course, Requirement, Topic

COURSES = [
    ("Running effective meetings", "CMS Leadership Programme", [Topic.MEETINGS], None),
    (
        "Code of conduct for leaders",
        "Collaboration Diversity Office",
        [Topic.CODE_OF_CONDUCT, Topic.INCLUSIVE],
        24,
    ),
    (
        "Handling code-of-conduct violations",
        "Collaboration Diversity Office",
        [Topic.VIOLATIONS, Topic.CODE_OF_CONDUCT],
        36,
    ),
    ("Inclusive leadership", "Laboratory HR Training", [Topic.INCLUSIVE, Topic.MENTORING], 48),
]
REQUIREMENTS = [  # (course index, level, role, within months)
    (0, Position.Level.L2, "", 6),
    (0, Position.Level.L1, "", 6),
    (1, Position.Level.L3, "", 3),
    (1, Position.Level.L2, "", 3),
    (1, Position.Level.L1, "", 3),
    (1, Position.Level.TOP, "", 3),
    (2, Position.Level.L1, "", 6),
    (2, Position.Level.TOP, "", 6),
    (3, Position.Level.COMMITTEE, Position.Role.CHAIR, 12),
]


def make_training(synth) -> dict:
    rng = synth.rng
    today = synth.today
    courses = Course.objects.bulk_create(
        [
            Course(title=t, provider=p, topics=[str(x) for x in topics], validity_months=v)
            for t, p, topics, v in COURSES
        ]
    )
    requirements = Requirement.objects.bulk_create(
        [
            Requirement(course=courses[i], level=level, role=role, within_months=months)
            for i, level, role, months in REQUIREMENTS
        ]
    )
    completions, seen = [], set()
    for a in synth.appointments:
        if a.end is not None:
            continue
        for r in requirements:
            if not r.applies_to(a.position):
                continue
            key = (a.person.pk, r.course_id)
            if key in seen or rng.random() < 0.22:
                continue  # missing: due or overdue
            seen.add(key)
            earliest = a.start - dt.timedelta(days=400)
            span = max((today - earliest).days, 1)
            day = earliest + dt.timedelta(days=rng.randint(0, span - 1))
            completions.append(
                Completion(
                    person=a.person,
                    course=r.course,
                    completed_on=day,
                    source=Completion.Source.IMPORT,
                )
            )
    Completion.objects.bulk_create(completions, batch_size=2000)
    leaders = sorted({a.person.pk for a in synth.appointments})
    opted = [pk for pk in leaders if rng.random() < 0.3]
    Person.objects.filter(pk__in=opted).update(contact_opt_in=True)
    return {"courses": len(courses), "completions": len(completions), "contact_opt_ins": len(opted)}

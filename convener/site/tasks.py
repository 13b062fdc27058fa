"""What a signed-in person has to do, from every domain at once: the "Your tasks" panel of the
home page and the weekly digest mail read it from here, so both always agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from convener.core.dates import add_months
from convener.core.roles import Role, has_role
from convener.nominations.models import Call, Candidacy
from convener.nominations.services import calls_under_way
from convener.org import succession
from convener.org.models import Appointment, OrgUnit
from convener.people.models import Person
from convener.training import services as training

TERMS_AHEAD_MONTHS = 6  # "terms ending in my area": the dashboard's default look-ahead


@dataclass
class Tasks:
    consent: list[Candidacy] = field(default_factory=list)  # nominations awaiting my answer
    review: list[Call] = field(default_factory=list)  # calls my committee reviews
    decide: list[Call] = field(default_factory=list)  # calls in review, for management
    terms: list[succession.Term] = field(default_factory=list)  # ending in my area, no call
    area: str = ""  # what "my area" is, in words
    training: list[training.Line] = field(default_factory=list)  # my overdue or expired
    roles: set[str] = field(default_factory=set)

    @property
    def count(self) -> int:
        return (
            len(self.consent)
            + len(self.review)
            + len(self.decide)
            + len(self.terms)
            + len(self.training)
        )


def area_of(person: Person | None, today: dt.date) -> tuple[set[int] | None, str]:
    """The units a manager answers for: everything under the L1 and L2 areas they lead today,
    or the whole collaboration (``None``) when they lead none (an L3 convener who is also a
    manager answers for more than their group) or lead at the top."""
    if person is None:
        return None, "the whole collaboration"
    leads = list(
        OrgUnit.objects.filter(
            positions__appointments__in=Appointment.objects.surely_on(today).filter(
                person=person, position__role__in=succession.LEAD_ROLES
            ),
            level__in=[OrgUnit.Level.TOP, OrgUnit.Level.L1, OrgUnit.Level.L2],
        ).distinct()
    )
    if not leads or any(u.level == 0 for u in leads):
        return None, "the whole collaboration"
    children: dict[int | None, list[int]] = {}
    for pk, parent in OrgUnit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found: set[int] = set()
    stack = [u.pk for u in leads]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found, ", ".join(u.name for u in leads)


def tasks_for(user, today: dt.date | None = None, version: int | None = None) -> Tasks:
    """Everything waiting for ``user`` today, by what their roles allow; a fixed number of
    queries for each role, whatever the size of the collaboration. ``version`` is the
    registry's version when the caller has read it already."""
    today = today or timezone.localdate()
    now = timezone.now()
    person = getattr(user, "person", None)
    tasks = Tasks(roles={r for r in Role.values if has_role(user, r)})
    if person is not None:
        tasks.consent = list(
            Candidacy.objects.visible_to(user)
            .filter(
                nominee=person,
                state=Candidacy.State.AWAITING_CONSENT,
                call__state=Call.State.OPEN,
                call__closes_at__gt=now,
            )
            .select_related("call")
            .order_by("call__closes_at")
        )
        if Role.COMMITTEE_MEMBER in tasks.roles:
            tasks.review = list(
                Call.objects.visible_to(user)
                .to_review_by(person)  # not those they are recused from
                .select_related("position")
                .order_by("closes_at")
            )
        tasks.training = [
            line
            for line in training.compliance(today, person=person)
            if line.status in (training.Status.OVERDUE, training.Status.EXPIRED)
        ]
    if Role.MANAGER in tasks.roles:
        tasks.decide = list(
            Call.objects.visible_to(user)
            .to_decide_by(user)  # not those they may not decide
            .select_related("position")
            .order_by("closes_at")
        )
        units, tasks.area = area_of(person, today)
        tasks.terms = terms_without_call(today, units, version)
    return tasks


def terms_without_call(
    today: dt.date, units: set[int] | None, version: int | None = None
) -> list[succession.Term]:
    """Current terms ending within six months, in ``units`` (all when ``None``), for whose
    position no call is being prepared or run, soonest first. The terms are the registry's
    of the day (computed once per registry version); the calls are read anew."""
    horizon = add_months(today, TERMS_AHEAD_MONTHS)
    busy = set(calls_under_way())  # positions with a call being prepared or run
    return sorted(
        (
            t
            for t in succession.registry_terms(today, version)
            if t.term_end is not None
            and t.term_end <= horizon
            and t.appointment.position_id not in busy
            and (units is None or t.appointment.position.unit_id in units)
        ),
        key=lambda t: t.term_end,
    )

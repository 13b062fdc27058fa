"""A small collaboration with a committee, members with accounts, and a call."""

import datetime as dt

from django.utils import timezone

from convener.core.roles import Role
from convener.nominations import services
from convener.nominations.models import Call
from convener.org import services as org_services
from convener.org.models import OrgUnit, Position
from tests.factories import (
    MembershipFactory,
    OrgUnitFactory,
    PersonFactory,
    PositionFactory,
    UserFactory,
)


def member(name, *roles, with_user=True):
    person = PersonFactory(name=name)
    MembershipFactory(person=person, start=dt.date(2000, 1, 1))
    if with_user:
        person.user = UserFactory(
            username=name.replace(" ", "").lower(), roles=[Role.MEMBER, *roles]
        )
        person.user.email = f"{person.user.username}@example.org"
        person.user.save()
        person.save()
    return person


def build(state=Call.State.OPEN) -> dict:
    committee = OrgUnitFactory(
        name="Nominations Committee", kind=OrgUnit.Kind.COMMITTEE, level=None
    )
    seat = PositionFactory(
        unit=committee,
        title="Committee Member",
        seats=5,
        level=Position.Level.COMMITTEE,
        role=Position.Role.MEMBER,
    )
    reviewers = [member(f"Rita Reviewer{i}", Role.COMMITTEE_MEMBER) for i in range(3)]
    for r in reviewers:
        org_services.appoint(r, seat, dt.date(2020, 1, 1))
    position = PositionFactory(
        title="Pixel L3 Convener",
        level=Position.Level.L3,
        requirements="- Leads people\n- Knows pixels",
        mandate="Runs the pixel group.",
    )
    # the manager is a person of the registry: deciding needs their conflict declaration
    manager = member("Mona Manager", Role.MANAGER).user
    now = timezone.now()
    call = services.create_call(
        position,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=10),
        committee=committee,
        by=manager,
    )
    if state != Call.State.DRAFT:
        services.transition(call, Call.State.OPEN, by=manager)
    call.refresh_from_db()
    return {
        "committee": committee,
        "reviewers": reviewers,
        "position": position,
        "call": call,
        "manager": manager,
        "alice": member("Alice Able"),
        "bob": member("Bob Baker"),
        "carol": member("Carol Chen"),
        "dan": member("Dan Dare"),
    }


def close_and_review(world) -> Call:
    call = world["call"]
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    services.run_periodic_jobs()
    call.refresh_from_db()
    services.transition(call, Call.State.REVIEW, by=world["manager"])
    call.refresh_from_db()
    return call


def decide(world, appointed, *, rationale="As the committee recommended.", start=None, by=None):
    """The world's manager decides ``world["call"]``, declaring no conflict."""
    return services.decide(
        world["call"],
        appointed=appointed,
        rationale=rationale,
        start=start or dt.date(2026, 1, 1),
        by=by or world["manager"],
        no_conflict=True,
    )

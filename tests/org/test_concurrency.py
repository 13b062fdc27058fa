"""Two managers appointing different people to one single seat at the same moment, on real
concurrent PostgreSQL connections: exactly one wins, the other gets a clear message."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from convener.org import services
from convener.org.models import Appointment
from tests.factories import PersonFactory, PositionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL"),
]


def test_two_simultaneous_appointments_to_one_seat_leave_exactly_one():
    position = PositionFactory(seats=1)
    people = [PersonFactory(), PersonFactory()]
    barrier = threading.Barrier(2)
    outcomes = []

    def appoint(person):
        try:
            barrier.wait(timeout=10)
            services.appoint(person, position, dt.date(2025, 1, 1))
            outcomes.append("won")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=appoint, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes)[-1] == "won" and outcomes.count("won") == 1
    assert any("seat" in o for o in outcomes if o != "won")
    assert Appointment.objects.filter(position=position).count() == 1


def test_two_simultaneous_identical_nominations_merge_into_one():
    from convener.nominations import services as calls
    from convener.nominations.models import Candidacy, Nomination
    from tests.nominations import world as w

    world = w.build()
    barrier = threading.Barrier(2)
    outcomes = []

    def nominate(nominator):
        try:
            barrier.wait(timeout=10)
            calls.nominate(world["call"], world["bob"], nominator, "Bob!")
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=nominate, args=(p,)) for p in (world["alice"], world["alice"])
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["You have already nominated Bob Baker for this call.", "ok"]
    assert Candidacy.objects.count() == 1 and Nomination.objects.count() == 1

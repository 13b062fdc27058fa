"""Two managers appointing different people to one single seat at the same moment, on real
concurrent PostgreSQL connections: exactly one wins, the other gets a clear message."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

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


def test_a_new_row_of_an_import_waits_for_the_lock_on_its_position_and_sees_the_holder():
    """Issue 13: the importer's new rows skipped the seat lock, so an import and a manager
    could fill one seat twice. While a manager's transaction holds the position (appointing
    someone), the import waits for it; then it sees that holder and reports its row."""
    from convener.exchange.importer import import_tables
    from convener.org.models import Position

    position = PositionFactory(seats=1, external_id="lead")
    PersonFactory(name="Ivo Imported", external_id="ivo")
    locked, release, outcome = threading.Event(), threading.Event(), {}

    def manager():
        try:
            with transaction.atomic():
                Position.objects.select_for_update().get(pk=position.pk)
                services.appoint(PersonFactory(name="Mia Manual"), position, dt.date(2025, 1, 1))
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def importer():
        row = {"id": "a1", "person": "ivo", "position": "lead", "start": "2025-01-01"}
        try:
            report = import_tables({"appointments": [(2, row)]})
            outcome["problems"] = [p.problem for p in report.problems]
        finally:
            connections.close_all()

    first = threading.Thread(target=manager)
    first.start()
    assert locked.wait(timeout=10)
    second = threading.Thread(target=importer)
    second.start()
    waited = False
    for _ in range(400):  # until the import's connection is seen waiting for a lock
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                waited = True
                break
        second.join(timeout=0.05)
        if not second.is_alive():
            break
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert waited, "the import did not wait for the position's lock"
    assert len(outcome["problems"]) == 1 and "no free seat" in outcome["problems"][0]
    assert [a.person.name for a in Appointment.objects.filter(position=position)] == ["Mia Manual"]

"""PostgreSQL enforces the seat rule itself (seat periods included) and refuses one person
holding a position twice at once, even when the model layer is bypassed; it allows exactly
what the model layer allows on the same records."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from convener.org import services
from convener.org.models import Appointment, Position, SeatPeriod
from tests.factories import AppointmentFactory, PersonFactory, PositionFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL constraint"),
]
D = dt.date


def _raw(position, start, end=None, person=None, **dates):
    row = Appointment(
        person=person or PersonFactory(), position=position, start=start, end=end, **dates
    )
    row.set_derived_dates()
    return row


def test_bulk_insert_of_an_overlapping_holder_is_refused_by_the_database():
    first = AppointmentFactory(start=D(2010, 1, 1))
    with pytest.raises(IntegrityError, match="appointment_seat_rule"), transaction.atomic():
        Appointment.objects.bulk_create([_raw(first.position, D(2011, 1, 1))])
    assert Appointment.objects.count() == 1


def test_the_database_allows_a_handover_on_the_same_day():
    first = AppointmentFactory(start=D(2010, 1, 1), end=D(2012, 1, 1))
    Appointment.objects.bulk_create([_raw(first.position, D(2012, 1, 1))])
    assert Appointment.objects.count() == 2


def test_the_database_does_not_invent_an_overlap_from_vague_dates():
    first = AppointmentFactory(
        start=D(1994, 1, 1), start_precision="year", end=D(1998, 1, 1), end_precision="year"
    )
    Appointment.objects.bulk_create([_raw(first.position, D(1998, 9, 1))])
    assert Appointment.objects.count() == 2


def test_a_seat_period_lets_the_database_take_two_holders_then_one_again():
    position = PositionFactory(seats=1)
    services.set_seat_period(position, D(2005, 1, 1), 2, end=D(2011, 1, 1))
    Appointment.objects.bulk_create(
        [_raw(position, D(2005, 1, 1), D(2011, 1, 1)), _raw(position, D(2006, 1, 1), D(2010, 1, 1))]
    )
    with pytest.raises(IntegrityError, match="appointment_seat_rule"), transaction.atomic():
        Appointment.objects.bulk_create([_raw(position, D(2007, 1, 1), D(2008, 1, 1))])
    # two holders that run past 2011 into the one-seat years are refused
    with pytest.raises(IntegrityError, match="2011-01-01"), transaction.atomic():
        Appointment.objects.bulk_create(
            [_raw(position, D(2011, 1, 1), D(2013, 1, 1)), _raw(position, D(2010, 6, 1))]
        )
    assert Appointment.objects.count() == 2


def test_removing_or_shrinking_a_seat_period_under_its_holders_is_refused_by_the_database():
    position = PositionFactory(seats=1)
    period = services.set_seat_period(position, D(2005, 1, 1), 2, end=D(2011, 1, 1))
    services.appoint(PersonFactory(), position, D(2005, 1, 1), end=D(2011, 1, 1))
    services.appoint(PersonFactory(), position, D(2006, 1, 1), end=D(2010, 1, 1))
    with pytest.raises(IntegrityError, match="appointment_seat_rule"), transaction.atomic():
        SeatPeriod.objects.filter(pk=period.pk).delete()
    with pytest.raises(IntegrityError, match="appointment_seat_rule"), transaction.atomic():
        SeatPeriod.objects.filter(pk=period.pk).update(seats=1)
    assert SeatPeriod.objects.get().seats == 2


def test_lowering_a_positions_seats_under_its_holders_is_refused_by_the_database():
    position = PositionFactory(seats=2)
    services.appoint(PersonFactory(), position, D(2010, 1, 1))
    services.appoint(PersonFactory(), position, D(2011, 1, 1))
    with pytest.raises(IntegrityError, match="appointment_seat_rule"), transaction.atomic():
        Position.objects.filter(pk=position.pk).update(seats=1)


def test_one_person_twice_at_once_is_refused_by_the_database():
    position = PositionFactory(seats=3)
    person = PersonFactory()
    AppointmentFactory(person=person, position=position, start=D(2010, 1, 1), end=D(2014, 1, 1))
    with (
        pytest.raises(IntegrityError, match="appointment_person_no_overlap"),
        transaction.atomic(),
    ):
        Appointment.objects.bulk_create([_raw(position, D(2012, 1, 1), person=person)])

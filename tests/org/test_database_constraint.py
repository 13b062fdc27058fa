"""PostgreSQL refuses a second holder of a single seat even when the model layer is bypassed."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from convener.org.models import Appointment
from tests.factories import AppointmentFactory, PersonFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL constraint"),
]


def _raw(position, start, end=None):
    row = Appointment(
        person=PersonFactory(), position=position, start=start, end=end, single_seat=True
    )
    row.set_derived_dates()
    return row


def test_bulk_insert_of_an_overlapping_holder_is_refused_by_the_database():
    first = AppointmentFactory(start=dt.date(2010, 1, 1))
    with (
        pytest.raises(IntegrityError, match="appointment_single_seat_no_overlap"),
        transaction.atomic(),
    ):
        Appointment.objects.bulk_create([_raw(first.position, dt.date(2011, 1, 1))])
    assert Appointment.objects.count() == 1


def test_the_database_allows_a_handover_on_the_same_day():
    first = AppointmentFactory(start=dt.date(2010, 1, 1), end=dt.date(2012, 1, 1))
    Appointment.objects.bulk_create([_raw(first.position, dt.date(2012, 1, 1))])
    assert Appointment.objects.count() == 2


def test_the_database_does_not_invent_an_overlap_from_vague_dates():
    first = AppointmentFactory(
        start=dt.date(1994, 1, 1),
        start_precision="year",
        end=dt.date(1998, 1, 1),
        end_precision="year",
    )
    Appointment.objects.bulk_create([_raw(first.position, dt.date(1998, 9, 1))])
    assert Appointment.objects.count() == 2

"""The registry's integrity rules, through the model layer (every path in saves through it)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from convener.org import services
from convener.org.models import Appointment
from tests.factories import AppointmentFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db
D = dt.date


def test_an_end_before_the_start_is_refused_and_nothing_is_saved():
    position = PositionFactory()
    with pytest.raises(ValidationError) as info:
        services.appoint(PersonFactory(), position, D(2010, 5, 1), end=D(2010, 4, 1))
    assert "end" in info.value.message_dict
    assert "before the start" in info.value.message_dict["end"][0]
    assert not Appointment.objects.exists()


def test_a_single_seat_cannot_have_two_holders_on_one_day():
    position = PositionFactory(seats=1)
    first = services.appoint(PersonFactory(name="Ada First"), position, D(2010, 1, 1))
    with pytest.raises(ValidationError) as info:
        services.appoint(PersonFactory(), position, D(2012, 1, 1))
    message = info.value.message_dict["start"][0]
    assert "1 seat" in message and "Ada First" in message
    assert list(Appointment.objects.all()) == [first]


def test_a_successor_may_start_the_day_the_predecessor_ends():
    position = PositionFactory(seats=1)
    services.appoint(PersonFactory(), position, D(2010, 1, 1), end=D(2012, 1, 1))
    services.appoint(PersonFactory(), position, D(2012, 1, 1))
    assert position.appointments.count() == 2


def test_a_multi_seat_position_takes_as_many_holders_as_seats_and_no_more():
    position = PositionFactory(seats=2)
    services.appoint(PersonFactory(), position, D(2010, 1, 1), end=D(2014, 1, 1))
    services.appoint(PersonFactory(), position, D(2011, 1, 1))
    with pytest.raises(ValidationError, match="2 seat"):
        services.appoint(PersonFactory(), position, D(2013, 6, 1))
    # after the first holder leaves there is room again
    services.appoint(PersonFactory(), position, D(2014, 1, 1))
    assert position.appointments.count() == 3


def test_one_person_cannot_hold_the_same_position_twice_at_once():
    position = PositionFactory(seats=3)
    person = PersonFactory(name="Bo Twice")
    services.appoint(person, position, D(2010, 1, 1), end=D(2012, 1, 1))
    with pytest.raises(ValidationError, match="Bo Twice already holds this position"):
        services.appoint(person, position, D(2011, 6, 1))


def test_a_year_only_record_does_not_clash_with_a_dated_successor_in_that_year():
    """'1994-1998' and 'from 1998-09-01' may or may not overlap: the data does not say so."""
    position = PositionFactory(seats=1)
    services.appoint(
        PersonFactory(),
        position,
        D(1994, 1, 1),
        start_precision="year",
        end=D(1998, 1, 1),
        end_precision="year",
    )
    services.appoint(PersonFactory(), position, D(1998, 9, 1))
    assert position.appointments.count() == 2


def test_a_year_only_record_that_surely_overlaps_is_refused():
    position = PositionFactory(seats=1)
    services.appoint(
        PersonFactory(),
        position,
        D(1994, 1, 1),
        start_precision="year",
        end=D(1999, 1, 1),
        end_precision="year",
    )
    with pytest.raises(ValidationError):
        services.appoint(PersonFactory(), position, D(1998, 3, 1), end=D(1998, 6, 1))


def test_partial_dates_are_kept_as_given():
    appointment = AppointmentFactory(
        start=D(2013, 9, 17), start_precision="month", end=D(2015, 5, 5), end_precision="year"
    )
    appointment.refresh_from_db()
    assert appointment.start == D(2013, 9, 1)
    assert appointment.period_display() == "2013-09 – 2015"
    assert (appointment.sure_from, appointment.sure_until) == (D(2013, 9, 30), D(2015, 1, 1))


def test_consecutive_appointments_count_terms_and_a_gap_starts_again():
    position = PositionFactory(seats=1)
    person = PersonFactory()
    a = services.appoint(person, position, D(2010, 1, 1), end=D(2012, 1, 1))
    b = services.appoint(person, position, D(2012, 1, 1), end=D(2014, 1, 1))
    c = services.appoint(person, position, D(2016, 1, 1))
    for x in (a, b, c):
        x.refresh_from_db()
    assert [a.term_number, b.term_number, c.term_number] == [1, 2, 1]


def test_terms_are_renumbered_when_an_earlier_term_is_added_later():
    position = PositionFactory(seats=1)
    person = PersonFactory()
    later = services.appoint(person, position, D(2012, 1, 1))
    services.appoint(person, position, D(2010, 1, 1), end=D(2012, 1, 1))
    later.refresh_from_db()
    assert later.term_number == 2


def test_acting_appointments_do_not_count_as_terms_unless_the_position_says_so():
    position = PositionFactory(seats=1)
    person = PersonFactory()
    acting = services.appoint(
        person, position, D(2010, 1, 1), end=D(2010, 7, 1), capacity=Appointment.Capacity.ACTING
    )
    regular = services.appoint(person, position, D(2010, 7, 1))
    acting.refresh_from_db()
    regular.refresh_from_db()
    assert (acting.term_number, regular.term_number) == (None, 1)
    position.acting_counts_as_term = True
    position.save()
    regular.save()
    regular.refresh_from_db()
    assert regular.term_number == 2


def test_a_current_appointment_has_no_end_reason():
    with pytest.raises(ValidationError) as info:
        AppointmentFactory(end_reason=Appointment.EndReason.RESIGNED)
    assert "end_reason" in info.value.message_dict


def test_ending_an_appointment_records_the_reason():
    appointment = AppointmentFactory(start=D(2010, 1, 1))
    services.end_appointment(appointment, D(2011, 3, 1), reason="resigned")
    appointment.refresh_from_db()
    assert appointment.end == D(2011, 3, 1)
    assert appointment.get_end_reason_display() == "Resigned"


def test_reducing_seats_below_the_historical_peak_is_refused():
    position = PositionFactory(seats=2)
    services.appoint(PersonFactory(), position, D(2010, 1, 1))
    services.appoint(PersonFactory(), position, D(2010, 1, 1))
    position.seats = 1
    with pytest.raises(ValidationError) as info:
        position.full_clean()
    assert "seats" in info.value.message_dict


def test_a_position_with_history_cannot_be_deleted():
    from django.db.models import ProtectedError

    appointment = AppointmentFactory()
    with pytest.raises(ProtectedError):
        appointment.position.delete()


def test_every_change_is_recorded_with_who_and_when():
    from tests.factories import UserFactory

    user = UserFactory()
    appointment = AppointmentFactory()
    appointment._history_user = user
    services.end_appointment(appointment, D(2012, 1, 1), reason="term_completed")
    records = list(appointment.history.order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert records[-1].end == D(2012, 1, 1)
    assert records[-1].history_user == user


def test_a_deputy_position_must_name_its_lead():
    deputy = PositionFactory.build(role="deputy", unit=PositionFactory().unit)
    with pytest.raises(ValidationError) as info:
        deputy.full_clean()
    assert "deputizes_for" in info.value.message_dict

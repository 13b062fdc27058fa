"""Whatever appointments people try to make, the stored ones never break the seat rule."""

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from convener.org import services
from convener.org.models import Appointment
from tests.factories import PersonFactory, PositionFactory

attempt = st.tuples(
    st.integers(0, 4),  # which person
    st.dates(dt.date(1990, 1, 1), dt.date(2020, 12, 31)),
    st.one_of(st.none(), st.integers(0, 3000)),  # length in days, or still current
    st.sampled_from(["year", "month", "day"]),
    st.sampled_from(["year", "month", "day"]),
)


class TestSeatRule(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(seats=st.integers(1, 3), attempts=st.lists(attempt, min_size=1, max_size=8))
    def test_no_sequence_of_attempts_overfills_a_position(self, seats, attempts):
        position = PositionFactory(seats=seats)
        people = [PersonFactory() for _ in range(5)]
        for who, start, length, start_p, end_p in attempts:
            end = None if length is None else start + dt.timedelta(days=length)
            with contextlib.suppress(ValidationError):
                services.appoint(
                    people[who],
                    position,
                    start,
                    start_precision=start_p,
                    end=end,
                    end_precision=end_p,
                )
        stored = list(Appointment.objects.filter(position=position))
        # checked independently of the code under test: on every day an appointment surely
        # begins, count the appointments that surely cover that day
        for day in {a.sure_from for a in stored}:
            holding = [a for a in stored if a.surely_covers(day)]
            assert len(holding) <= seats
            assert len({a.person_id for a in holding}) == len(holding)


pytestmark = pytest.mark.django_db


class TestSeatPeriodRule(TestCase):
    """With a seat period (known to the day), the stored holders never exceed the seats of any
    day; on PostgreSQL the database's trigger agrees with the model on every attempt (a
    disagreement would surface as an IntegrityError here)."""

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        seats=st.integers(1, 2),
        extra=st.integers(1, 3),
        period_start=st.dates(dt.date(1995, 1, 1), dt.date(2010, 12, 31)),
        period_days=st.integers(200, 4000),
        attempts=st.lists(attempt, min_size=1, max_size=8),
    )
    def test_no_sequence_of_attempts_overfills_a_position_with_a_seat_period(
        self, seats, extra, period_start, period_days, attempts
    ):
        position = PositionFactory(seats=seats)
        period_end = period_start + dt.timedelta(days=period_days)
        services.set_seat_period(position, period_start, seats + extra, end=period_end)
        people = [PersonFactory() for _ in range(5)]
        for who, start, length, start_p, end_p in attempts:
            end = None if length is None else start + dt.timedelta(days=length)
            with contextlib.suppress(ValidationError):
                services.appoint(
                    people[who],
                    position,
                    start,
                    start_precision=start_p,
                    end=end,
                    end_precision=end_p,
                )
        stored = list(Appointment.objects.filter(position=position))
        days = {a.sure_from for a in stored} | {period_start, period_end}
        for day in days:
            allowed = seats + extra if period_start <= day < period_end else seats
            assert sum(a.surely_covers(day) for a in stored) <= allowed

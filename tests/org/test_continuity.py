"""Consecutive terms decided from both dates' precision, by the one continuity rule."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from convener.core.dates import PartialDate, continues
from convener.org import services, succession
from convener.org.models import Appointment
from tests.factories import PersonFactory, PositionFactory
from tests.histories import LAST_DAY, LEFT

pytestmark = pytest.mark.django_db
D = dt.date
P = PartialDate.parse


@pytest.mark.parametrize(
    "last_day,next_start,expected",
    [
        ("2012-06-30", "2012-07-01", True),  # the next day
        ("2012-06-30", "2012-07-02", False),  # one day nobody held it
        ("2012-06-30", "2012-06-15", True),  # the records overlap: still one run
        ("2006-04", "2006-05", True),  # the following month
        ("2006-04", "2006-06", False),
        ("2006-04-30", "2006-05", True),  # month precision decides: the following month
        ("2012-06", "2012-07-01", True),
        ("2012-06", "2012-08-01", False),
        ("1998", "1999", True),  # the following year
        ("1998", "2000", False),
        ("1998-12-31", "1999", True),
        ("1998-03-01", "1999", True),  # the following year, at the second date's precision
        ("1997-12-31", "1999-01-01", False),
    ],
)
def test_the_continuity_rule_on_hand_worked_cases(last_day, next_start, expected):
    assert continues(P(last_day), P(next_start)) is expected


def test_an_unknown_date_continues_nothing():
    assert continues(None, P("1999")) is False
    assert continues(P("1998"), None) is False


def _terms(person, position):
    return [a.term_number for a in Appointment.objects.filter(person=person, position=position)]


@pytest.mark.parametrize(
    "first,second",
    [
        # "2004-05-01 to 2006-04", then "2006-05 to 2008-04"
        (
            {
                "start": D(2004, 5, 1),
                "end": D(2006, 4, 1),
                "end_precision": "month",
                "end_kind": LAST_DAY,
            },
            {
                "start": D(2006, 5, 1),
                "start_precision": "month",
                "end": D(2008, 4, 1),
                "end_precision": "month",
                "end_kind": LAST_DAY,
            },
        ),
        # "to 2012-06-30" (last day), then "from 2012-07-01"
        (
            {"start": D(2010, 7, 1), "end": D(2012, 6, 30), "end_kind": LAST_DAY},
            {"start": D(2012, 7, 1)},
        ),
        # "to 1998", then "from 1999"
        (
            {
                "start": D(1995, 1, 1),
                "start_precision": "year",
                "end": D(1998, 1, 1),
                "end_precision": "year",
                "end_kind": LAST_DAY,
            },
            {"start": D(1999, 1, 1), "start_precision": "year"},
        ),
        # a day of leaving: left 2012-07-01, back the same day
        (
            {"start": D(2010, 7, 1), "end": D(2012, 7, 1), "end_kind": LEFT},
            {"start": D(2012, 7, 1)},
        ),
    ],
)
def test_a_second_mandate_recorded_at_another_precision_is_the_second_term(first, second):
    position = PositionFactory(term_limit=None)
    person = PersonFactory()
    services.appoint(person, position, first.pop("start"), **first)
    services.appoint(person, position, second.pop("start"), **second)
    assert sorted(_terms(person, position)) == [1, 2]


def test_a_day_of_leaving_followed_a_day_later_leaves_a_gap_and_starts_again():
    position = PositionFactory(term_limit=None)
    person = PersonFactory()
    services.appoint(person, position, D(2010, 7, 1), end=D(2012, 7, 1), end_kind=LEFT)
    services.appoint(person, position, D(2012, 7, 2))
    assert sorted(_terms(person, position)) == [1, 1]


def test_the_dashboard_counts_a_deputy_ready_across_precisions():
    """A deputy whose two mandates are "2019-01 to 2020-11" (last month in office) and
    "from 2020-12-15" has served since 2019: the readiness of the bench follows the same rule
    as term numbers (the following month continues the run)."""
    lead = PositionFactory(term_months=24)
    deputy = PositionFactory(
        unit=lead.unit, role="deputy", deputizes_for=lead, term_months=24, term_limit=None
    )
    person = PersonFactory()
    services.appoint(
        person,
        deputy,
        D(2019, 1, 1),
        start_precision="month",
        end=D(2020, 12, 1),
        end_precision="month",
        end_kind=LAST_DAY,
    )
    services.appoint(person, deputy, D(2021, 1, 1), start_precision="year")
    lines = succession.lead_lines(D(2022, 3, 1))
    line = next(line for line in lines if line.position == lead)
    assert [a.person for a in line.ready] == [person]


def test_counting_acting_terms_renumbers_every_holder_at_once():
    position = PositionFactory(term_limit=None)
    person = PersonFactory()
    services.appoint(
        person, position, D(2010, 1, 1), end=D(2010, 7, 1), capacity=Appointment.Capacity.ACTING
    )
    services.appoint(person, position, D(2010, 7, 1))
    assert _terms(person, position) == [None, 1]
    position.acting_counts_as_term = True
    position.full_clean()
    position.save()  # nothing else is saved: the setting alone renumbers
    assert _terms(person, position) == [1, 2]
    position.acting_counts_as_term = False
    position.save()
    assert _terms(person, position) == [None, 1]


def test_counting_acting_terms_is_refused_when_it_would_break_a_term_limit():
    position = PositionFactory(term_limit=1)
    person = PersonFactory()
    services.appoint(
        person, position, D(2010, 1, 1), end=D(2010, 7, 1), capacity=Appointment.Capacity.ACTING
    )
    services.appoint(person, position, D(2010, 7, 1))
    position.acting_counts_as_term = True
    with pytest.raises(ValidationError) as info:
        position.full_clean()
    assert "acting_counts_as_term" in info.value.message_dict

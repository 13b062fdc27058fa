import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from convener.core.dates import PartialDate, Precision


def test_a_year_stands_for_every_day_of_that_year():
    year = PartialDate.parse("1998")
    assert year.precision == Precision.YEAR
    assert (year.earliest, year.latest) == (dt.date(1998, 1, 1), dt.date(1998, 12, 31))
    assert str(year) == "1998"


def test_a_month_ends_on_its_last_day_even_in_a_leap_february():
    month = PartialDate.parse("2024-02")
    assert (month.earliest, month.latest) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert str(month) == "2024-02"


def test_a_day_is_itself():
    day = PartialDate.parse("2013-09-01")
    assert day.earliest == day.latest == dt.date(2013, 9, 1)


@pytest.mark.parametrize("text", ["", "98", "1998-13", "1998-02-30", "1998/09/01", "next year"])
def test_unreadable_dates_are_refused_with_the_reason(text):
    with pytest.raises(ValueError, match="date"):
        PartialDate.parse(text)


def test_a_year_and_a_day_inside_it_cannot_be_ordered():
    assert PartialDate.parse("1998").is_before(PartialDate.parse("1998-09-01")) is None
    assert PartialDate.parse("1997").is_before(PartialDate.parse("1998-09-01")) is True
    assert PartialDate.parse("1999").is_before(PartialDate.parse("1998-09-01")) is False


def test_a_partial_date_must_be_stored_as_the_first_day_of_its_period():
    with pytest.raises(ValueError):
        PartialDate(dt.date(1998, 5, 3), Precision.YEAR)


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.sampled_from([Precision.YEAR, Precision.MONTH, Precision.DAY]),  # "unknown" has no date
)
def test_parsing_what_is_shown_gives_back_the_same_date(day, precision):
    from convener.core.dates import normalize

    partial = PartialDate(normalize(day, precision), precision)
    assert PartialDate.parse(str(partial)) == partial
    assert partial.earliest <= day <= partial.latest

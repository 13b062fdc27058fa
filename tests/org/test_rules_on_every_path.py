"""Items 1-5 of the registry's rules for real history, each through every path in (services,
admin, API, importer) with the same hand-built records and the same answer."""

import datetime as dt

import pytest
from django.utils import timezone

from convener.org import services
from convener.org.models import Appointment
from tests.histories import LAST_DAY, director_terms, observatory
from tests.org.paths import PATHS, Paths

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def paths(client, tmp_path):
    return Paths(client, tmp_path)


@pytest.fixture
def world():
    return observatory()


@pytest.mark.parametrize("path", PATHS)
def test_a_third_consecutive_mandate_at_year_precision_is_term_three_and_needs_an_exception(
    paths, world, path
):
    """1994-05-01 follows "to 1994-04-30 (last day)"; the third record says only "1994" to
    "1997": still consecutive, so term 3 of a post limited to 2."""
    director_terms(world)
    orla, director = world["people"]["Orla Vantongeren"], world["director"]
    refused = paths.enter(path, orla, director, "1994", "1997")
    assert refused.refused
    assert "limit of 2" in refused.errors["exception_justification"]
    made = paths.enter(
        path,
        orla,
        director,
        "1994",
        "1997",
        exception_justification="No candidate during the move to the new site",
        exception_approved_by="Board of Trustees",
    )
    assert not made.refused, made.errors
    assert [a.term_number for a in Appointment.objects.filter(person=orla).order_by("start")] == [
        1,
        2,
        3,
    ]


@pytest.mark.parametrize("path", PATHS)
def test_a_last_day_end_hands_over_to_a_successor_the_next_day_and_no_earlier(paths, world, path):
    ines, tomasz = world["people"]["Ines della Arbel"], world["people"]["Tomasz Qirelli"]
    spokesperson = world["spokesperson"]
    made = paths.enter(path, ines, spokesperson, "2008-07-01", "2012-06-30", end_kind=LAST_DAY)
    assert not made.refused, made.errors
    assert made.appointment.end_kind == LAST_DAY
    clash = paths.enter(path, tomasz, spokesperson, "2012-06-30")
    assert clash.refused and "no free seat" in clash.errors["start"]
    follows = paths.enter(path, tomasz, spokesperson, "2012-07-01")
    assert not follows.refused, follows.errors
    # no day without a spokesperson: the last day is Ines's, the next Tomasz's
    for day, holder in ((D(2012, 6, 30), "Ines della Arbel"), (D(2012, 7, 1), "Tomasz Qirelli")):
        page = services.position_page(spokesperson, day)
        assert [a.person.name for a in page["current"]] == [holder]
        assert page["vacant_seats"] == 0


@pytest.mark.parametrize("path", PATHS)
def test_seat_periods_allow_two_spokespersons_from_2005_to_2011_and_one_otherwise(
    paths, world, path
):
    spokesperson = world["spokesperson"]
    services.set_seat_period(
        spokesperson,
        D(2005, 1, 1),
        2,
        start_precision="year",
        end=D(2011, 1, 1),
        end_precision="year",
    )
    p = world["people"]
    services.appoint(p["Halvard Unset"], spokesperson, D(2004, 1, 1), end=D(2009, 1, 1))
    second = paths.enter(path, p["Mireille van der Hoek"], spokesperson, "2006-03", "2010-06")
    assert not second.refused, second.errors
    third = paths.enter(path, p["Kojo Anselm-Brie"], spokesperson, "2007-01-01", "2008-01-01")
    assert third.refused and "2 seat(s)" in third.errors["start"]
    # in 2012 the post has one seat again
    services.appoint(p["Tomasz Qirelli"], spokesperson, D(2012, 1, 1))
    after = paths.enter(path, p["Kojo Anselm-Brie"], spokesperson, "2013-01-01")
    assert after.refused and "1 seat(s)" in after.errors["start"]


@pytest.mark.parametrize("path", PATHS)
def test_an_unknown_end_is_not_current_does_not_block_a_successor_and_is_to_complete(
    paths, world, path
):
    p, director = world["people"], world["director"]
    first = paths.enter(path, p["Halvard Unset"], director, "1962", "unknown")
    assert not first.refused, first.errors
    assert first.appointment.end_unknown and first.appointment.method == "unknown"
    successor = paths.enter(path, p["Kojo Anselm-Brie"], director, "1966-09")
    assert not successor.refused, successor.errors
    today = timezone.localdate()
    holders = services.position_page(director, today)["current"]
    assert [a.person.name for a in holders] == ["Kojo Anselm-Brie"]
    assert list(Appointment.objects.to_complete()) == [first.appointment, successor.appointment]
    unknown_start = paths.enter(
        path,
        p["Ines della Arbel"],
        world["spokesperson"],
        "unknown",
        "1999-12-31",
        end_kind=LAST_DAY,
    )
    assert not unknown_start.refused, unknown_start.errors
    assert unknown_start.appointment.start is None


@pytest.mark.parametrize("path", PATHS)
def test_an_appointment_before_its_position_existed_is_refused_at_the_dates_precision(
    paths, world, path
):
    """The spokesperson post was created in 1994-09: "1994-03-01" is surely before it, "1994"
    may not be, and a holder after the post's retirement is refused too."""
    p, spokesperson = world["people"], world["spokesperson"]
    before = paths.enter(path, p["Ines della Arbel"], spokesperson, "1994-03-01", "1996")
    assert before.refused and "before the position existed" in before.errors["start"]
    vague = paths.enter(path, p["Ines della Arbel"], spokesperson, "1994", "1996")
    assert not vague.refused, vague.errors
    spokesperson.end, spokesperson.end_precision = D(2020, 1, 1), "day"
    spokesperson.save()
    after = paths.enter(path, p["Tomasz Qirelli"], spokesperson, "2019-06-01")
    assert after.refused and "end of the position" in after.errors["end"]


def test_retiring_a_unit_or_position_before_its_holders_left_is_refused(world):
    from django.core.exceptions import ValidationError

    p, director, lab = world["people"], world["director"], world["lab"]
    services.appoint(p["Ines della Arbel"], director, D(1990, 1, 1), end=D(1996, 6, 30))
    director.end, director.end_precision = D(1995, 1, 1), "year"
    with pytest.raises(ValidationError) as info:
        director.full_clean()
    assert "runs past the end of this position" in info.value.message_dict["end"][0]
    lab.end, lab.end_precision = D(1995, 1, 1), "year"
    with pytest.raises(ValidationError) as info:
        lab.full_clean()
    assert info.value.message_dict["end"][0].startswith("Director (1962 –) runs past the end")

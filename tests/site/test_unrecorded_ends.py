"""A holder whose end nobody recorded, with no one recorded after them: their seat is not
"Vacant" (nobody knows it was) and not theirs (an unknown end is not "still in office"). The
chart, its list, the position page of a day and the Jekyll data say "unknown since" their
start instead. Expectations written by hand from the Northfield Deep Observatory's records:
its first director, Halvard Unset, from 1962 with no recorded end; Kojo Anselm-Brie from
1966-09."""

import datetime as dt

import pytest

from convener.org import services
from tests.exchange.test_jekyll_data import published
from tests.factories import OrgUnitFactory, PersonFactory, PositionFactory
from tests.histories import observatory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def world():
    world = observatory()
    services.appoint(
        world["people"]["Halvard Unset"],
        world["director"],
        D(1962, 1, 1),
        start_precision="year",
        end_precision="unknown",
    )
    return world


@pytest.fixture
def succeeded(world):
    services.appoint(
        world["people"]["Kojo Anselm-Brie"],
        world["director"],
        D(1966, 9, 1),
        start_precision="month",
    )
    return world


def _director(day):
    (lab,) = services.org_chart(day)
    return next(pn for pn in lab.positions if pn.position.title == "Director")


def test_after_the_start_year_the_seat_is_unknown_not_vacant(succeeded):
    on_1964 = _director(D(1964, 6, 30))
    assert on_1964.holders == []
    assert [a.person.name for a in on_1964.unrecorded] == ["Halvard Unset"]
    assert on_1964.vacant_seats == 0
    # in 1962 he may hold it (his start year); from 1966-09 his successor does
    assert [h.appointment.person.name for h in _director(D(1962, 6, 30)).holders] == [
        "Halvard Unset"
    ]
    on_1967 = _director(D(1967, 6, 30))
    assert [h.appointment.person.name for h in on_1967.holders] == ["Kojo Anselm-Brie"]
    assert on_1967.unrecorded == []


def test_with_no_one_recorded_after_him_the_seat_is_unknown_to_this_day(world):
    today = _director(D(2026, 1, 1))
    assert [a.person.name for a in today.unrecorded] == ["Halvard Unset"]
    assert today.vacant_seats == 0


def test_the_chart_draws_unknown_since_1962_where_it_drew_vacant(client, succeeded):
    svg = client.get("/org/chart.svg", {"on": "1964-06-30"}).content.decode()
    assert '<g class="oc-badge oc-badge-unknown">' in svg
    assert "<title>Halvard Unset from 1962; no record after that of who held it</title>" in svg
    assert ">Unknown since 1962</text>" in svg
    assert '<g class="oc-badge oc-badge-vacant">' not in svg
    page = client.get("/org/", {"on": "1964-06-30"}).content.decode()
    assert "unknown since 1962 (" in page and "from 1962, end not recorded)" in page
    assert 'class="vacant">Vacant<' not in page
    assert "were vacant" not in page
    later = client.get("/org/chart.svg", {"on": "1967-06-30"}).content.decode()
    assert "Unknown since" not in later


def test_the_position_page_of_a_day_says_what_is_known(client, succeeded):
    url = succeeded["director"].get_absolute_url()
    body = client.get(url, {"on": "1964-06-30"}).content.decode()
    current = body.split('id="current-h"')[1].split("</section>")[0]
    assert "<strong>Unknown since 1962:</strong>" in current
    assert "Halvard Unset</a> held it from 1962; when that ended was not recorded" in current
    assert "no later holder is recorded by this day" in current
    assert "vacant" not in current.replace("not known to be vacant", "")
    after = client.get(url, {"on": "1967-06-30"}).content.decode()
    assert "Unknown since" not in after


def test_a_known_end_still_leaves_a_vacancy(client, world):
    """The deputy director's first holder left at the end of 1970: 1971 is vacant."""
    deputy = PositionFactory(
        unit=world["lab"], title="Deputy Director", start=D(1962, 1, 1), start_precision="year"
    )
    services.appoint(PersonFactory(name="Ines Known"), deputy, D(1965, 1, 1), end=D(1971, 1, 1))
    body = client.get(deputy.get_absolute_url(), {"on": "1971-06-30"}).content.decode()
    assert "1 seat vacant" in body and "Unknown since" not in body


def test_two_seats_one_held_and_one_unknown(world):
    """A board of two from 2000: Orla from 2000 (open), Ines from 2000 with no recorded end.
    In 2005 one seat is Orla's, the other unknown; none vacant."""
    board = OrgUnitFactory(name="Observatory Board", start=D(1999, 1, 1))
    members = PositionFactory(unit=board, title="Board Member", seats=2, start=D(1999, 1, 1))
    p = world["people"]
    services.appoint(p["Orla Vantongeren"], members, D(2000, 1, 1), start_precision="year")
    services.appoint(
        p["Ines della Arbel"],
        members,
        D(2000, 1, 1),
        start_precision="year",
        end_precision="unknown",
    )
    node = next(
        pn
        for unit in services.org_chart(D(2005, 6, 30))
        for pn in unit.positions
        if pn.position == members
    )
    assert [h.appointment.person.name for h in node.holders] == ["Orla Vantongeren"]
    assert [a.person.name for a in node.unrecorded] == ["Ines della Arbel"]
    assert node.vacant_seats == 0


def test_the_jekyll_data_carries_the_unknown_seat(tmp_path, world):
    positions = published(tmp_path)["positions"]
    director = positions[world["director"].slug]
    assert director["holders"] == []
    assert director["vacant_seats"] == 0
    assert [(u["name"], u["start"], u["start_precision"]) for u in director["unrecorded"]] == [
        ("Halvard Unset", "1962", "year")
    ]
    assert positions[world["spokesperson"].slug]["unrecorded"] == []

"""Who holds the seats that allocate resources and who carries the advisory and community
work: compositions, their ratio and the service load, on a hand-built roster."""

import datetime as dt

import pytest

from convener.org import services as org
from convener.org.models import OrgUnit
from convener.review import report, services
from convener.review.disclosure import Cell
from tests.factories import MembershipFactory, OrgUnitFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db
START = dt.date(2020, 1, 1)


def person(woman: bool):
    p = PersonFactory()
    MembershipFactory(person=p, start=dt.date(2010, 1, 1))
    services.save(p, {"gender": ["woman" if woman else "man"]}, {}, consent_version=1)
    return p


@pytest.fixture
def roster():
    """L3: 12 resource seats (2 women), 12 advisory/community seats (6 women). 40 more
    members (12 women) hold nothing. Two of the advisory women also sit on a committee."""
    unit = OrgUnitFactory(kind=OrgUnit.Kind.GROUP, level=3)
    committee = OrgUnitFactory(kind=OrgUnit.Kind.COMMITTEE, level=None)
    seat = PositionFactory(
        unit=committee, level="committee", role="member", seats=10, function="advisory"
    )
    people = {"res": [], "adv": []}
    for i in range(12):
        p = person(woman=i < 2)
        org.appoint(p, PositionFactory(unit=unit, level="L3", function="resources"), START)
        people["res"].append(p)
    for i in range(12):
        p = person(woman=i < 6)
        org.appoint(p, PositionFactory(unit=unit, level="L3", function="community"), START)
        people["adv"].append(p)
        if i < 2:
            org.appoint(p, seat, START)
    for i in range(40):
        person(woman=i < 12)
    return people


def l3_seats(review, option="woman"):
    section = next(s for s in review["sections"] if s["level"]["key"] == "L3")
    seat = next(x for x in section["seats"] if x["option"] == option)
    row = next(x for x in section["rows"] if x["option"] == option)
    return section, seat, row


def test_a_hidden_seat_count_is_not_left_as_total_minus_parts(roster):
    """2 women of 12 in resource seats is hidden; the level (8 of 24) minus the community
    seats (6 of 12) would give it back, and the members who serve (the same 12 people as
    the community seats) would too: those are hidden as well, the level stays."""
    review = report.build(2024, report.OFFICER)
    section, seat, row = l3_seats(review)
    assert section["community_label"] == "community-building seats"
    assert not seat["resources"]["shown"] and "smaller than 5" in seat["resources"]["reason"]
    assert not seat["community"]["shown"] and "worked out" in seat["community"]["reason"]
    assert (row["k"], row["n"]) == (8, 24) and seat["ratio"] is None
    engagement = next(e for e in review["engagement"] if e["option"] == "woman")
    assert not engagement["shown"]
    members = next(r for r in review["base"] if r["option"] == "woman")
    assert (members["k"], members["n"]) == (20, 64)


def test_both_compositions_their_ratio_and_the_service_load(roster):
    for p in roster["res"][2:5]:  # three more women in resource seats: 5 of 12
        services.save(p, {"gender": ["woman"]}, {}, consent_version=1)
    review = report.build(2024, report.OFFICER)
    _, seat, _ = l3_seats(review)
    assert (seat["resources"]["k"], seat["resources"]["n"]) == (5, 12)
    assert (seat["community"]["k"], seat["community"]["n"]) == (6, 12)
    assert seat["ratio"] == pytest.approx((6 / 12) / (5 / 12))
    # Boschloo, samples as columns, with its Newcombe interval of 5/12 - 6/12
    assert seat["comparison"]["method"] == "Boschloo"
    low, high = seat["comparison"]["diff"]
    assert low < 5 / 12 - 6 / 12 < high
    engagement = next(e for e in review["engagement"] if e["option"] == "woman")
    # serving members: all 12 community seat holders (6 women), plus nobody else
    assert engagement["shown"] and engagement["group_serving"] == 6
    assert engagement["group_rate"] == pytest.approx(6 / 23)
    assert engagement["rest_rate"] == pytest.approx(6 / 41)
    assert engagement["load_group"] == pytest.approx(8 / 6)  # two of them on a committee too
    assert engagement["load_rest"] == pytest.approx(1.0)


def test_published_loads_come_from_rounded_counts(roster):
    for p in roster["res"][2:5]:
        services.save(p, {"gender": ["woman"]}, {}, consent_version=1)
    review = report.build(2024, report.PUBLISHED)
    engagement = next(e for e in review["engagement"] if e["option"] == "woman")
    assert engagement["shown"]
    # women serving: 6 (rounded to 5) holding 8 seats (rounded to 10); the other 6 serving
    # (rounded to 5) hold 6 seats (rounded to 5)
    assert engagement["load_group"] == pytest.approx(10 / 5)
    assert engagement["load_rest"] == pytest.approx(5 / 5)


def test_published_seat_tables_obey_the_rules_and_the_attacker_finds_no_one(roster):
    from tests.review.test_disclosure import derivable

    review = report.build(2024, report.PUBLISHED)
    for section in review["sections"]:
        for seat in section["seats"]:
            for kind in ("resources", "community"):
                row = seat[kind]
                if row["shown"]:
                    assert row["k"] % 5 == 0 and row["n"] >= 10
    cells = [Cell.from_store(c, i) for i, c in enumerate(review["cells"])]
    gender = [c for c in cells if c.question == "gender" and c.n < 80]
    options = tuple(sorted({o for c in gender for o in c.shown}))
    assert derivable(gender, options, exclusive=len(options) > 1) == set()

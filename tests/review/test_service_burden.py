"""Who holds the seats that allocate resources and who carries the advisory and community
work: compositions, their ratio and the service load, on a hand-built roster."""

import datetime as dt

import pytest

from convener.org import services as org
from convener.org.models import OrgUnit
from convener.review import report, services
from convener.review.disclosure import Cell, protect
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


def test_both_compositions_their_ratio_and_the_service_load(roster):
    review = report.build(2024, report.OFFICER)
    women = next(a for a in review["attributes"] if a.option == "woman")
    l3 = next(s for s in women.seats if s["level"].key == "L3")
    assert (l3["resources"].k, l3["resources"].n) == (2, 12)
    assert (l3["advisory"].k, l3["advisory"].n) == (6, 12)
    # 2 of 12 is a group under 5: the officer sees it hidden, and no ratio is computed
    assert l3["resources"].shown_k is None and l3["ratio"] is None
    assert (l3["advisory"].shown_k, l3["advisory"].shown_n) == (6, 12)
    members = women.rows[0]
    assert (members.k, members.n) == (20, 64)
    engagement = women.engagement
    # serving members: all 12 advisory/community seat holders (6 women), plus nobody else
    assert engagement["shown"] and engagement["group_serving"] == 6
    assert engagement["group_rate"] == pytest.approx(6 / 20)
    assert engagement["rest_rate"] == pytest.approx(6 / 44)
    assert engagement["load_group"] == pytest.approx(8 / 6)  # two of them on a committee too
    assert engagement["load_rest"] == pytest.approx(1.0)


def test_the_ratio_when_both_sides_may_be_shown(roster):
    for p in roster["res"][2:5]:  # three more women in resource seats: 5 of 12
        services.save(p, {"gender": ["woman"]}, {}, consent_version=1)
    review = report.build(2024, report.OFFICER)
    l3 = next(
        s
        for s in next(a for a in review["attributes"] if a.option == "woman").seats
        if s["level"].key == "L3"
    )
    assert l3["ratio"] == pytest.approx((6 / 12) / (5 / 12))


def test_published_seat_tables_obey_the_rules_and_the_attacker_finds_no_one(roster):
    from tests.review.test_disclosure import derivable

    review = report.build(2024, report.PUBLISHED)
    for attr in review["attributes"]:
        for seat in attr.seats:
            for kind in ("resources", "advisory"):
                row = seat[kind]
                if row.shown_k is not None:
                    assert row.k >= 5 and row.n - row.k >= 5 and row.n >= 10
    data = report.Data()
    cells = list(report._cells(data, 2024, "gender", "woman").values())
    protect(cells)
    assert derivable([c for c in cells if c.published and len(c.roster) < 80]) == set()
    assert all(isinstance(c, Cell) for c in cells)

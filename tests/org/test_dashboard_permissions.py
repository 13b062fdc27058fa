"""Who may open the succession, leadership and training pages, and what they cost in queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from convener.org import services
from tests.conftest import ROLES
from tests.factories import CareerStageFactory, PersonFactory, PositionFactory
from tests.site import collab

pytestmark = pytest.mark.django_db

# statuses for anonymous, member, committee member, manager, diversity officer, staff
EXPECTED = {
    "org:succession": (302, 403, 403, 200, 200, 200),
    "org:timeline": (302, 403, 403, 200, 200, 200),
    "org:junior": (302, 403, 403, 200, 200, 200),
    "org:leaders": (200, 200, 200, 200, 200, 200),
    "org:contact": (302, 200, 403, 403, 403, 200),
    "training:dashboard": (302, 200, 403, 200, 403, 200),
    "training:import": (302, 403, 403, 200, 403, 200),
    "training:template": (302, 403, 403, 200, 403, 200),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("index,role", list(enumerate(ROLES)))
def test_each_role_gets_the_expected_status(client, login, name, index, role):
    collab.build(groups=1)
    login(role)
    assert client.get(reverse(name)).status_code == EXPECTED[name][index]


# Queries of the first view after a change to the registry, and of the views after it: what
# depends on the registry alone is computed once per registry version (a page with one
# number computes nothing ahead).
PINNED = {
    # seat periods of today; the L1 area of each unit; incoming; later: session, user,
    # registry version, calls
    "org:succession": (13, 4),
    "org:timeline": 5,
    "org:junior": (5, 3),  # later: session, user, registry version
    "org:leaders": (5, 3),  # later: session, user, registry version
    "org:to_complete": 6,
    "people:duplicates": 3,
    # + the L1 area of each unit, - the drop-down of every holder; later: the completions and
    # requirements, the manager's own, the courses
    "training:dashboard": (10, 8),
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_dashboards_take_a_fixed_number_of_queries(client, login, name):
    first, then = PINNED[name] if isinstance(PINNED[name], tuple) else (PINNED[name],) * 2
    world = collab.build(groups=2)
    login("staff")
    url = reverse(name)
    client.get(reverse("site:search"))  # the session's first use is not the page's
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        counts.append(len(context.captured_queries))
    for g in collab.build(groups=5)["groups"]:
        person = PersonFactory()
        CareerStageFactory(person=person, stage="postdoc", start=dt.date(2015, 1, 1))
        services.appoint(person, g["deputy"], dt.date(2021, 1, 1))
    services.appoint(PersonFactory(), PositionFactory(unit=world["l2"]), dt.date(2022, 1, 1))
    for _ in range(2):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts == [first, then, first, then]

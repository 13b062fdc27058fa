"""Signed-in people get the registry's pages rendered for them (never from the public's page
cache), yet what depends on the registry alone is drawn once per registry version: pinned
here, for the first view after a change and the views after it, whatever the size."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from convener.core.roles import Role
from convener.org import services
from tests.factories import PersonFactory, UserFactory
from tests.site import collab

pytestmark = pytest.mark.django_db

PAGES = {
    "org_past": lambda w: reverse("site:org") + "?on=2021-06-30",
    "position_past": lambda w: w["groups"][0]["lead"].get_absolute_url() + "?on=2021-06-30",
}
# org chart: session, user, the registry's version, then the chart's body (kept per version);
# position: session, user, the registry's version, the position, its seat periods, holders,
# deputies, askable previous holders and incoming appointees, then the succession's count and
# page (kept per version)
PINNED = {"org_past": (8, 3), "position_past": (12, 10)}


def counts(client, url) -> list[int]:
    found = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        found.append(len(context.captured_queries))
    return found


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_signed_in_page_takes_a_fixed_number_of_queries_whatever_the_size(client, page):
    world = collab.build(groups=2)
    client.force_login(UserFactory(roles=[Role.MEMBER]))
    client.get(reverse("site:search"))  # the session's first use is not the page's
    url = PAGES[page](world)
    assert counts(client, url) == list(PINNED[page])
    more = collab.build(groups=6)
    for g in more["groups"]:
        services.appoint(PersonFactory(), g["deputy"], dt.date(2021, 1, 1))
    assert counts(client, url) == list(PINNED[page])

"""The API's registry lists are serialized once per registry version and shared: a later
reader costs one query (the version), a change shows at once, a client can revalidate with
the ETag, and what one audience may read never reaches another."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from convener.core.roles import Role
from convener.org import services
from tests.factories import PersonFactory, PositionFactory, UserFactory
from tests.site import collab

pytestmark = pytest.mark.django_db

# first view after a change (the version, the count, the page; positions add their seat
# periods), and every view after it (the version only)
PINNED = {
    "/api/people/": (3, 1),
    "/api/positions/": (4, 1),
    "/api/appointments/": (3, 1),
    "/api/units/": (3, 1),
    "/api/institutions/": (3, 1),
    "/api/appointments/?level=L3&on=2022-01-01": (3, 1),
}


def queries(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response


@pytest.mark.parametrize("url", sorted(PINNED))
def test_a_list_is_read_from_the_registry_once_per_version(url):
    client = APIClient()
    collab.build(groups=2)
    first, then = PINNED[url]
    assert queries(client, url)[0] == first
    assert queries(client, url)[0] == then
    collab.build(groups=4)
    assert queries(client, url)[0] == first
    assert queries(client, url)[0] == then


def test_a_change_to_the_registry_shows_at_once():
    client = APIClient()
    client.get("/api/people/")
    PersonFactory(name="Zora Newcomer")
    names = [p["name"] for p in client.get("/api/people/").json()["results"]]
    assert "Zora Newcomer" in names


def test_a_client_revalidates_with_the_etag_until_the_registry_changes():
    client = APIClient()
    PersonFactory(name="Ada Early")
    etag = client.get("/api/people/")["ETag"]
    assert client.get("/api/people/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    PersonFactory(name="Bo Later")
    again = client.get("/api/people/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag


def test_what_a_manager_reads_never_reaches_the_public_from_the_cache():
    post = PositionFactory(title="Tracker Lead", term_months=24, term_limit=2)
    person = PersonFactory(name="Long Server")
    services.appoint(person, post, dt.date(2010, 1, 1), end=dt.date(2012, 1, 1))
    services.appoint(person, post, dt.date(2012, 1, 1), end=dt.date(2014, 1, 1))
    services.appoint(
        person,
        post,
        dt.date(2014, 1, 1),
        exception_justification="Hand-written reason",
        exception_approved_by="The board",
    )
    manager = APIClient()
    token = Token.objects.create(user=UserFactory(roles=[Role.MANAGER]))
    manager.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert "Hand-written reason" in manager.get("/api/appointments/").content.decode()
    public = APIClient().get("/api/appointments/")
    assert public.status_code == 200 and "Hand-written reason" not in public.content.decode()


def test_made_up_parameters_are_answered_but_fill_no_cache():
    client = APIClient()
    PersonFactory(name="Ada Early")
    client.get("/api/people/?nonsense=1")
    assert queries(client, "/api/people/?nonsense=2")[0] == 2  # the count and the page

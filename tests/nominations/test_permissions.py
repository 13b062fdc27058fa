"""Who may open each nomination page: a test per role."""

import pytest
from django.urls import reverse

from tests.conftest import ROLES

from . import world as w

pytestmark = pytest.mark.django_db
ANON, MEMBER, COMMITTEE, MANAGER, OFFICER, STAFF = ROLES

# page -> statuses for anonymous, member, committee member, manager, diversity officer, staff
EXPECTED = {
    "calls": (200, 200, 200, 200, 200, 200),
    "call": (200, 200, 200, 200, 200, 200),
    "feed_ics": (200, 200, 200, 200, 200, 200),
    "feed_atom": (200, 200, 200, 200, 200, 200),
    "nominate": (302, 200, 403, 403, 403, 200),
    "mine": (302, 200, 403, 403, 403, 200),
    "call_new": (302, 403, 403, 200, 403, 200),
    "manage": (302, 403, 403, 200, 403, 200),
    # a committee member who does not sit on this call's committee is refused too
    "review": (302, 403, 403, 403, 403, 403),
}


def _url(name, call):
    if name in {"calls", "feed_ics", "feed_atom", "call_new", "mine"}:
        return reverse(f"nominations:{name}")
    return reverse(f"nominations:{name}", args=[call.pk])


@pytest.mark.parametrize("page", sorted(EXPECTED))
@pytest.mark.parametrize("index,role", list(enumerate(ROLES)))
def test_each_role_gets_the_expected_status(client, login, page, index, role):
    world = w.build()
    login(role)
    response = client.get(_url(page, world["call"]))
    assert response.status_code == EXPECTED[page][index]


def test_the_calls_committee_member_reaches_the_review_once_closed(client):
    world = w.build()
    rita = world["reviewers"][0]
    client.force_login(rita.user)
    url = reverse("nominations:review", args=[world["call"].pk])
    assert client.get(url).status_code == 403  # still open
    w.close_and_review(world)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["consent", "decline", "withdraw"])
def test_candidacy_actions_refuse_get_and_other_people(client, name):
    from convener.nominations import services

    world = w.build()
    candidacy = services.nominate(world["call"], world["bob"], world["alice"], "Bob.")
    url = reverse(f"nominations:{name}", args=[candidacy.pk])
    client.force_login(world["bob"].user)
    assert client.get(url).status_code == 405
    client.force_login(world["carol"].user)
    assert client.post(url).status_code == 404

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


def test_a_member_cannot_nominate_for_a_draft_or_a_cancelled_draft_by_changing_the_id(client):
    from convener.nominations import services
    from convener.nominations.models import Nomination

    world = w.build(state="draft")
    client.force_login(world["alice"].user)
    url = reverse("nominations:nominate", args=[world["call"].pk])
    data = {"nominee": world["bob"].pk, "statement": "Early bird."}
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    services.transition(world["call"], "cancelled", by=world["manager"], reason="Not needed")
    assert client.post(url, data).status_code == 404
    assert not Nomination.objects.exists()


def test_crafted_committee_posts_about_other_calls_or_unknown_moves_change_nothing(client):
    from convener.nominations import services
    from convener.nominations.models import Call, Recommendation, Vote

    world = w.build()
    bob = services.nominate(world["call"], world["bob"], world["bob"], "Me.")
    dan = services.nominate(world["call"], world["dan"], world["alice"], "Dan.")
    services.decline(dan, world["dan"])
    w.close_and_review(world)
    rita = world["reviewers"][0]
    services.declare_conflict(bob, rita, conflicted=False)
    client.force_login(rita.user)
    call = world["call"]
    # a declined nominee is never before the committee, whatever id is posted
    vote = client.post(reverse("nominations:vote", args=[call.pk, dan.pk]), {"choice": "no"})
    assert vote.status_code == 404
    # a candidate id that is not among this call's consenting candidates
    foreign = client.post(
        reverse("nominations:recommend", args=[call.pk]),
        {"shortlist": [dan.pk], "recommendation": "Dan."},
    )
    assert foreign.status_code == 400
    assert "Choose only among the consenting candidates." in foreign.content.decode()
    assert not Vote.objects.exists() and not Recommendation.objects.exists()
    client.force_login(world["manager"])
    unknown = client.post(reverse("nominations:manage", args=[call.pk]), {"to_state": "won"})
    assert unknown.status_code == 400 and "There is no such state." in unknown.content.decode()
    assert Call.objects.get(pk=call.pk).state == "review"

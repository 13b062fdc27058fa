"""Committee members who are candidates or nominators are recused from the whole call; a
member recused from one candidate sees nothing that discusses them; each vote is a member's
own, and the committee's recommendation is one recorded act, never an overwrite."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from convener.nominations import services
from convener.nominations.models import ConflictDeclaration, Recommendation, Score, Vote

from . import world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = w.build()
    call = world["call"]
    rita0, rita1, _ = world["reviewers"]
    # Rita0 sits on the committee and stands herself; Rita1 nominated Bob
    world["c_rita0"] = services.nominate(call, rita0, rita0, "I would chair it well.")
    world["c_bob"] = services.nominate(call, world["bob"], rita1, "Bob ran our test beam.")
    services.consent(world["c_bob"], world["bob"], statement="Bob's plan: weekly meetings.")
    world["c_carol"] = services.nominate(call, world["carol"], world["alice"], "Carol, surely.")
    services.consent(world["c_carol"], world["carol"], statement="Carol's plan: open data.")
    world["call"] = w.close_and_review(world)
    return world


SECRETS = [
    "Bob Baker",
    "Carol Chen",
    "Bob's plan: weekly meetings.",
    "Carol's plan: open data.",
    "Bob ran our test beam.",
    "Carol, surely.",
    "Alice Able",
]


@pytest.mark.parametrize("who", [0, 1], ids=["candidate", "nominator"])
def test_a_committee_member_with_a_stake_in_the_call_sees_no_candidate(world, client, who):
    reviewer = world["reviewers"][who]
    client.force_login(reviewer.user)
    response = client.get(reverse("nominations:review", args=[world["call"].pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "you are recused from reviewing it" in page
    assert [s for s in SECRETS if s in page] == []


@pytest.mark.parametrize("who", [0, 1], ids=["candidate", "nominator"])
def test_a_committee_member_with_a_stake_cannot_declare_score_vote_or_recommend(world, client, who):
    reviewer = world["reviewers"][who]
    call, bob, carol = world["call"], world["c_bob"], world["c_carol"]
    client.force_login(reviewer.user)
    posts = [
        (reverse("nominations:declare", args=[call.pk, carol.pk]), {"conflicted": "no"}),
        (reverse("nominations:declare", args=[call.pk, world["c_rita0"].pk]), {"conflicted": "no"}),
        (reverse("nominations:score", args=[call.pk, carol.pk]), {"score_0": 5, "score_1": 5}),
        (reverse("nominations:vote", args=[call.pk, bob.pk]), {"choice": "recommend"}),
        (
            reverse("nominations:recommend", args=[call.pk]),
            {"shortlist": [bob.pk], "recommended": [bob.pk], "recommendation": "Bob."},
        ),
    ]
    assert [client.post(url, data).status_code for url, data in posts] == [403] * 5
    with pytest.raises(PermissionDenied):
        services.declare_conflict(carol, reviewer, conflicted=False)
    assert not ConflictDeclaration.objects.filter(reviewer=reviewer).exists()
    assert not Score.objects.exists() and not Vote.objects.exists()
    assert not Recommendation.objects.exists()


def test_a_candidate_cannot_review_even_with_declarations_made_before_a_reopening(world):
    rita0 = world["reviewers"][0]
    ConflictDeclaration.objects.create(candidacy=world["c_carol"], reviewer=rita0, conflicted=False)
    assert not services.may_see(world["c_carol"], rita0)
    with pytest.raises(PermissionDenied):
        services.score_candidate(world["c_carol"], rita0, [(1, ""), (1, "")])
    with pytest.raises(PermissionDenied):
        services.vote(world["c_carol"], rita0, Vote.Choice.NO)


@pytest.fixture
def recused_from_bob(world):
    """Rita2 declares a conflict with Bob and none with Carol; a clean fourth member,
    Rolf, declares none with either and records a recommendation that discusses Bob."""
    call = world["call"]
    rita2 = world["reviewers"][2]
    services.declare_conflict(world["c_bob"], rita2, conflicted=True, explanation="My student")
    services.declare_conflict(world["c_carol"], rita2, conflicted=False)
    services.declare_conflict(world["c_rita0"], rita2, conflicted=False)
    rolf = _new_reviewer(world, "Rolf Reviewer")
    for c in (world["c_bob"], world["c_carol"], world["c_rita0"]):
        services.declare_conflict(c, rolf, conflicted=False)
    services.recommend(
        call,
        rolf,
        shortlist=[world["c_bob"], world["c_carol"]],
        recommended=[world["c_bob"]],
        text="Bob's test-beam record outweighs his short tenure.",
    )
    world["rita2"], world["rolf"] = rita2, rolf
    return world


def _new_reviewer(world, name):
    import datetime as dt

    from convener.core.roles import Role
    from convener.org import services as org_services

    person = w.member(name, Role.COMMITTEE_MEMBER)
    seat = world["committee"].positions.get()
    org_services.appoint(person, seat, dt.date(2021, 1, 1))
    return person


def test_a_member_recused_from_one_candidate_does_not_see_the_recommendation(
    recused_from_bob, client
):
    client.force_login(recused_from_bob["rita2"].user)
    page = client.get(reverse("nominations:review", args=[recused_from_bob["call"].pk]))
    body = page.content.decode()
    assert "Carol's plan: open data." in body  # the candidate she may see
    assert "test-beam record" not in body and "Bob's plan" not in body
    assert "shown only to members who have declared no conflict with each of them" in body
    assert 'name="recommendation"' not in body


def test_a_recused_member_cannot_overwrite_the_recommendation(recused_from_bob, client):
    call = recused_from_bob["call"]
    client.force_login(recused_from_bob["rita2"].user)
    response = client.post(
        reverse("nominations:recommend", args=[call.pk]),
        {"shortlist": [recused_from_bob["c_carol"].pk], "recommendation": "Carol only."},
    )
    assert response.status_code == 403
    (only,) = Recommendation.objects.filter(call=call)
    assert only.made_by == recused_from_bob["rolf"]
    assert list(only.recommended()) == [recused_from_bob["c_bob"]]


def test_each_members_vote_is_their_own_and_a_recommendation_leaves_votes_alone(
    recused_from_bob, client
):
    call, rolf, rita2 = (
        recused_from_bob["call"],
        recused_from_bob["rolf"],
        recused_from_bob["rita2"],
    )
    carol = recused_from_bob["c_carol"]
    services.vote(carol, rita2, Vote.Choice.RECOMMEND)
    client.force_login(rolf.user)
    response = client.post(
        reverse("nominations:vote", args=[call.pk, carol.pk]), {"choice": "shortlist"}
    )
    assert response.status_code == 302
    services.recommend(call, rolf, shortlist=[carol], recommended=[carol], text="Carol after all.")
    assert sorted(Vote.objects.values_list("reviewer__name", "choice")) == [
        ("Rita Reviewer2", "recommend"),
        ("Rolf Reviewer", "shortlist"),
    ]
    # both acts stay on record, each under the name of who made it; the latest is in force
    assert list(Recommendation.objects.values_list("made_by__name", "text")) == [
        ("Rolf Reviewer", "Bob's test-beam record outweighs his short tenure."),
        ("Rolf Reviewer", "Carol after all."),
    ]
    assert call.latest_recommendation().text == "Carol after all."
    page = client.get(reverse("nominations:review", args=[call.pk])).content.decode()
    assert "Recorded by Rolf Reviewer" in page
    assert "Votes so far: 1 recommend, 1 shortlist, 0 do not shortlist." in page


def test_a_member_cannot_vote_on_a_candidate_they_are_recused_from(recused_from_bob, client):
    call = recused_from_bob["call"]
    client.force_login(recused_from_bob["rita2"].user)
    response = client.post(
        reverse("nominations:vote", args=[call.pk, recused_from_bob["c_bob"].pk]),
        {"choice": "no"},
    )
    assert response.status_code == 400
    assert "Declare whether you have a conflict" in response.content.decode()
    assert not Vote.objects.exists()

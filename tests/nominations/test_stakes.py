"""Who has a stake in a call, and so may not review, manage or decide it (issue 15, items 2-3;
the insider findings 3, 4, 7a, 7b and 7c), through the pages a member, a committee member and
a manager use.

The rule, worked by hand: a candidate who consented, or someone who nominated one, has a stake.
A nomination still awaiting its answer counts only while the call is open (it may still become
a candidacy); declining it or withdrawing ends the stake of the nominee and of the nominator,
and an unanswered one lapses when the call closes. Whoever took part in the committee's review
may neither stand nor nominate in that call. A committee member who declared a conflict with a
candidate sees nothing of them as a manager either, and cannot decide the call."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from convener.core.roles import Role
from convener.mail.models import OutgoingMail
from convener.nominations import services
from convener.nominations.models import Call, Candidacy, ConflictDeclaration, Nomination
from convener.org.models import Appointment
from tests.factories import UserFactory

from . import world as w

pytestmark = pytest.mark.django_db


def _nominate_page(client, call, nominee, statement="A fine colleague."):
    return client.post(
        reverse("nominations:nominate", args=[call.pk]),
        {"nominee": nominee.pk, "statement": statement},
    )


def _close(world):
    Call.objects.filter(pk=world["call"].pk).update(
        closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    services.run_periodic_jobs()
    world["call"].refresh_from_db()


def _candidacy(call, person):
    return Candidacy.objects.get(call=call, nominee=person)


@pytest.fixture
def flooded(client):
    """Alice, a plain member, nominates every committee member and the manager through the
    nomination page, as the tester did; Carol stands herself, so the call has a candidate."""
    world = w.build()
    call = world["call"]
    client.force_login(world["alice"].user)
    targets = [*world["reviewers"], world["manager"].person]
    assert [_nominate_page(client, call, p).status_code for p in targets] == [302] * 4
    services.nominate(call, world["carol"], world["carol"], "I stand.")
    client.logout()
    return world


def test_an_unanswered_nomination_stops_the_nominee_managing_the_open_call(flooded, client):
    world = flooded
    client.force_login(world["manager"])
    url = reverse("nominations:manage", args=[world["call"].pk])
    assert "another manager manages and decides it" in client.get(url).content.decode()
    refused = client.post(url, {"to_state": "cancelled", "reason": "x", "confirmed": "yes"})
    assert refused.status_code == 403
    assert Call.objects.get(pk=world["call"].pk).state == "open"


def test_declining_ends_the_stake_of_a_nominated_manager(flooded, client):
    world = flooded
    mine = _candidacy(world["call"], world["manager"].person)
    client.force_login(world["manager"])
    declined = client.post(
        reverse("nominations:decline", args=[mine.pk]),
        {"confirmed": "yes", "do_not_renominate": "on"},
    )
    assert declined.status_code == 302
    url = reverse("nominations:manage", args=[world["call"].pk])
    assert "another manager manages" not in client.get(url).content.decode()
    closed = client.post(
        url, {"to_state": "closed", "reason": "Enough candidates", "confirmed": "yes"}
    )
    assert closed.status_code == 302
    assert Call.objects.get(pk=world["call"].pk).state == "closed"


def test_a_committee_member_who_declined_reviews_the_call(flooded, client):
    world = flooded
    rita0 = world["reviewers"][0]
    client.force_login(rita0.user)
    client.post(
        reverse("nominations:decline", args=[_candidacy(world["call"], rita0).pk]),
        {"confirmed": "yes", "do_not_renominate": "on"},
    )
    _close(world)
    services.transition(world["call"], Call.State.REVIEW, by=world["manager"])
    page = client.get(reverse("nominations:review", args=[world["call"].pk])).content.decode()
    assert "recused" not in page
    carol = _candidacy(world["call"], world["carol"])
    declared = client.post(
        reverse("nominations:declare", args=[world["call"].pk, carol.pk]), {"conflicted": "no"}
    )
    assert declared.status_code == 302
    assert ConflictDeclaration.objects.filter(reviewer=rita0, candidacy=carol).exists()


def test_unanswered_nominations_lapse_at_the_close_so_nobody_is_locked_out(flooded, client):
    """Nobody answers: once the call closes, every nominee reviews, manages and decides."""
    world = flooded
    _close(world)
    client.force_login(world["manager"])
    url = reverse("nominations:manage", args=[world["call"].pk])
    moved = client.post(url, {"to_state": "review"})
    assert moved.status_code == 302
    assert Call.objects.get(pk=world["call"].pk).state == "review"
    for reviewer in world["reviewers"]:
        client.force_login(reviewer.user)
        page = client.get(reverse("nominations:review", args=[world["call"].pk]))
        assert "recused" not in page.content.decode()
    carol = _candidacy(world["call"], world["carol"])
    client.force_login(world["manager"])
    decided = client.post(
        url,
        {
            "appointed": [carol.pk],
            "start": "2026-09-01",
            "rationale": "The only candidate, and a good one.",
            "no_conflict": "yes",
            "decide": "1",
        },
    )
    assert decided.status_code == 302
    assert Appointment.objects.filter(person=world["carol"], position=world["position"]).exists()


def test_the_nominator_keeps_a_stake_past_the_close_only_while_the_nominee_stands(client):
    world = w.build()
    call, rita0, rita1 = world["call"], world["reviewers"][0], world["reviewers"][1]
    dan = services.nominate(call, world["dan"], rita0, "Dan, my student.")
    services.consent(dan, world["dan"])
    services.withdraw(dan, world["dan"])
    bob = services.nominate(call, world["bob"], rita1, "Bob, my postdoc.")
    services.consent(bob, world["bob"])
    assert (call.has_interest(rita0), call.has_interest(rita1)) == (True, True)  # still open
    _close(world)
    assert (call.has_interest(rita0), call.has_interest(rita1)) == (False, True)


def test_a_self_nominated_member_who_withdrew_reviews_the_call(client):
    world = w.build()
    call, rita0 = world["call"], world["reviewers"][0]
    mine = services.nominate(call, rita0, rita0, "I would chair it well.")
    services.nominate(call, world["carol"], world["carol"], "I stand.")
    client.force_login(rita0.user)
    client.post(reverse("nominations:withdraw", args=[mine.pk]), {"confirmed": "yes"})
    world["call"] = w.close_and_review(world)
    page = client.get(reverse("nominations:review", args=[call.pk])).content.decode()
    assert "recused" not in page and "Carol Chen" in page


def test_reopening_is_refused_to_a_manager_whose_nomination_awaits_an_answer(flooded):
    world = flooded
    _close(world)
    with pytest.raises(services.PermissionDenied):
        services.transition(
            world["call"],
            Call.State.OPEN,
            by=world["manager"],
            reason="More time",
            closes_at=timezone.now() + dt.timedelta(days=3),
        )
    assert Call.objects.get(pk=world["call"].pk).state == "closed"


# -- finding 4: a conflict declared in the committee holds on the manage page ----------------
@pytest.fixture
def committee_manager():
    """Rita0 sits on the committee and is a manager too; Carol and Bob stand; Rita1 scores
    Carol 4 and 2 (mean 3.0), votes to recommend her and records the recommendation."""
    world = w.build()
    call = world["call"]
    rita0, rita1, _ = world["reviewers"]
    rita0.user.groups.add(*UserFactory(roles=[Role.MANAGER]).groups.all())
    world["c_carol"] = services.nominate(call, world["carol"], world["carol"], "I stand.")
    world["c_bob"] = services.nominate(call, world["bob"], world["bob"], "Me too.")
    world["call"] = w.close_and_review(world)
    for c in (world["c_carol"], world["c_bob"]):
        services.declare_conflict(c, rita1, conflicted=False)
    services.score_candidate(world["c_carol"], rita1, [(4, "Strong"), (2, "Few pixels")])
    services.vote(world["c_carol"], rita1, "recommend")
    services.recommend(
        world["call"],
        rita1,
        shortlist=[world["c_carol"]],
        recommended=[world["c_carol"]],
        text="Carol's record in the pixel group decides it.",
    )
    OutgoingMail.objects.all().delete()
    return world


def test_a_manager_who_declared_a_conflict_in_the_committee_sees_nothing_of_that_candidate(
    committee_manager, client
):
    world = committee_manager
    call, rita0 = world["call"], world["reviewers"][0]
    client.force_login(rita0.user)
    declared = client.post(
        reverse("nominations:declare", args=[call.pk, world["c_carol"].pk]),
        {"conflicted": "yes", "explanation": "Same institute"},
    )
    assert declared.status_code == 302
    page = client.get(reverse("nominations:manage", args=[call.pk])).content.decode()
    assert "Not shown: you declared a conflict of interest with this candidate." in page
    assert "3.0" not in page  # Carol's mean score
    assert "1 recommend" not in page  # Carol's votes
    assert "Carol's record in the pixel group" not in page
    assert "Record the decision and appoint" not in page
    assert "You declared a conflict of interest with Carol Chen" in page


def test_a_manager_who_declared_a_conflict_in_the_committee_cannot_decide(
    committee_manager, client
):
    world = committee_manager
    call, rita0 = world["call"], world["reviewers"][0]
    client.force_login(rita0.user)
    client.post(
        reverse("nominations:declare", args=[call.pk, world["c_carol"].pk]),
        {"conflicted": "yes", "explanation": "Same institute"},
    )
    response = client.post(
        reverse("nominations:manage", args=[call.pk]),
        {
            "appointed": [world["c_carol"].pk],
            "start": "2026-09-01",
            "rationale": "As recommended.",
            "no_conflict": "yes",
            "decide": "1",
        },
    )
    assert response.status_code == 403
    assert Call.objects.get(pk=call.pk).state == "review"
    assert not Appointment.objects.filter(position=world["position"]).exists()
    assert not OutgoingMail.objects.exists()
    assert list(Call.objects.to_decide_by(rita0.user)) == []
    assert list(Call.objects.to_decide_by(world["manager"])) == [call]


# -- finding 7a: "Your tasks" leaves out the calls one is recused from -----------------------
def test_your_tasks_leave_out_calls_the_person_is_recused_from(client):
    world = w.build()
    call, rita0 = world["call"], world["reviewers"][0]
    rita0.user.groups.add(*UserFactory(roles=[Role.MANAGER]).groups.all())
    services.nominate(call, rita0, rita0, "I would chair it well.")
    world["call"] = w.close_and_review(world)
    client.force_login(rita0.user)
    page = client.get(reverse("site:home")).content.decode()
    assert reverse("nominations:review", args=[call.pk]) not in page
    assert reverse("nominations:manage", args=[call.pk]) not in page
    client.force_login(world["reviewers"][1].user)
    assert (
        reverse("nominations:review", args=[call.pk])
        in client.get(reverse("site:home")).content.decode()
    )
    client.force_login(world["manager"])
    assert (
        reverse("nominations:manage", args=[call.pk])
        in client.get(reverse("site:home")).content.decode()
    )


# -- finding 7b: who saw the review material may not stand or nominate -----------------------
@pytest.fixture
def reopened(client):
    """Rita1 declares no conflict with Carol while the call is closed (and so reads her
    statement and nominators); the manager then reopens the call."""
    world = w.build()
    call, rita1 = world["call"], world["reviewers"][1]
    world["c_carol"] = services.nominate(call, world["carol"], world["alice"], "Carol, surely.")
    services.consent(world["c_carol"], world["carol"], statement="Carol's plan: open data.")
    _close(world)
    client.force_login(rita1.user)
    declared = client.post(
        reverse("nominations:declare", args=[call.pk, world["c_carol"].pk]), {"conflicted": "no"}
    )
    assert declared.status_code == 302
    services.transition(
        call,
        Call.State.OPEN,
        by=world["manager"],
        reason="Too few candidates",
        closes_at=timezone.now() + dt.timedelta(days=5),
    )
    OutgoingMail.objects.all().delete()
    return world


def test_a_reviewer_who_read_the_material_cannot_then_stand(reopened, client):
    world = reopened
    rita1 = world["reviewers"][1]
    client.force_login(rita1.user)
    response = _nominate_page(client, world["call"], rita1, "I can do better than Carol.")
    assert response.status_code == 400
    assert (
        "Rita Reviewer1 has taken part in the committee&#x27;s review of this call, so cannot "
        "stand in it." in response.content.decode()
    )
    client.force_login(world["bob"].user)
    assert _nominate_page(client, world["call"], rita1).status_code == 400
    assert not Candidacy.objects.filter(nominee=rita1).exists()
    assert not OutgoingMail.objects.exists()


def test_a_reviewer_who_read_the_material_cannot_then_nominate(reopened, client):
    world = reopened
    client.force_login(world["reviewers"][1].user)
    response = _nominate_page(client, world["call"], world["dan"], "Dan beats Carol.")
    assert response.status_code == 400
    assert "you cannot nominate anyone in it" in response.content.decode()
    assert not Nomination.objects.filter(nominator=world["reviewers"][1]).exists()


def test_a_nominee_who_reviewed_meanwhile_cannot_consent_after_a_reopening(client):
    """Nominated while open, unanswered at the close, reviews, then the call reopens."""
    world = w.build()
    call, rita1 = world["call"], world["reviewers"][1]
    pending = services.nominate(call, rita1, world["alice"], "Rita would be good.")
    carol = services.nominate(call, world["carol"], world["carol"], "I stand.")
    _close(world)
    services.declare_conflict(carol, rita1, conflicted=False)
    services.transition(
        call,
        Call.State.OPEN,
        by=world["manager"],
        reason="Too few candidates",
        closes_at=timezone.now() + dt.timedelta(days=5),
    )
    client.force_login(rita1.user)
    response = client.post(reverse("nominations:consent", args=[pending.pk]), {"statement": "Yes"})
    assert response.status_code == 400
    assert Candidacy.objects.get(pk=pending.pk).state == Candidacy.State.AWAITING_CONSENT


# -- finding 7c: the manager reads every recommendation act ----------------------------------
def test_the_manager_sees_every_recommendation_with_its_author_and_votes(client):
    world = w.build()
    call = world["call"]
    nac0, nac1, _ = world["reviewers"]
    oscar = services.nominate(call, world["bob"], world["bob"], "Me.")
    eitan = services.nominate(call, world["dan"], world["dan"], "Me.")
    world["call"] = w.close_and_review(world)
    for reviewer in (nac0, nac1):
        for c in (oscar, eitan):
            services.declare_conflict(c, reviewer, conflicted=False)
    services.vote(oscar, nac0, "recommend")
    services.recommend(
        call, nac0, shortlist=[oscar], recommended=[oscar], text="Bob ran the test beam."
    )
    services.recommend(
        call, nac1, shortlist=[eitan], recommended=[eitan], text="Dan, for continuity."
    )
    client.force_login(world["manager"])
    page = client.get(reverse("nominations:manage", args=[call.pk])).content.decode()
    assert "Bob ran the test beam." in page and "Dan, for continuity." in page
    assert "by Rita Reviewer0 on" in page and "by Rita Reviewer1 on" in page
    assert page.index("Dan, for continuity.") < page.index("Bob ran the test beam.")
    assert "Bob Baker: recommended (votes: 1 recommend, 0 shortlist, 0 do not shortlist)" in page
    assert "Dan Dare: recommended (votes: 0 recommend, 0 shortlist, 0 do not shortlist)" in page


def test_the_api_refuses_a_nominated_manager_until_they_decline(flooded):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    world = flooded
    manager = world["manager"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=manager).key}")
    url = f"/api/calls/{world['call'].pk}/transition/"
    body = {"to_state": "cancelled", "reason": "The post is being merged"}
    assert api.post(url, body, format="json").status_code == 403
    services.decline(_candidacy(world["call"], manager.person), manager.person)
    assert api.post(url, body, format="json").status_code == 200
    assert Call.objects.get(pk=world["call"].pk).state == "cancelled"


def test_the_manage_page_reads_every_recommendation_in_the_same_queries(client):
    """One act or four: the page's queries do not grow with the acts it lists."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = w.build()
    call = world["call"]
    nac0 = world["reviewers"][0]
    bob = services.nominate(call, world["bob"], world["bob"], "Me.")
    world["call"] = w.close_and_review(world)
    services.declare_conflict(bob, nac0, conflicted=False)
    client.force_login(world["manager"])
    url = reverse("nominations:manage", args=[call.pk])
    counts = []
    for acts in (1, 3):
        for i in range(acts):
            services.recommend(call, nac0, shortlist=[bob], recommended=[bob], text=f"Act {i}.")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_nominator_cannot_tell_from_their_recusal_that_the_nominee_asked_not_to_be_asked(
    client,
):
    """Dan declined and asked not to be nominated again; Vera, a manager, nominates him: the
    nomination is recorded quietly, and Vera is recused from the open call exactly as if it
    had been forwarded. At the close, with Dan not standing, she manages it again."""
    world = w.build()
    call = world["call"]
    dan = services.nominate(call, world["dan"], world["alice"], "Dan.")
    services.decline(dan, world["dan"], do_not_renominate=True)
    vera = w.member("Vera Boss", Role.MANAGER)
    client.force_login(vera.user)
    assert _nominate_page(client, call, world["dan"]).status_code == 302
    assert _candidacy(call, world["dan"]).state == Candidacy.State.DECLINED
    url = reverse("nominations:manage", args=[call.pk])
    assert "another manager manages and decides it" in client.get(url).content.decode()
    _close(world)
    assert "another manager manages" not in client.get(url).content.decode()
    assert client.post(url, {"to_state": "review"}).status_code == 302

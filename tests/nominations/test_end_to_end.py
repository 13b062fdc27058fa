"""A call from opening to appointment, through the pages, as each person would do it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from convener.nominations.models import Call, Candidacy, Recommendation, Vote
from convener.org.models import Appointment
from tests.factories import UserFactory

from . import world as w

pytestmark = pytest.mark.django_db


def test_a_call_runs_end_to_end_through_the_pages(client):
    world = w.build(state="draft")
    Call.objects.all().delete()
    manager = world["manager"]
    # the manager creates and opens the call
    client.force_login(manager)
    now = timezone.localtime()
    response = client.post(
        reverse("nominations:call_new"),
        {
            "position": world["position"].pk,
            "committee": world["committee"].pk,
            "seats": 1,
            "opens_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
            "eligibility": "members",
        },
    )
    call = Call.objects.get()
    assert response.status_code == 302 and call.state == Call.State.DRAFT
    client.post(reverse("nominations:manage", args=[call.pk]), {"to_state": "open"})
    call.refresh_from_db()
    assert call.state == Call.State.OPEN
    # Alice nominates Bob; Carol nominates herself
    client.force_login(world["alice"].user)
    response = client.post(
        reverse("nominations:nominate", args=[call.pk]),
        {"nominee": world["bob"].pk, "statement": "Bob knows pixels."},
    )
    assert response.status_code == 302
    client.force_login(world["carol"].user)
    client.post(
        reverse("nominations:nominate", args=[call.pk]),
        {"nominee": world["carol"].pk, "statement": "I would like to lead."},
    )
    # Bob consents on his page
    client.force_login(world["bob"].user)
    page = client.get(reverse("nominations:mine")).content.decode()
    assert "I consent to stand" in page
    bob = Candidacy.objects.get(nominee=world["bob"])
    client.post(
        reverse("nominations:consent", args=[bob.pk]),
        {"statement": "My plan for the group.", "cv_url": "https://example.org/cv"},
    )
    bob.refresh_from_db()
    assert bob.state == Candidacy.State.CONSENTED
    # the deadline passes; the manager starts the review
    call = w.close_and_review({"call": call, "manager": manager})
    # a reviewer declares, scores, recommends
    rita = world["reviewers"][0]
    client.force_login(rita.user)
    carol = Candidacy.objects.get(nominee=world["carol"])
    for c in (bob, carol):
        client.post(reverse("nominations:declare", args=[call.pk, c.pk]), {"conflicted": "no"})
        value = 5 if c == bob else 3
        response = client.post(
            reverse("nominations:score", args=[call.pk, c.pk]),
            {"score_0": value, "comment_0": "ok", "score_1": value, "comment_1": ""},
        )
        assert response.status_code == 302
    response = client.post(
        reverse("nominations:recommend", args=[call.pk]),
        {
            "shortlist": [bob.pk, carol.pk],
            "recommended": [bob.pk],
            "recommendation": "Bob, for his plan.",
        },
    )
    assert response.status_code == 302
    made = Recommendation.objects.get(call=call)
    assert made.made_by == rita and list(made.recommended()) == [bob]
    assert bob.scores.count() == 2
    # the manager decides
    client.force_login(manager)
    page = client.get(reverse("nominations:manage", args=[call.pk])).content.decode()
    assert "Bob, for his plan." in page and "5.0" in page
    response = client.post(
        reverse("nominations:manage", args=[call.pk]),
        {
            "appointed": [bob.pk],
            "start": "2026-12-01",
            "rationale": "As recommended.",
            "no_conflict": "yes",
            "decide": "1",
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get(position=world["position"])
    assert appointment.person == world["bob"] and appointment.term_number == 1
    client.logout()
    chart = client.get(reverse("site:org"), {"on": "2026-12-02"}).content.decode()
    assert "Bob Baker" in chart
    line = client.get(world["position"].get_absolute_url()).content.decode()
    assert "Bob Baker" in line and "Nomination call" in line


def test_bad_input_on_the_forms_names_the_field_and_saves_nothing(client):
    world = w.build()
    client.force_login(world["manager"])
    now = timezone.localtime()
    response = client.post(
        reverse("nominations:call_new"),
        {
            "position": world["position"].pk,
            "committee": world["committee"].pk,
            "seats": 1,
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "eligibility": "members",
        },
    )
    assert response.status_code == 400
    assert "closing date must be after the opening date" in response.content.decode()
    assert Call.objects.count() == 1
    response = client.post(
        reverse("nominations:manage", args=[world["call"].pk]), {"to_state": "cancelled"}
    )
    assert response.status_code == 400
    assert "Give the reason" in response.content.decode()
    client.force_login(world["alice"].user)
    response = client.post(
        reverse("nominations:nominate", args=[world["call"].pk]),
        {"nominee": world["bob"].pk, "statement": ""},
    )
    assert response.status_code == 400 and "Why this person?" in response.content.decode()
    assert not Candidacy.objects.exists()


PAGES = {
    "calls": lambda world: reverse("nominations:calls"),
    "call": lambda world: world["call"].get_absolute_url(),
    "feed_ics": lambda world: reverse("nominations:feed_ics"),
    "feed_atom": lambda world: reverse("nominations:feed_atom"),
    "mine": lambda world: reverse("nominations:mine"),
    "review": lambda world: reverse("nominations:review", args=[world["call"].pk]),
    "manage": lambda world: reverse("nominations:manage", args=[world["call"].pk]),
}


def _grow(world, n):
    for i in range(n):
        person = w.member(f"Extra Person{world['round']}x{i}")
        c = Candidacy.objects.create(
            call=world["call"], nominee=person, state=Candidacy.State.CONSENTED
        )
        for reviewer in world["reviewers"]:
            services_conflict(c, reviewer)
    world["round"] += 1


def services_conflict(candidacy, reviewer):
    from convener.nominations.models import ConflictDeclaration, Nomination

    ConflictDeclaration.objects.create(candidacy=candidacy, reviewer=reviewer, conflicted=False)
    Vote.objects.create(candidacy=candidacy, reviewer=reviewer, choice=Vote.Choice.SHORTLIST)
    nominator = w.member(f"Nina Nominator{candidacy.pk}x{reviewer.pk}", with_user=False)
    Nomination.objects.create(candidacy=candidacy, nominator=nominator, statement="x")


@pytest.mark.parametrize("page", sorted(PAGES))
def test_nomination_pages_take_a_fixed_number_of_queries(client, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = w.build()
    world["round"] = 0
    w.close_and_review(world)
    user = UserFactory(is_staff=True, is_superuser=True)
    if page == "review":
        user = world["reviewers"][0].user
    client.force_login(user)
    url = PAGES[page](world)
    _grow(world, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _grow(world, 6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)

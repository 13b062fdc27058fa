"""What each role may see, as the querysets' ``visible_to(user)`` answers it, and that
changing an id in a URL (or the API) reveals no row the role may not see.

One call, worked by hand:

- Alice nominates Bob (who consents) and Dan (who never answers); Carol nominates herself
  and consents; Dan nominates Max, a manager, who never answers.
- The call closes and goes to review. Its committee: Rita0, Rita1, Rita2. Olga sits on
  another committee. Mona is the manager with no part in the call.
- Rita0 declares no conflict with Bob nor Carol, scores and votes for Bob (recommend) and
  records the committee's recommendation (Bob and Carol shortlisted, Bob recommended).
- Rita1 declares a conflict with Bob and none with Carol, scores Carol and votes her
  "shortlist". Rita2 declares nothing.

Each expectation below is written out from that story, not computed by the code under test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from convener.core.roles import Role
from convener.exchange.models import ImportJob
from convener.nominations import services
from convener.nominations.models import (
    Call,
    Candidacy,
    ConflictDeclaration,
    Nomination,
    Recommendation,
    Score,
    Vote,
)
from convener.org import services as org_services
from convener.org.models import OrgUnit, Position
from convener.review.models import Review, SelfIdentification
from convener.training.models import Completion, Course
from tests.factories import OrgUnitFactory, PositionFactory, UserFactory
from tests.nominations import world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    world = w.build()
    call = world["call"]
    alice, bob, carol, dan = (world[k] for k in ("alice", "bob", "carol", "dan"))
    max_ = w.member("Max Manager", Role.MANAGER)
    c_bob = services.nominate(call, bob, alice, "Bob leads.")
    services.consent(c_bob, bob)
    c_dan = services.nominate(call, dan, alice, "Dan knows pixels.")
    c_carol = services.nominate(call, carol, carol, "I would like to.")
    services.consent(c_carol, carol)
    c_max = services.nominate(call, max_, dan, "Max has time.")
    services.consent(c_max, max_)  # he stands: a live candidate, so recused from the call

    other = OrgUnitFactory(name="Other Committee", kind=OrgUnit.Kind.COMMITTEE, level=None)
    seat = PositionFactory(
        unit=other, title="Other seat", seats=3, level=Position.Level.COMMITTEE, role="member"
    )
    olga = w.member("Olga Other", Role.COMMITTEE_MEMBER)
    org_services.appoint(olga, seat, dt.date(2020, 1, 1))

    w.close_and_review(world)
    r0, r1, r2 = world["reviewers"]
    services.declare_conflict(c_bob, r0, conflicted=False)
    services.declare_conflict(c_carol, r0, conflicted=False)
    services.declare_conflict(c_max, r0, conflicted=False)  # Rita0 declares on everyone
    services.declare_conflict(c_bob, r1, conflicted=True, explanation="We share an office.")
    services.declare_conflict(c_carol, r1, conflicted=False)
    services.score_candidate(c_bob, r0, [(4, "Good"), (5, "")])
    services.vote(c_bob, r0, "recommend")
    services.score_candidate(c_carol, r1, [(3, ""), (3, "Fair")])
    services.vote(c_carol, r1, "shortlist")
    services.recommend(call, r0, shortlist=[c_bob, c_carol], recommended=[c_bob], text="Bob.")

    officer = UserFactory(username="otto", roles=[Role.DIVERSITY_OFFICER])
    staff = UserFactory(username="stella", is_staff=True, is_superuser=True)
    return {
        **world,
        "max": max_,
        "olga": olga,
        "r0": r0,
        "r1": r1,
        "r2": r2,
        "c_bob": c_bob,
        "c_dan": c_dan,
        "c_carol": c_carol,
        "c_max": c_max,
        "officer_user": officer,
        "staff_user": staff,
    }


def _user(story, who):
    if who == "anonymous":
        return AnonymousUser()
    if who == "mona":
        return story["manager"]
    if who == "officer":
        return story["officer_user"]
    if who == "staff":
        return story["staff_user"]
    if who in {"r0", "r1", "r2", "olga", "max"}:
        return story[who].user
    return story[who].user  # alice, bob, carol, dan


# who -> the nominees whose candidacies they may see
CANDIDACIES = {
    "anonymous": set(),
    "alice": {"Bob Baker", "Dan Dare"},  # she nominated both
    "bob": {"Bob Baker"},
    "carol": {"Carol Chen"},
    "dan": {"Dan Dare", "Max Manager"},  # his own, and the one he supports
    "max": {"Max Manager"},  # a manager, but recused from the call he stands in
    "r0": {"Bob Baker", "Carol Chen", "Max Manager"},  # before the committee: consented only
    "r1": {"Bob Baker", "Carol Chen", "Max Manager"},
    "r2": {"Bob Baker", "Carol Chen", "Max Manager"},
    "olga": set(),  # another committee
    "mona": {"Bob Baker", "Carol Chen", "Dan Dare", "Max Manager"},
    "officer": set(),
    "staff": {"Bob Baker", "Carol Chen", "Dan Dare", "Max Manager"},
}


@pytest.mark.parametrize("who", sorted(CANDIDACIES))
def test_candidacies_each_role_sees(story, who):
    seen = Candidacy.objects.visible_to(_user(story, who)).values_list("nominee__name", flat=True)
    assert set(seen) == CANDIDACIES[who]


# who -> (nominator, nominee) of the statements of support they may read
NOMINATIONS = {
    "anonymous": set(),
    "alice": {("Alice Able", "Bob Baker"), ("Alice Able", "Dan Dare")},
    "bob": set(),
    "carol": {("Carol Chen", "Carol Chen")},
    "dan": {("Dan Dare", "Max Manager")},
    "max": set(),
    "r0": {("Alice Able", "Bob Baker"), ("Carol Chen", "Carol Chen"), ("Dan Dare", "Max Manager")},
    "r1": {("Carol Chen", "Carol Chen")},  # conflicted with Bob
    "r2": set(),  # declared nothing yet
    "olga": set(),
    "mona": set(),  # management decides on the recommendation, not on the statements
    "officer": set(),
    "staff": set(),
}


@pytest.mark.parametrize("who", sorted(NOMINATIONS))
def test_statements_of_support_each_role_reads(story, who):
    seen = Nomination.objects.visible_to(_user(story, who)).values_list(
        "nominator__name", "candidacy__nominee__name"
    )
    assert set(seen) == NOMINATIONS[who]


# who -> (reviewer, nominee) of the conflict declarations, scores and votes they may read
DECLARATIONS = {
    "r0": {
        ("Rita Reviewer0", "Bob Baker"),
        ("Rita Reviewer0", "Carol Chen"),
        ("Rita Reviewer0", "Max Manager"),
    },
    "r1": {("Rita Reviewer1", "Bob Baker"), ("Rita Reviewer1", "Carol Chen")},
    "mona": {
        ("Rita Reviewer0", "Bob Baker"),
        ("Rita Reviewer0", "Carol Chen"),
        ("Rita Reviewer0", "Max Manager"),
        ("Rita Reviewer1", "Bob Baker"),
        ("Rita Reviewer1", "Carol Chen"),
    },
}
SCORES = {  # one row per requirement: two requirements
    "r0": {("Rita Reviewer0", "Bob Baker", 0), ("Rita Reviewer0", "Bob Baker", 1)},
    "r1": {("Rita Reviewer1", "Carol Chen", 0), ("Rita Reviewer1", "Carol Chen", 1)},
    "mona": {
        ("Rita Reviewer0", "Bob Baker", 0),
        ("Rita Reviewer0", "Bob Baker", 1),
        ("Rita Reviewer1", "Carol Chen", 0),
        ("Rita Reviewer1", "Carol Chen", 1),
    },
}
VOTES = {
    # Rita0 declared no conflict with either: she sees the tally of both
    "r0": {("Rita Reviewer0", "Bob Baker"), ("Rita Reviewer1", "Carol Chen")},
    # Rita1 is recused from Bob: not Rita0's vote on him
    "r1": {("Rita Reviewer1", "Carol Chen")},
    "mona": {("Rita Reviewer0", "Bob Baker"), ("Rita Reviewer1", "Carol Chen")},
}
EVERYONE = sorted(CANDIDACIES)


@pytest.mark.parametrize("who", EVERYONE)
def test_review_acts_each_role_reads(story, who):
    user = _user(story, who)
    expected_for = {**DECLARATIONS, "staff": DECLARATIONS["mona"]}
    declarations = ConflictDeclaration.objects.visible_to(user)
    assert set(declarations.values_list("reviewer__name", "candidacy__nominee__name")) == (
        expected_for.get(who, set())
    )
    scores = Score.objects.visible_to(user)
    assert set(scores.values_list("reviewer__name", "candidacy__nominee__name", "requirement")) == {
        **SCORES,
        "staff": SCORES["mona"],
    }.get(who, set())
    votes = Vote.objects.visible_to(user)
    assert set(votes.values_list("reviewer__name", "candidacy__nominee__name")) == {
        **VOTES,
        "staff": VOTES["mona"],
    }.get(who, set())


RECOMMENDATION_READERS = {"r0", "mona", "staff"}  # not Rita1 (conflicted), not Rita2 (silent)


@pytest.mark.parametrize("who", EVERYONE)
def test_the_recommendation_each_role_reads(story, who):
    seen = Recommendation.objects.visible_to(_user(story, who)).exists()
    assert seen == (who in RECOMMENDATION_READERS)


# -- changing ids in URLs -------------------------------------------------------------------
def test_a_candidate_cannot_answer_for_another_by_changing_the_id(client, story):
    client.force_login(story["dan"].user)
    for name in ("consent", "decline", "withdraw"):
        url = reverse(f"nominations:{name}", args=[story["c_max"].pk])
        assert client.post(url, {"confirmed": "yes"}).status_code == 404
    assert Candidacy.objects.get(pk=story["c_max"].pk).state == "consented"  # as Max left it


def test_a_reviewer_cannot_reach_a_candidate_of_another_call_or_one_not_before_them(client, story):
    call = story["call"]
    client.force_login(story["r2"].user)
    # Dan never consented: not before the committee, so not found
    url = reverse("nominations:declare", args=[call.pk, story["c_dan"].pk])
    assert client.post(url, {"conflicted": "False"}).status_code == 404
    # another call's candidacy under this call's URL
    other = services.create_call(
        call.position,
        opens_at=timezone.now() - dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=5),
        committee=story["committee"],
        by=story["manager"],
    )
    services.transition(other, Call.State.OPEN, by=story["manager"])
    elsewhere = services.nominate(other, story["carol"], story["alice"], "Again.")
    url = reverse("nominations:declare", args=[call.pk, elsewhere.pk])
    assert client.post(url, {"conflicted": "False"}).status_code == 404
    assert not ConflictDeclaration.objects.filter(reviewer=story["r2"]).exists()
    # the review page of a call whose committee Olga does not sit on
    client.force_login(story["olga"].user)
    assert client.get(reverse("nominations:review", args=[call.pk])).status_code == 403


def test_the_review_page_shows_a_reviewer_only_what_they_may_read(client, story):
    client.force_login(story["r1"].user)
    page = client.get(reverse("nominations:review", args=[story["call"].pk])).content.decode()
    assert "I would like to." in page  # Carol's own statement: declared no conflict
    assert "Bob leads." not in page  # Alice's statement on Bob: recused from Bob
    assert "The committee&#x27;s recommendation" not in page and "Bob." not in page


def test_a_recused_manager_sees_no_candidate_on_the_manage_page(client, story):
    client.force_login(story["max"].user)
    url = reverse("nominations:manage", args=[story["call"].pk])
    page = client.get(url).content.decode()
    assert "Bob Baker" not in page and "Carol Chen" not in page
    assert client.post(url, {"to_state": "cancelled", "reason": "x"}).status_code == 403


def test_the_api_never_shows_a_draft_to_anyone_but_managers(client, story):
    draft = services.create_call(
        story["position"],
        opens_at=timezone.now() + dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=9),
        committee=story["committee"],
        by=story["manager"],
    )
    url = f"/api/calls/{draft.pk}/"
    assert client.get(url).status_code == 404
    client.force_login(story["alice"].user)
    assert client.get(url).status_code == 404
    listed = client.get("/api/calls/").json()
    ids = [c["id"] for c in listed.get("results", listed)]
    assert ids == [story["call"].pk]
    client.force_login(story["manager"])
    assert client.get(url).status_code == 200


# -- reviews, self-identification, training, imports -----------------------------------------
def _reviews():
    day = dt.date(2024, 12, 31)
    return (
        Review.objects.create(year=2024, version=1, state="published", reference_date=day),
        Review.objects.create(year=2025, version=1, state="draft", reference_date=day),
    )


@pytest.mark.parametrize(
    "role,expected",
    [
        (None, set()),
        (Role.MEMBER, {(2024, "published")}),
        (Role.MANAGER, {(2024, "published")}),
        (Role.COMMITTEE_MEMBER, set()),
        (Role.DIVERSITY_OFFICER, {(2024, "published"), (2025, "draft")}),
        ("staff", {(2024, "published"), (2025, "draft")}),
    ],
)
def test_reviews_each_role_sees(role, expected):
    _reviews()
    if role is None:
        user = AnonymousUser()
    elif role == "staff":
        user = UserFactory(is_staff=True, is_superuser=True)
    else:
        user = UserFactory(roles=[role])
    assert set(Review.objects.visible_to(user).values_list("year", "state")) == expected


def test_a_member_cannot_open_a_draft_review_by_its_id_or_year(client):
    published, draft = _reviews()
    client.force_login(UserFactory(roles=[Role.MEMBER]))
    assert client.get(reverse("review:edition", args=[draft.pk])).status_code == 403
    url = reverse("review:published_version", kwargs={"year": 2025, "version": 1})
    assert client.get(url).status_code == 404
    assert client.get(reverse("review:published_year", args=[2025])).status_code == 404


def test_self_identification_is_read_by_its_owner_only():
    from convener.review import crypto
    from convener.review.models import ConsentText

    consent = ConsentText.objects.order_by("-version").first() or ConsentText.objects.create(
        version=1, text="Consent."
    )
    alice = w.member("Alice Able")
    bob = w.member("Bob Baker")
    for person in (alice, bob):
        SelfIdentification.objects.create(
            person=person,
            ciphertext=crypto.encrypt({"answers": {}, "account": person.user_id}),
            consent=consent,
            consented_at=timezone.now(),
        )
    readers = {
        "alice": alice.user,
        "anonymous": AnonymousUser(),
        "officer": UserFactory(roles=[Role.DIVERSITY_OFFICER]),
        "manager": UserFactory(roles=[Role.MANAGER]),
        "staff": UserFactory(is_staff=True, is_superuser=True),
    }
    seen = {
        who: set(SelfIdentification.objects.visible_to(u).values_list("person__name", flat=True))
        for who, u in readers.items()
    }
    assert seen == {
        "alice": {"Alice Able"},
        "anonymous": set(),
        "officer": set(),
        "manager": set(),
        "staff": set(),
    }


def test_training_completions_each_role_sees():
    course = Course.objects.create(title="Meetings", provider="HR")
    alice, bob = w.member("Alice Able"), w.member("Bob Baker")
    for person in (alice, bob):
        Completion.objects.create(person=person, course=course, completed_on=dt.date(2024, 5, 1))
    readers = {
        "alice": alice.user,
        "anonymous": AnonymousUser(),
        "officer": UserFactory(roles=[Role.DIVERSITY_OFFICER]),
        "manager": UserFactory(roles=[Role.MANAGER]),
        "staff": UserFactory(is_staff=True, is_superuser=True),
    }
    seen = {
        who: set(Completion.objects.visible_to(u).values_list("person__name", flat=True))
        for who, u in readers.items()
    }
    assert seen == {
        "alice": {"Alice Able"},
        "anonymous": set(),
        "officer": set(),
        "manager": {"Alice Able", "Bob Baker"},
        "staff": {"Alice Able", "Bob Baker"},
    }


def test_a_manager_cannot_open_another_managers_import_by_its_id(client):
    mine = UserFactory(username="m1", roles=[Role.MANAGER])
    theirs = UserFactory(username="m2", roles=[Role.MANAGER])
    job = ImportJob.objects.create(file_name="people.csv", content=b"x", requested_by=theirs)
    client.force_login(mine)
    assert client.get(reverse("exchange:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("exchange:job_progress", args=[job.pk])).status_code == 404
    client.force_login(theirs)
    assert client.get(reverse("exchange:job", args=[job.pk])).status_code == 200


# -- no reader forgets it ---------------------------------------------------------------------
ROLE_DEPENDENT = [  # models whose rows some roles may not read, by hand
    "Call",
    "Candidacy",
    "Nomination",
    "ConflictDeclaration",
    "Score",
    "Vote",
    "Recommendation",
    "Review",
    "SelfIdentification",
    "Completion",
    "ImportJob",
]
# ``public()`` is what an anonymous visitor reads (the public list and the feeds)
ALLOWED = {"visible_to", "public"}


def test_pages_api_feeds_and_admin_read_role_dependent_rows_through_visible_to():
    """A new view cannot forget the rule: every ``Model.objects`` of a model above, in the
    modules that answer requests, starts with ``visible_to`` (or ``public``)."""
    import re
    from pathlib import Path

    source = Path(__file__).resolve().parent.parent / "convener"
    readers = [
        *source.glob("*/views.py"),
        *source.glob("*/feeds.py"),
        *source.glob("*/admin.py"),
        *source.glob("api/*.py"),
        *source.glob("site/*.py"),
    ]
    pattern = re.compile(rf"\b({'|'.join(ROLE_DEPENDENT)})\.objects\s*\.\s*(\w+)")
    found = [
        f"{path.relative_to(source.parent)}: {m.group(1)}.objects.{m.group(2)}"
        for path in sorted(readers)
        for m in pattern.finditer(path.read_text(encoding="utf-8"))
        if m.group(2) not in ALLOWED
    ]
    assert found == []
    assert len(readers) > 10  # the glob found the modules

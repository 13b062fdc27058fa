"""What each person has to do in nominations, as querysets other pages (the home page's
"Your tasks") can call: nominations awaiting my consent, calls I must review, calls I may
decide. A stake in a call takes it off the reviewer's and the decider's lists."""

import datetime as dt

import pytest
from django.utils import timezone

from convener.core.roles import Role
from convener.nominations import services
from convener.nominations.models import Call, Candidacy

from . import world as w

pytestmark = pytest.mark.django_db


def test_a_nomination_awaits_consent_only_while_the_call_takes_answers():
    world = w.build()
    candidacy = services.nominate(world["call"], world["bob"], world["alice"], "Bob.")
    assert list(Candidacy.objects.awaiting_consent_of(world["bob"])) == [candidacy]
    assert not Candidacy.objects.awaiting_consent_of(world["alice"]).exists()
    Call.objects.filter(pk=world["call"].pk).update(closes_at=timezone.now() - dt.timedelta(1))
    assert not Candidacy.objects.awaiting_consent_of(world["bob"]).exists()


def test_calls_to_review_leave_out_those_a_reviewer_stands_in_or_nominated_for():
    world = w.build()
    rita0, rita1, rita2 = world["reviewers"]
    services.nominate(world["call"], rita0, rita0, "Me.")
    bob = services.nominate(world["call"], world["bob"], rita1, "Bob.")
    services.consent(bob, world["bob"])  # an unanswered nomination lapses at the close
    assert not Call.objects.to_review_by(rita2).exists()  # still open: nothing to review yet
    w.close_and_review(world)
    assert [list(Call.objects.to_review_by(r)) for r in (rita0, rita1, rita2)] == [
        [],
        [],
        [world["call"]],
    ]
    assert not Call.objects.to_review_by(world["alice"]).exists()  # not on the committee


def test_calls_to_decide_are_those_in_review_without_the_managers_stake():
    world = w.build()
    boss = w.member("Vera Boss", Role.MANAGER)
    carol = services.nominate(world["call"], world["carol"], boss, "Carol.")
    services.consent(carol, world["carol"])  # an unanswered nomination lapses at the close
    assert not Call.objects.to_decide_by(world["manager"]).exists()  # open, not in review
    w.close_and_review(world)
    assert list(Call.objects.to_decide_by(world["manager"])) == [world["call"]]
    assert not Call.objects.to_decide_by(boss.user).exists()
    assert not Call.objects.to_decide_by(world["alice"].user).exists()  # not a manager

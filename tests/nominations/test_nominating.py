"""Nominating, consenting, declining and withdrawing, and what is refused."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from convener.mail.models import OutgoingMail
from convener.nominations import services
from convener.nominations.models import Call, Candidacy, Nomination
from convener.org import services as org_services
from tests.factories import PersonFactory

from . import world as w

pytestmark = pytest.mark.django_db
CState = Candidacy.State


def test_a_member_nominates_someone_who_is_asked_to_consent():
    world = w.build()
    candidacy = services.nominate(world["call"], world["bob"], world["alice"], "Great lead.")
    assert candidacy.state == CState.AWAITING_CONSENT and not candidacy.self_nominated
    kinds = sorted(
        OutgoingMail.objects.exclude(kind="committee_assigned").values_list("kind", "to")
    )
    assert kinds == [
        ("consent_requested", world["bob"].email),
        ("nomination_received", world["alice"].email),
    ]


def test_a_self_nomination_is_consent():
    world = w.build()
    candidacy = services.nominate(world["call"], world["alice"], world["alice"], "I can do it.")
    assert candidacy.state == CState.CONSENTED and candidacy.self_nominated


def test_two_nominations_of_one_person_merge_into_one_candidacy_with_two_supporters():
    world = w.build()
    first = services.nominate(world["call"], world["bob"], world["alice"], "Yes.")
    second = services.nominate(world["call"], world["bob"], world["carol"], "Also yes.")
    assert first.pk == second.pk
    assert Candidacy.objects.count() == 1
    assert set(Nomination.objects.values_list("nominator__name", flat=True)) == {
        "Alice Able",
        "Carol Chen",
    }


def test_nominating_the_same_person_twice_is_refused_without_a_second_row():
    world = w.build()
    services.nominate(world["call"], world["bob"], world["alice"], "Yes.")
    with pytest.raises(ValidationError, match="already nominated"):
        services.nominate(world["call"], world["bob"], world["alice"], "Again.")
    assert Nomination.objects.count() == 1


@pytest.mark.parametrize(
    "state", [Call.State.DRAFT, Call.State.CLOSED, Call.State.REVIEW, Call.State.CANCELLED]
)
def test_a_call_that_is_not_open_takes_no_nomination(state):
    world = w.build()
    Call.objects.filter(pk=world["call"].pk).update(state=state)
    world["call"].refresh_from_db()
    with pytest.raises(ValidationError) as info:
        services.nominate(world["call"], world["bob"], world["alice"], "Yes.")
    assert "call" in info.value.message_dict
    assert not Candidacy.objects.exists()


def test_a_call_not_yet_open_says_so_and_not_that_its_deadline_passed():
    world = w.build()
    opens = timezone.now() + dt.timedelta(days=2)
    Call.objects.filter(pk=world["call"].pk).update(opens_at=opens)
    world["call"].refresh_from_db()
    with pytest.raises(ValidationError) as info:
        services.nominate(world["call"], world["bob"], world["alice"], "Yes.")
    (message,) = info.value.message_dict["call"]
    assert message.startswith("This call is not open yet: nominations open on ")
    assert "deadline" not in message


def test_a_nomination_after_the_deadline_is_refused_even_before_the_call_is_closed():
    world = w.build()
    Call.objects.filter(pk=world["call"].pk).update(
        closes_at=timezone.now() - dt.timedelta(seconds=1)
    )
    world["call"].refresh_from_db()
    with pytest.raises(ValidationError, match="past its deadline"):
        services.nominate(world["call"], world["bob"], world["alice"], "Yes.")


def test_a_non_member_cannot_be_nominated_to_a_members_only_call():
    world = w.build()
    outsider = PersonFactory(name="Oscar Outsider")
    with pytest.raises(ValidationError) as info:
        services.nominate(world["call"], outsider, world["alice"], "Yes.")
    assert "not a current member" in info.value.message_dict["nominee"][0]


def test_the_current_holder_cannot_be_nominated_for_their_own_seat():
    world = w.build()
    org_services.appoint(world["bob"], world["position"], dt.date(2024, 1, 1))
    with pytest.raises(ValidationError, match="already holds this position"):
        services.nominate(world["call"], world["bob"], world["alice"], "Yes.")


def test_an_empty_statement_is_refused():
    world = w.build()
    with pytest.raises(ValidationError) as info:
        services.nominate(world["call"], world["bob"], world["alice"], "  ")
    assert "statement" in info.value.message_dict


def test_the_nominee_consents_with_a_statement_and_cv():
    world = w.build()
    candidacy = services.nominate(world["call"], world["bob"], world["alice"], "Yes.")
    services.consent(candidacy, world["bob"], statement="My plan.", cv_url="https://cv.example")
    candidacy.refresh_from_db()
    assert candidacy.state == CState.CONSENTED and candidacy.statement == "My plan."


def test_only_the_nominee_answers_for_a_candidacy():
    world = w.build()
    candidacy = services.nominate(world["call"], world["bob"], world["alice"], "Yes.")
    with pytest.raises(PermissionDenied):
        services.consent(candidacy, world["alice"])


def test_a_decline_with_do_not_renominate_keeps_later_nominations_from_the_nominee():
    world = w.build()
    candidacy = services.nominate(world["call"], world["bob"], world["alice"], "Yes.")
    services.decline(candidacy, world["bob"], do_not_renominate=True)
    OutgoingMail.objects.all().delete()
    again = services.nominate(world["call"], world["bob"], world["carol"], "Please reconsider.")
    assert again.pk == candidacy.pk and again.state == CState.DECLINED
    # Carol is told what any nominator is told; Bob is not asked again
    assert list(OutgoingMail.objects.values_list("kind", "to")) == [
        ("nomination_received", world["carol"].email)
    ]


def test_a_plain_decline_can_be_followed_by_a_new_nomination_which_asks_again_by_mail():
    world = w.build()
    candidacy = services.nominate(world["call"], world["bob"], world["alice"], "Yes.")
    services.decline(candidacy, world["bob"])
    OutgoingMail.objects.all().delete()
    again = services.nominate(world["call"], world["bob"], world["carol"], "Reconsider?")
    assert again.pk == candidacy.pk and again.state == CState.AWAITING_CONSENT
    assert sorted(OutgoingMail.objects.values_list("kind", "to")) == [
        ("consent_requested", world["bob"].email),
        ("nomination_received", world["carol"].email),
    ]


def test_a_nominee_who_declined_may_still_nominate_themself_which_is_consent():
    world = w.build()
    candidacy = services.nominate(world["call"], world["bob"], world["alice"], "Yes.")
    services.decline(candidacy, world["bob"], do_not_renominate=True)
    again = services.nominate(world["call"], world["bob"], world["bob"], "I changed my mind.")
    assert again.pk == candidacy.pk
    assert (again.state, again.self_nominated, again.do_not_renominate) == (
        CState.CONSENTED,
        True,
        False,
    )


def test_a_candidate_can_withdraw_until_the_decision_but_not_after():
    world = w.build()
    candidacy = services.nominate(world["call"], world["bob"], world["bob"], "Me.")
    call = w.close_and_review(world)
    services.withdraw(candidacy, world["bob"])
    candidacy.refresh_from_db()
    assert candidacy.state == CState.WITHDRAWN
    Call.objects.filter(pk=call.pk).update(
        state=Call.State.DECIDED, decided_at=timezone.now(), rationale="Decided."
    )
    c2 = Candidacy.objects.create(call=call, nominee=world["carol"], state=CState.CONSENTED)
    with pytest.raises(ValidationError, match="over"):
        services.withdraw(c2, world["carol"])


def test_nothing_about_a_nomination_changes_after_the_call_closes():
    world = w.build()
    candidacy = services.nominate(world["call"], world["bob"], world["alice"], "Yes.")
    w.close_and_review(world)
    with pytest.raises(ValidationError, match="closed"):
        services.consent(candidacy, world["bob"], statement="Late.")
    with pytest.raises(ValidationError, match="closed"):
        services.decline(candidacy, world["bob"])
    candidacy.refresh_from_db()
    assert candidacy.state == CState.AWAITING_CONSENT and candidacy.statement == ""


def test_nominees_who_have_not_answered_are_reminded_once_before_the_deadline():
    world = w.build()
    services.nominate(world["call"], world["bob"], world["alice"], "Yes.")
    Call.objects.filter(pk=world["call"].pk).update(
        closes_at=timezone.now() + dt.timedelta(hours=20)
    )
    assert services.run_periodic_jobs()["reminded"] == 1
    assert services.run_periodic_jobs()["reminded"] == 0
    assert OutgoingMail.objects.filter(kind="closing_soon", to=world["bob"].email).count() == 1

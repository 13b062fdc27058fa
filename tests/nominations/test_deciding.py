"""A call becomes "decided" only through the decision, by a manager who declared no conflict
and is neither a candidate nor a nominator in it: through the service, the manage page, the
API, the admin and the database itself."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from convener.core.roles import Role
from convener.mail.models import OutgoingMail
from convener.nominations import services
from convener.nominations.models import Call, CallEvent, Candidacy
from convener.org.models import Appointment
from tests.factories import UserFactory

from . import world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review():
    world = w.build()
    call = world["call"]
    world["c_bob"] = services.nominate(call, world["bob"], world["bob"], "Bob for lead.")
    world["c_carol"] = services.nominate(call, world["carol"], world["alice"], "Carol, surely.")
    services.consent(world["c_carol"], world["carol"])
    world["call"] = w.close_and_review(world)
    OutgoingMail.objects.all().delete()
    return world


def _unchanged(world):
    """The call is still in review, nothing appointed, nobody told, no event added."""
    call = Call.objects.get(pk=world["call"].pk)
    states = set(Candidacy.objects.filter(call=call).values_list("state", flat=True))
    return (
        call.state == Call.State.REVIEW
        and call.decided_at is None
        and call.rationale == ""
        and states == {"consented"}
        and not Appointment.objects.filter(position=world["position"]).exists()
        and not OutgoingMail.objects.exists()
        and call.events.last().to_state == Call.State.REVIEW
    )


def test_the_generic_transition_refuses_decided(in_review):
    with pytest.raises(ValidationError) as info:
        services.transition(in_review["call"], "decided", by=in_review["manager"], reason="x")
    assert info.value.message_dict["state"] == [
        "A call is decided only by recording the decision: the rationale, the appointments "
        "and the deciding manager's declaration."
    ]
    assert _unchanged(in_review)


def test_a_crafted_post_to_the_manage_page_cannot_decide(in_review, client):
    client.force_login(in_review["manager"])
    response = client.post(
        reverse("nominations:manage", args=[in_review["call"].pk]),
        {"to_state": "decided", "reason": "shortcut"},
    )
    assert response.status_code == 400
    assert "A call is decided only by recording the decision" in response.content.decode()
    assert _unchanged(in_review)


def test_the_api_transition_cannot_decide(in_review):
    api = APIClient()
    token = Token.objects.create(user=in_review["manager"])
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post(
        f"/api/calls/{in_review['call'].pk}/transition/",
        {"to_state": "decided", "reason": "shortcut"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["state"]
    assert _unchanged(in_review)


def test_the_admin_cannot_change_a_calls_state(in_review, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:nominations_call_change", args=[in_review["call"].pk])
    form = {"title": "Renamed call", "state": "decided", "rationale": "x"}
    form |= {"events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}
    response = client.post(url, form)
    assert response.status_code == 302
    call = Call.objects.get(pk=in_review["call"].pk)
    assert (call.title, call.state, call.rationale) == ("Renamed call", "review", "")


def test_the_database_refuses_a_decided_call_without_a_decision(in_review):
    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.filter(pk=in_review["call"].pk).update(state="decided")
    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.filter(pk=in_review["call"].pk).update(
            state="decided", decided_at=timezone.now()
        )
    assert _unchanged(in_review)


def test_the_decision_appoints_settles_every_candidacy_and_records_the_declaration(
    in_review, client
):
    client.force_login(in_review["manager"])
    response = client.post(
        reverse("nominations:manage", args=[in_review["call"].pk]),
        {
            "appointed": [in_review["c_carol"].pk],
            "start": "2026-09-01",
            "rationale": "The clearest plan for the group.",
            "no_conflict": "yes",
            "disclosure": "Carol and I sat on the same review panel in 2019.",
            "decide": "1",
        },
    )
    assert response.status_code == 302
    call = Call.objects.get(pk=in_review["call"].pk)
    assert call.state == "decided"
    assert (call.decided_by, call.decider_no_conflict, call.decider_disclosure) == (
        in_review["manager"],
        True,
        "Carol and I sat on the same review panel in 2019.",
    )
    assert dict(call.candidacies.values_list("nominee__name", "state")) == {
        "Bob Baker": "not_appointed",
        "Carol Chen": "appointed",
    }
    appointment = Appointment.objects.get(position=in_review["position"])
    assert (appointment.person, appointment.start) == (in_review["carol"], dt.date(2026, 9, 1))
    assert sorted(OutgoingMail.objects.values_list("kind", "to")) == [
        ("outcome", "bob.baker@example.org"),
        ("outcome", "carol.chen@example.org"),
    ]
    page = client.get(reverse("nominations:manage", args=[call.pk])).content.decode()
    assert "declared no conflict of interest with any candidate" in page
    assert "same review panel in 2019" in page


def test_a_manager_who_declares_a_conflict_cannot_decide(in_review, client):
    client.force_login(in_review["manager"])
    response = client.post(
        reverse("nominations:manage", args=[in_review["call"].pk]),
        {
            "appointed": [in_review["c_carol"].pk],
            "start": "2026-09-01",
            "rationale": "Carol.",
            "no_conflict": "no",
            "decide": "1",
        },
    )
    assert response.status_code == 400
    assert "ask another manager to decide it" in response.content.decode()
    assert _unchanged(in_review)


@pytest.mark.parametrize("involvement", ["candidate", "nominator"])
def test_a_manager_who_is_a_candidate_or_nominator_cannot_decide(involvement, client):
    world = w.build()
    call = world["call"]
    boss = w.member("Vera Boss", Role.MANAGER)
    if involvement == "candidate":
        services.nominate(call, boss, boss, "I would like the post.")
    else:
        services.nominate(call, world["dan"], boss, "Dan, my student.")
        services.consent(call.candidacies.get(nominee=world["dan"]), world["dan"])
    rival = services.nominate(call, world["carol"], world["carol"], "Me.")
    world["call"] = w.close_and_review(world)
    OutgoingMail.objects.all().delete()

    with pytest.raises(PermissionDenied):
        w.decide(world, [rival], by=boss.user)

    client.force_login(boss.user)
    url = reverse("nominations:manage", args=[call.pk])
    page = client.get(url).content.decode()
    assert "another manager manages and decides it" in page
    assert "Carol Chen" not in page and "Record the decision" not in page
    crafted = client.post(
        url,
        {
            "appointed": [rival.pk],
            "start": "2026-09-01",
            "rationale": "Mine.",
            "no_conflict": "yes",
            "decide": "1",
        },
    )
    assert crafted.status_code == 403
    call.refresh_from_db()
    assert call.state == Call.State.REVIEW and not OutgoingMail.objects.exists()


def test_a_manager_who_is_a_candidate_cannot_move_the_call_through_the_api():
    world = w.build()
    boss = w.member("Vera Boss", Role.MANAGER)
    services.nominate(world["call"], boss, boss, "I would like the post.")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=boss.user).key}")
    response = api.post(
        f"/api/calls/{world['call'].pk}/transition/",
        {"to_state": "cancelled", "reason": "I changed my mind about the post"},
        format="json",
    )
    assert response.status_code == 403
    assert Call.objects.get(pk=world["call"].pk).state == "open"
    assert not CallEvent.objects.filter(to_state="cancelled").exists()


def test_a_manager_whose_account_is_not_linked_to_a_person_cannot_decide(in_review, client):
    unlinked = UserFactory(username="ursula", roles=[Role.MEMBER, Role.MANAGER])
    with pytest.raises(PermissionDenied, match="not linked"):
        w.decide(in_review, [in_review["c_carol"]], by=unlinked)
    client.force_login(unlinked)
    page = client.get(reverse("nominations:manage", args=[in_review["call"].pk]))
    assert "conflict of interest cannot be checked" in page.content.decode()
    assert _unchanged(in_review)


def test_the_admin_deletes_no_call(in_review, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:nominations_call_delete", args=[in_review["call"].pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:nominations_call_changelist"),
        {"action": "delete_selected", "_selected_action": [in_review["call"].pk], "post": "yes"},
    )
    assert bulk.status_code in {200, 302}
    assert Call.objects.filter(pk=in_review["call"].pk).exists()

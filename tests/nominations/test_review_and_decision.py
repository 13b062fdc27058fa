"""Conflicts before material, recusal, structured review, and the recorded decision."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from convener.mail.models import OutgoingMail
from convener.nominations import services
from convener.nominations.models import Call, Candidacy, Score
from convener.org.models import Appointment

from . import world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewing():
    world = w.build()
    call = world["call"]
    world["c_bob"] = services.nominate(call, world["bob"], world["bob"], "Bob for lead.")
    world["c_carol"] = services.nominate(call, world["carol"], world["alice"], "Carol, surely.")
    services.consent(world["c_carol"], world["carol"], statement="Carol's own plan.")
    world["c_dan"] = services.nominate(call, world["dan"], world["alice"], "Dan?")
    services.decline(world["c_dan"], world["dan"])
    world["call"] = w.close_and_review(world)
    return world


def test_a_reviewer_must_declare_before_scoring(reviewing):
    rita = reviewing["reviewers"][0]
    with pytest.raises(ValidationError, match="Declare whether you have a conflict"):
        services.score_candidate(reviewing["c_bob"], rita, [(4, ""), (4, "")])
    assert not Score.objects.exists()


def test_a_conflicted_reviewer_is_recused_from_that_candidate(reviewing):
    rita = reviewing["reviewers"][0]
    services.declare_conflict(
        reviewing["c_bob"], rita, conflicted=True, explanation="Bob is my student"
    )
    services.declare_conflict(reviewing["c_carol"], rita, conflicted=False)
    with pytest.raises(ValidationError):
        services.score_candidate(reviewing["c_bob"], rita, [(4, ""), (4, "")])
    services.score_candidate(reviewing["c_carol"], rita, [(3, ""), (5, "Strong")])
    assert sorted(Score.objects.values_list("candidacy__nominee__name", "score")) == [
        ("Carol Chen", 3),
        ("Carol Chen", 5),
    ]
    with pytest.raises(PermissionDenied, match="recused"):
        services.recommend(
            reviewing["call"], rita, shortlist=[reviewing["c_carol"]], recommended=[], text="C"
        )


def test_a_conflict_needs_an_explanation_and_is_declared_once(reviewing):
    rita = reviewing["reviewers"][0]
    with pytest.raises(ValidationError) as info:
        services.declare_conflict(reviewing["c_bob"], rita, conflicted=True)
    assert "explanation" in info.value.message_dict
    services.declare_conflict(reviewing["c_bob"], rita, conflicted=False)
    with pytest.raises(ValidationError, match="already declared"):
        services.declare_conflict(reviewing["c_bob"], rita, conflicted=True, explanation="x")


def test_someone_outside_the_committee_cannot_review(reviewing):
    with pytest.raises(PermissionDenied):
        services.declare_conflict(reviewing["c_bob"], reviewing["alice"], conflicted=False)


def test_scores_are_given_for_every_published_requirement_at_once_from_1_to_5(reviewing):
    rita = reviewing["reviewers"][0]
    services.declare_conflict(reviewing["c_bob"], rita, conflicted=False)
    with pytest.raises(ValidationError):  # the call publishes two requirements, not three
        services.score_candidate(reviewing["c_bob"], rita, [(3, ""), (3, ""), (3, "")])
    with pytest.raises(ValidationError) as info:
        services.score_candidate(reviewing["c_bob"], rita, [(6, ""), (None, "")])
    assert info.value.message_dict == {
        "score_0": ["Give “Leads people” a score from 1 to 5."],
        "score_1": ["Give “Knows pixels” a score from 1 to 5."],
    }
    assert not Score.objects.exists()
    services.score_candidate(reviewing["c_bob"], rita, [(3, ""), (2, "")])
    services.score_candidate(reviewing["c_bob"], rita, [(4, "Better"), (2, "")])  # a change
    assert sorted(Score.objects.values_list("requirement", "score", "comment")) == [
        (0, 4, "Better"),
        (1, 2, ""),
    ]


def test_the_review_page_hides_material_until_no_conflict_is_declared(reviewing, client):
    rita = reviewing["reviewers"][0]
    client.force_login(rita.user)
    url = reverse("nominations:review", args=[reviewing["call"].pk])
    html = client.get(url).content.decode()
    assert "Bob Baker" in html and "Carol Chen" in html
    assert "Carol's own plan" not in html and "Carol, surely" not in html
    assert "Dan Dare" not in html  # declined: never before the committee
    client.post(
        reverse("nominations:declare", args=[reviewing["call"].pk, reviewing["c_carol"].pk]),
        {"conflicted": "no"},
    )
    client.post(
        reverse("nominations:declare", args=[reviewing["call"].pk, reviewing["c_bob"].pk]),
        {"conflicted": "yes", "explanation": "My student"},
    )
    html = client.get(url).content.decode()
    assert "Carol's own plan" in html and "Carol, surely" in html
    assert "Bob for lead" not in html and "Recused" in html


def test_deciding_appoints_publishes_the_outcome_and_tells_the_candidates(reviewing, client):
    call = reviewing["call"]
    appointments = w.decide(reviewing, [reviewing["c_carol"]], rationale="Strongest plan.")
    assert len(appointments) == 1
    appointment = appointments[0]
    assert (appointment.person, appointment.position, appointment.term_number) == (
        reviewing["carol"],
        reviewing["position"],
        1,
    )
    assert appointment.method == Appointment.Method.CALL
    reviewing["c_bob"].refresh_from_db()
    assert reviewing["c_bob"].state == Candidacy.State.NOT_APPOINTED
    html = client.get(call.get_absolute_url()).content.decode()
    assert "Carol Chen" in html and "Strongest plan." in html
    assert "2 candidates stood, 1 of them self-nominated" in html
    assert "Bob Baker" not in html
    succession = client.get(reviewing["position"].get_absolute_url()).content.decode()
    assert "Carol Chen" in succession
    chart = client.get(reverse("site:org"), {"on": "2026-02-01"}).content.decode()
    assert "Carol Chen" in chart
    assert set(OutgoingMail.objects.filter(kind="outcome").values_list("to", flat=True)) == {
        reviewing["bob"].email,
        reviewing["carol"].email,
    }


def test_a_decision_needs_a_rationale_and_only_consenting_candidates(reviewing):
    call = reviewing["call"]
    with pytest.raises(ValidationError) as info:
        w.decide(reviewing, [reviewing["c_carol"]], rationale=" ")
    assert "rationale" in info.value.message_dict
    with pytest.raises(ValidationError, match="not a consenting candidate"):
        w.decide(reviewing, [reviewing["c_dan"]], rationale="x")
    with pytest.raises(ValidationError, match="1 seat"):
        w.decide(reviewing, [reviewing["c_carol"], reviewing["c_bob"]], rationale="x")
    assert not Appointment.objects.filter(position=reviewing["position"]).exists()
    call.refresh_from_db()
    assert call.state == Call.State.REVIEW


def test_a_decision_that_would_overfill_the_seat_is_refused_whole(reviewing):
    from convener.org import services as org_services

    org_services.appoint(reviewing["alice"], reviewing["position"], dt.date(2025, 1, 1))
    with pytest.raises(ValidationError, match="seat"):
        w.decide(reviewing, [reviewing["c_carol"]], rationale="x")
    reviewing["call"].refresh_from_db()
    assert reviewing["call"].state == Call.State.REVIEW
    assert Candidacy.objects.filter(state=Candidacy.State.APPOINTED).count() == 0


@pytest.mark.expects_mail
def test_the_worker_sends_queued_mail_and_retries_failures(reviewing, settings, monkeypatch):
    from django.core import mail

    queued = OutgoingMail.objects.filter(sent_at__isnull=True).count()
    assert queued > 0 and not mail.outbox

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("convener.mail.services.send_mail", broken)
    call_command("worker", verbosity=0)
    # the worker's own jobs (the weekly digest) may queue more mail: all of it was tried once
    total = OutgoingMail.objects.count()
    assert total >= queued
    assert OutgoingMail.objects.filter(sent_at__isnull=True, attempts=1).count() == total
    assert "mail server down" in OutgoingMail.objects.first().last_error
    monkeypatch.undo()
    OutgoingMail.objects.update(send_after=OutgoingMail.objects.first().created_at)
    call_command("worker", verbosity=0)
    assert len(mail.outbox) == total
    assert not OutgoingMail.objects.filter(sent_at__isnull=True).exists()

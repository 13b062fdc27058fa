"""Calls move only along the published state machine, and every move is recorded."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from convener.nominations import services
from convener.nominations.models import Call

from . import world as w

pytestmark = pytest.mark.django_db
State = Call.State

# Written out by hand from the workflow the README describes, not read from the code: what a
# manager may do by hand from each state. "Decided" is reached only by the decision itself.
LEGAL = [
    ("draft", "open"),
    ("draft", "cancelled"),
    ("open", "closed"),
    ("open", "cancelled"),
    ("closed", "review"),
    ("closed", "open"),
    ("closed", "cancelled"),
    ("review", "cancelled"),
]
ILLEGAL = [
    ("draft", "draft"),
    ("draft", "closed"),
    ("draft", "review"),
    ("draft", "decided"),
    ("open", "draft"),
    ("open", "open"),
    ("open", "review"),
    ("open", "decided"),
    ("closed", "draft"),
    ("closed", "closed"),
    ("closed", "decided"),
    ("review", "draft"),
    ("review", "open"),
    ("review", "closed"),
    ("review", "review"),
    ("review", "decided"),
    ("decided", "draft"),
    ("decided", "open"),
    ("decided", "closed"),
    ("decided", "review"),
    ("decided", "decided"),
    ("decided", "cancelled"),
    ("cancelled", "draft"),
    ("cancelled", "open"),
    ("cancelled", "closed"),
    ("cancelled", "review"),
    ("cancelled", "decided"),
    ("cancelled", "cancelled"),
]


def _force(call, state):
    """Put a call in ``state`` directly, with what the database demands of that state."""
    now = timezone.now()
    fields = {"state": state, "published_at": None if state == "draft" else now}
    if state == "decided":
        fields.update(decided_at=now, rationale="Decided earlier.")
    Call.objects.filter(pk=call.pk).update(**fields)
    call.refresh_from_db()
    return call


def test_the_hand_written_tables_cover_every_pair_of_states_once():
    pairs = LEGAL + ILLEGAL
    assert len(pairs) == len(set(pairs)) == 36


@pytest.mark.parametrize("from_state,to_state", ILLEGAL)
def test_every_illegal_transition_is_refused_and_changes_nothing(from_state, to_state):
    world = w.build(State.DRAFT)
    call = _force(world["call"], from_state)
    events = call.events.count()
    with pytest.raises(ValidationError) as info:
        services.transition(call, to_state, reason="because", by=world["manager"])
    assert "state" in info.value.message_dict
    call.refresh_from_db()
    assert call.state == from_state and call.events.count() == events


@pytest.mark.parametrize("from_state,to_state", LEGAL)
def test_every_legal_transition_is_made_and_recorded(from_state, to_state):
    world = w.build(State.DRAFT)
    call = _force(world["call"], from_state)
    services.transition(
        call,
        to_state,
        by=world["manager"],
        reason="Recorded reason",
        closes_at=timezone.now() + dt.timedelta(days=3),
    )
    call.refresh_from_db()
    event = call.events.last()
    assert call.state == to_state
    assert (event.from_state, event.to_state, event.by) == (from_state, to_state, world["manager"])


@pytest.mark.parametrize("from_state", [State.DRAFT, State.OPEN, State.CLOSED, State.REVIEW])
def test_cancelling_needs_a_reason_which_is_recorded(from_state):
    world = w.build(State.DRAFT)
    call = _force(world["call"], from_state)
    with pytest.raises(ValidationError, match="reason"):
        services.transition(call, State.CANCELLED, by=world["manager"])
    services.transition(call, State.CANCELLED, by=world["manager"], reason="Unit merged")
    event = call.events.last()
    assert (event.from_state, event.to_state, event.by, event.reason) == (
        from_state,
        State.CANCELLED,
        world["manager"],
        "Unit merged",
    )


def test_closing_before_the_deadline_needs_a_reason_but_the_deadline_itself_does_not():
    world = w.build()
    call = world["call"]
    with pytest.raises(ValidationError) as info:
        services.transition(call, State.CLOSED, by=world["manager"], reason="   ")
    assert list(info.value.message_dict) == ["reason"]
    call.refresh_from_db()
    assert call.state == State.OPEN
    services.transition(call, State.CLOSED, by=world["manager"], reason="Seat abolished")
    assert call.events.last().reason == "Seat abolished"


def test_the_worker_closes_a_call_at_its_deadline_without_a_reason_from_anyone():
    world = w.build()
    call = world["call"]
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.run_periodic_jobs()["closed"] == 1
    call.refresh_from_db()
    event = call.events.last()
    assert (call.state, event.by, event.reason) == (State.CLOSED, None, "Deadline passed")


def test_reopening_needs_a_reason_and_a_future_deadline():
    world = w.build()
    call = world["call"]
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    services.run_periodic_jobs()
    call.refresh_from_db()
    assert call.state == State.CLOSED
    with pytest.raises(ValidationError, match="reason"):
        services.transition(call, State.OPEN)
    with pytest.raises(ValidationError) as info:
        services.transition(call, State.OPEN, reason="Too few candidates")
    assert "closes_at" in info.value.message_dict
    services.transition(
        call,
        State.OPEN,
        reason="Too few candidates",
        closes_at=timezone.now() + dt.timedelta(days=7),
    )
    call.refresh_from_db()
    assert call.state == State.OPEN and call.accepting_nominations


def test_the_published_text_is_frozen_when_the_call_opens():
    world = w.build(State.DRAFT)
    position, call = world["position"], world["call"]
    position.mandate = "Version two of the mandate."
    position.save()
    services.transition(call, State.OPEN)
    position.mandate = "Version three, after opening."
    position.requirements = "- Something else"
    position.save()
    call.refresh_from_db()
    assert call.mandate == "Version two of the mandate."
    assert call.requirement_list() == ["Leads people", "Knows pixels"]


def test_a_closing_date_before_the_opening_date_is_refused():
    world = w.build(State.DRAFT)
    now = timezone.now()
    with pytest.raises(ValidationError) as info:
        services.create_call(
            world["position"],
            opens_at=now,
            closes_at=now - dt.timedelta(1),
            committee=world["committee"],
        )
    assert "closes_at" in info.value.message_dict
    assert Call.objects.count() == 1


def test_an_ex_officio_position_takes_no_call():
    world = w.build(State.DRAFT)
    position = world["position"]
    position.filled_by = "ex_officio"
    position.save()
    now = timezone.now()
    with pytest.raises(ValidationError, match="ex officio"):
        services.create_call(
            position, opens_at=now, closes_at=now + dt.timedelta(1), committee=world["committee"]
        )

"""Calls move only along the published state machine, and every move is recorded."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from convener.nominations import services
from convener.nominations.models import Call

from . import world as w

pytestmark = pytest.mark.django_db
State = Call.State

ILLEGAL = [
    (a, b) for a, b in itertools.product(State.values, State.values) if b not in Call.TRANSITIONS[a]
]


def _force(call, state):
    Call.objects.filter(pk=call.pk).update(state=state)
    call.refresh_from_db()
    return call


@pytest.mark.parametrize("from_state,to_state", ILLEGAL)
def test_every_illegal_transition_is_refused_and_changes_nothing(from_state, to_state):
    world = w.build(State.DRAFT)
    call = _force(world["call"], from_state)
    events = call.events.count()
    with pytest.raises(ValidationError) as info:
        services.transition(call, to_state, reason="because")
    assert "state" in info.value.message_dict
    call.refresh_from_db()
    assert call.state == from_state and call.events.count() == events


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


def test_the_deadline_closes_the_call_by_itself():
    world = w.build()
    call = world["call"]
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.run_periodic_jobs()["closed"] == 1
    call.refresh_from_db()
    assert call.state == State.CLOSED
    assert call.events.last().reason == "Deadline passed"

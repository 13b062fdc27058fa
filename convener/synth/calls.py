"""Calls for nominations in every state, so the demo shows the whole workflow."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from convener.nominations.models import (
    Call,
    CallEvent,
    Candidacy,
    ConflictDeclaration,
    Nomination,
    Recommendation,
    RecommendationEntry,
    Score,
    Vote,
)
from convener.org.models import Appointment, Position

State = Call.State
CState = Candidacy.State

STATEMENTS = [
    "Has led the group's weekly meetings for two years and brought new institutes in.",
    "Knows every part of the system and explains it patiently to newcomers.",
    "Ran the last two reviews on time and kept the budget honest.",
    "A thoughtful mentor to students; would make the role more open to early-career people.",
]


def make_calls(synth) -> list[Call]:
    rng = synth.rng
    today = synth.today
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(12, 0)), dt.UTC)
    committee = next((u for u in synth.units if u.name == "Nominations Advisory Committee"), None)
    if committee is None:
        return []
    current = [a for a in synth.appointments if a.end is None]
    reviewers = [a.person for a in current if a.position.unit_id == committee.pk]
    members = [s.obj for s in synth.people if s.leave is None and s.join < today]
    holders_by_position: dict[int, set[int]] = {}
    for a in current:
        holders_by_position.setdefault(a.position_id, set()).add(a.person.pk)
    open_positions = [
        p
        for p in synth.positions
        if p.end is None
        and p.level in {Position.Level.L2, Position.Level.L3}
        and p.role != Position.Role.DEPUTY
    ]
    rng.shuffle(open_positions)
    plan = [
        State.DRAFT,
        State.DRAFT,
        State.OPEN,
        State.OPEN,
        State.OPEN,
        State.CLOSED,
        State.REVIEW,
        State.REVIEW,
        State.CANCELLED,
    ]
    calls: list[Call] = []
    for state, position in zip(plan, open_positions, strict=False):
        calls.append(
            _call(
                synth,
                position,
                state,
                committee,
                now,
                members,
                reviewers,
                holders_by_position.get(position.pk, set()),
            )
        )
    # decided calls: those that filled a seat in the last two years
    recent = sorted(
        (
            a
            for a in current
            if a.capacity == Appointment.Capacity.REGULAR
            and a.term_number == 1
            and a.start > today - dt.timedelta(days=700)
            and a.position.level in {Position.Level.L2, Position.Level.L3}
        ),
        key=lambda a: a.start,
    )[:3]
    for appointment in recent:
        calls.append(_decided(synth, appointment, committee, members, reviewers))
    return calls


def _call(synth, position, state, committee, now, members, reviewers, holders) -> Call:
    rng = synth.rng
    if state == State.DRAFT:
        opens, closes = now + dt.timedelta(days=7), now + dt.timedelta(days=37)
    elif state == State.OPEN:
        opens = now - dt.timedelta(days=rng.randint(5, 20))
        closes = now + dt.timedelta(days=rng.choice([1, 12, 25]))
    else:
        closes = now - dt.timedelta(days=rng.randint(2, 30))
        opens = closes - dt.timedelta(days=30)
    call = Call.objects.create(
        position=position,
        title=f"Call for {position.title}",
        mandate=position.mandate,
        requirements=position.requirements,
        opens_at=opens,
        closes_at=closes,
        state=state,
        committee=committee,
        published_at=None if state == State.DRAFT else opens,
    )
    _events(call, state, opens, closes)
    if state in {State.DRAFT}:
        return call
    pool = [m for m in members if m.pk not in holders]
    nominees = rng.sample(pool, min(len(pool), rng.randint(3, 6)))
    for i, nominee in enumerate(nominees):
        self_nominated = i == 0
        if state == State.OPEN:
            cstate = [
                CState.CONSENTED,
                CState.AWAITING_CONSENT,
                CState.DECLINED,
                CState.CONSENTED,
                CState.WITHDRAWN,
                CState.AWAITING_CONSENT,
            ][i % 6]
        else:
            cstate = [
                CState.CONSENTED,
                CState.CONSENTED,
                CState.DECLINED,
                CState.CONSENTED,
                CState.WITHDRAWN,
                CState.CONSENTED,
            ][i % 6]
        if self_nominated:
            cstate = CState.CONSENTED
        candidacy = Candidacy.objects.create(
            call=call,
            nominee=nominee,
            state=cstate,
            self_nominated=self_nominated,
            statement=rng.choice(STATEMENTS) if cstate == CState.CONSENTED else "",
            consented_at=opens + dt.timedelta(days=2) if cstate == CState.CONSENTED else None,
            created_at=opens + dt.timedelta(days=1),
            do_not_renominate=cstate == CState.WITHDRAWN,
        )
        supporters = [nominee] if self_nominated else rng.sample(members, rng.randint(1, 3))
        for supporter in supporters:
            if supporter.pk == nominee.pk and not self_nominated:
                continue
            Nomination.objects.create(
                candidacy=candidacy,
                nominator=supporter,
                statement=rng.choice(STATEMENTS),
                created_at=opens + dt.timedelta(days=1),
            )
        if state in {State.CLOSED, State.REVIEW} and cstate == CState.CONSENTED:
            _review(synth, call, candidacy, reviewers, scores=state == State.REVIEW)
    return call


def _review(synth, call, candidacy, reviewers, *, scores: bool):
    rng = synth.rng
    for reviewer in reviewers[1:]:  # the first reviewer has not declared yet (the demo login)
        conflicted = rng.random() < 0.15
        ConflictDeclaration.objects.create(
            candidacy=candidacy,
            reviewer=reviewer,
            conflicted=conflicted,
            explanation="Same institute, close collaborator" if conflicted else "",
        )
        if scores and not conflicted:
            for index, _text in enumerate(call.requirement_list()):
                Score.objects.create(
                    candidacy=candidacy,
                    reviewer=reviewer,
                    requirement=index,
                    score=rng.randint(2, 5),
                    comment="",
                )
            Vote.objects.create(
                candidacy=candidacy, reviewer=reviewer, choice=rng.choice(Vote.Choice.values)
            )


def _events(call, state, opens, closes):
    path = {
        State.DRAFT: [State.DRAFT],
        State.OPEN: [State.DRAFT, State.OPEN],
        State.CLOSED: [State.DRAFT, State.OPEN, State.CLOSED],
        State.REVIEW: [State.DRAFT, State.OPEN, State.CLOSED, State.REVIEW],
        State.CANCELLED: [State.DRAFT, State.OPEN, State.CANCELLED],
        State.DECIDED: [State.DRAFT, State.OPEN, State.CLOSED, State.REVIEW, State.DECIDED],
    }[state]
    times = {
        State.DRAFT: opens - dt.timedelta(days=3),
        State.OPEN: opens,
        State.CLOSED: closes,
        State.REVIEW: closes + dt.timedelta(days=1),
        State.CANCELLED: opens + dt.timedelta(days=5),
        State.DECIDED: closes + dt.timedelta(days=20),
    }
    previous = ""
    for step in path:
        reason = (
            "The area is being merged into its neighbour."
            if step == State.CANCELLED
            else ("Deadline passed" if step == State.CLOSED else "")
        )
        CallEvent.objects.create(
            call=call, from_state=previous, to_state=step, at=times[step], reason=reason
        )
        previous = step


def _decided(synth, appointment, committee, members, reviewers) -> Call:
    rng = synth.rng
    position = appointment.position
    start = timezone.make_aware(dt.datetime.combine(appointment.start, dt.time(12, 0)), dt.UTC)
    closes = start - dt.timedelta(days=40)
    opens = closes - dt.timedelta(days=30)
    call = Call.objects.create(
        position=position,
        title=f"Call for {position.title}",
        mandate=position.mandate,
        requirements=position.requirements,
        opens_at=opens,
        closes_at=closes,
        state=State.DECIDED,
        committee=committee,
        decided_at=closes + dt.timedelta(days=20),
        published_at=opens,
        rationale="Appointed on the committee's recommendation, for the breadth of experience "
        "and the plan for mentoring deputies.",
    )
    _events(call, State.DECIDED, opens, closes)
    winner = Candidacy.objects.create(
        call=call,
        nominee=appointment.person,
        state=CState.APPOINTED,
        statement=rng.choice(STATEMENTS),
        consented_at=opens,
        created_at=opens,
    )
    Nomination.objects.create(
        candidacy=winner,
        nominator=rng.choice(members),
        statement=rng.choice(STATEMENTS),
        created_at=opens,
    )
    others = [m for m in rng.sample(members, 4) if m.pk != appointment.person.pk][
        : rng.randint(1, 3)
    ]
    for i, other in enumerate(others):
        c = Candidacy.objects.create(
            call=call,
            nominee=other,
            self_nominated=i == 0,
            state=CState.NOT_APPOINTED,
            consented_at=opens,
            created_at=opens,
        )
        Nomination.objects.create(
            candidacy=c,
            nominator=other if i == 0 else rng.choice(members),
            statement=rng.choice(STATEMENTS),
            created_at=opens,
        )
    recommendation = Recommendation.objects.create(
        call=call,
        made_by=reviewers[0] if reviewers else None,
        made_at=closes + dt.timedelta(days=15),
        text="The committee recommends the candidate with the strongest record of "
        "coordinating across institutes.",
    )
    RecommendationEntry.objects.create(
        recommendation=recommendation, candidacy=winner, recommended=True
    )
    Appointment.objects.filter(pk=appointment.pk).update(note=f"Appointed through call {call.pk}")
    return call

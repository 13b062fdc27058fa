"""Every step of a call, as one function each. Views, admin, API and CLI call these; each
validates, writes in one transaction, records who did it, and queues the mail it causes."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from convener.core.permissions import person_of
from convener.core.roles import Role, has_role
from convener.mail.services import queue_mail
from convener.org import services as org_services
from convener.org.models import Appointment, OrgUnit, Position
from convener.people.models import Membership, Person

from .models import (
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

State = Call.State
CState = Candidacy.State


def _email(person: Person) -> str:
    return person.email or (person.user.email if person.user_id else "")


def committee_members(committee: OrgUnit, day: dt.date | None = None) -> list[Person]:
    """The people sitting on ``committee`` on ``day`` (today by default)."""
    day = day or timezone.localdate()
    return list(
        Person.objects.filter(
            appointments__in=Appointment.objects.surely_on(day).filter(position__unit=committee)
        )
        .distinct()
        .select_related("user")
    )


def sits_on(person: Person | None, committee_id: int) -> bool:
    if person is None:
        return False
    return (
        Appointment.objects.current().filter(person=person, position__unit_id=committee_id).exists()
    )


def calls_under_way() -> dict[int, Call]:
    """Each position's call not yet decided or cancelled (the one closing last wins), for
    the registry's succession page (registered with it in ``apps.py``)."""
    return {
        c.position_id: c
        for c in Call.objects.filter(
            state__in=[Call.State.DRAFT, Call.State.OPEN, Call.State.CLOSED, Call.State.REVIEW]
        ).order_by("closes_at")
    }


def _lock(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


@transaction.atomic
def create_call(
    position: Position,
    *,
    opens_at,
    closes_at,
    committee: OrgUnit,
    by=None,
    seats: int = 1,
    eligibility: str = Call.Eligibility.MEMBERS,
    title: str = "",
) -> Call:
    """A draft call for ``position``; published when opened."""
    errors = {}
    if position.filled_by == Position.FilledBy.EX_OFFICIO:
        errors["position"] = "This position is filled ex officio; it takes no call."
    if committee.kind != OrgUnit.Kind.COMMITTEE:
        errors["committee"] = "Choose an advisory committee."
    if opens_at and closes_at and closes_at <= opens_at:
        errors["closes_at"] = "The closing date must be after the opening date."
    if not 1 <= seats <= position.seats:
        errors["seats"] = f"A call fills between 1 and {position.seats} seat(s) of this position."
    if errors:
        raise ValidationError(errors)
    call = Call.objects.create(
        position=position,
        seats=seats,
        title=title or f"Call for {position.title}",
        mandate=position.mandate,
        requirements=position.requirements,
        opens_at=opens_at,
        closes_at=closes_at,
        eligibility=eligibility,
        committee=committee,
        created_by=by,
    )
    CallEvent.objects.create(call=call, from_state="", to_state=State.DRAFT, by=by)
    return call


INTERESTED_MANAGER = (
    "You are a candidate or a nominator in this call (or a nomination of you awaits your "
    "answer while it is open), so another manager must manage it."
)


def _refuse_interested_manager(call: Call, by, *, to_state: str = "") -> None:
    person = person_of(by) if by is not None else None
    # reopening would let an unanswered nomination be answered: it counts as a stake then
    if call.has_interest(person, pending=to_state == State.OPEN):
        raise PermissionDenied(INTERESTED_MANAGER)


@transaction.atomic
def transition(
    call: Call, to_state: str, *, by=None, reason: str = "", closes_at: dt.datetime | None = None
) -> Call:
    """Move a call to ``to_state`` if the state machine allows it (never to "decided": see
    :func:`decide`), recording who and why. Closing before the deadline, cancelling and
    reopening need a reason. A manager who is a candidate or nominator in the call is refused;
    ``by=None`` is the system (the worker closing a call at its deadline)."""
    call = _lock(call)
    _refuse_interested_manager(call, by, to_state=to_state)
    now = timezone.now()
    call.check_move(to_state, reason=reason, now=now)
    if to_state == State.OPEN:
        if closes_at is not None:
            call.closes_at = closes_at
        if call.closes_at <= now:
            raise ValidationError({"closes_at": "The closing date has passed; set a later one."})
        if call.state == State.DRAFT:  # what is published is frozen from here on
            call.mandate = call.position.mandate
            call.requirements = call.position.requirements
        call.published_at = call.published_at or now
    previous = call.state
    call.state = to_state
    call.full_clean()
    call.save()
    CallEvent.objects.create(
        call=call, from_state=previous, to_state=to_state, by=by, reason=reason.strip(), at=now
    )
    if to_state == State.OPEN and previous == State.DRAFT:
        for member in committee_members(call.committee):
            queue_mail("committee_assigned", _email(member), {"call": call, "person": member})
    return call


def _check_nominee(call: Call, nominee: Person) -> None:
    today = timezone.localdate()
    if (
        call.eligibility == Call.Eligibility.MEMBERS
        and not Membership.objects.surely_on(today).filter(person=nominee).exists()
    ):
        raise ValidationError(
            {
                "nominee": f"{nominee} is not a current member of the "
                "collaboration, which this call requires."
            }
        )
    if Appointment.objects.surely_on(today).filter(person=nominee, position=call.position).exists():
        raise ValidationError({"nominee": f"{nominee} already holds this position."})


def _refuse_reviewer_as_party(call: Call, nominee: Person, nominator: Person | None) -> None:
    """Whoever has seen or shaped the committee's review of a call (a declaration, a score,
    a vote, a recommendation) may neither stand nor nominate in it, even once it reopens:
    they have read the rivals' statements and the names of their supporters."""
    if call.was_reviewed_by(nominee):
        raise ValidationError(
            {
                "nominee": f"{nominee} has taken part in the committee's review of this call, "
                "so cannot stand in it."
            }
        )
    if nominator is not None and nominator.pk != nominee.pk and call.was_reviewed_by(nominator):
        raise ValidationError(
            {
                "nominee": "You have taken part in the committee's review of this call, so "
                "you cannot nominate anyone in it."
            }
        )


def not_accepting_reason(call: Call) -> str:
    """Why ``call`` takes no nomination now, in plain words (not yet open, past its
    deadline, or in another state)."""
    if call.not_yet_open:
        return (
            "This call is not open yet: nominations open on "
            f"{timezone.localtime(call.opens_at):%-d %B %Y, %H:%M %Z}."
        )
    if call.state == State.DRAFT:
        return "This call is not open yet."
    if call.state == State.OPEN:
        return "This call is past its deadline and takes no more nominations."
    return f"This call is not open for nominations (it is {call.get_state_display().lower()})."


@transaction.atomic
def nominate(call: Call, nominee: Person, nominator: Person, statement: str) -> Candidacy:
    """Put ``nominee`` forward. A second nomination of the same person joins the existing
    candidacy as another supporter. Self-nomination counts as consent.

    The nominator's reply and mail never tell whether the nominee declined or withdrew: a
    nomination of someone who asked not to be nominated again (or withdrew) is recorded but
    not forwarded; one of someone who simply declined asks them again, by mail."""
    call = _lock(call)
    if not call.accepting_nominations:
        raise ValidationError({"call": not_accepting_reason(call)})
    if not statement.strip():
        raise ValidationError({"statement": "Say why you nominate this person."})
    _check_nominee(call, nominee)
    _refuse_reviewer_as_party(call, nominee, nominator)
    now = timezone.now()
    is_self = nominee.pk == nominator.pk
    candidacy, created = Candidacy.objects.get_or_create(call=call, nominee=nominee)
    ask_consent = created and not is_self
    if not created and candidacy.state in {CState.DECLINED, CState.WITHDRAWN}:
        if is_self:  # standing again of one's own accord
            candidacy.state = CState.AWAITING_CONSENT
            candidacy.do_not_renominate = False
        elif not (candidacy.do_not_renominate or candidacy.state == CState.WITHDRAWN):
            candidacy.state = CState.AWAITING_CONSENT
            candidacy.reminded_at = None
            ask_consent = True
        # otherwise: kept as declined, the nomination recorded and never forwarded
    if is_self and candidacy.state == CState.AWAITING_CONSENT:
        candidacy.state = CState.CONSENTED
        candidacy.consented_at = now
        candidacy.self_nominated = True
    candidacy.save()
    try:
        with transaction.atomic():
            Nomination.objects.create(
                candidacy=candidacy, nominator=nominator, statement=statement.strip()
            )
    except IntegrityError:
        raise ValidationError(
            {"nominee": f"You have already nominated {nominee} for this call."}
        ) from None
    queue_mail(
        "nomination_received",
        _email(nominator),
        {"call": call, "nominee": nominee, "person": nominator},
    )
    if ask_consent:
        queue_mail("consent_requested", _email(nominee), {"call": call, "person": nominee})
    return candidacy


def _own(candidacy: Candidacy, person: Person) -> Candidacy:
    candidacy = Candidacy.objects.select_for_update().select_related("call").get(pk=candidacy.pk)
    if person is None or candidacy.nominee_id != person.pk:
        raise PermissionDenied("Only the nominee can answer for this candidacy.")
    return candidacy


@transaction.atomic
def consent(
    candidacy: Candidacy, person: Person, *, statement: str = "", cv_url: str = ""
) -> Candidacy:
    """The nominee accepts; the candidacy goes to the committee. Possible while the call is
    open; afterwards the nominee may still edit nothing."""
    candidacy = _own(candidacy, person)
    if not candidacy.call.accepting_nominations:
        raise ValidationError({"call": "The call has closed; nominations can no longer change."})
    if candidacy.state not in {CState.AWAITING_CONSENT, CState.CONSENTED}:
        raise ValidationError({"state": "This nomination was declined or withdrawn."})
    _refuse_reviewer_as_party(candidacy.call, person, None)
    candidacy.state = CState.CONSENTED
    candidacy.consented_at = candidacy.consented_at or timezone.now()
    candidacy.statement = statement.strip()
    candidacy.cv_url = cv_url.strip()
    candidacy.full_clean(exclude=["call", "nominee"])
    candidacy.save()
    return candidacy


@transaction.atomic
def decline(candidacy: Candidacy, person: Person, *, do_not_renominate: bool = False) -> Candidacy:
    """The nominee says no while the call is open. With ``do_not_renominate`` later
    nominations by others are recorded but never forwarded, and nobody is told so."""
    candidacy = _own(candidacy, person)
    if not candidacy.call.accepting_nominations:
        raise ValidationError({"call": "The call has closed; nominations can no longer change."})
    if candidacy.state != CState.AWAITING_CONSENT:
        raise ValidationError(
            {"state": "Only a nomination awaiting consent can be declined; withdraw instead."}
        )
    candidacy.state = CState.DECLINED
    candidacy.do_not_renominate = do_not_renominate
    candidacy.save()
    return candidacy


@transaction.atomic
def withdraw(candidacy: Candidacy, person: Person) -> Candidacy:
    """A candidate may withdraw until the decision."""
    candidacy = _own(candidacy, person)
    if candidacy.call.state in {State.DECIDED, State.CANCELLED}:
        raise ValidationError({"call": "The call is over; there is nothing to withdraw from."})
    if candidacy.state not in {CState.AWAITING_CONSENT, CState.CONSENTED}:
        raise ValidationError({"state": "This candidacy is no longer active."})
    candidacy.state = CState.WITHDRAWN
    candidacy.do_not_renominate = True
    candidacy.save()
    return candidacy


RECUSED_AS_INTERESTED = (
    "You are a candidate or a nominator in this call, so you are recused from reviewing it."
)


def _reviewer_check(call: Call, reviewer: Person, *, states) -> None:
    if call.state not in states:
        raise ValidationError({"call": "The committee works on a call once it has closed."})
    if not sits_on(reviewer, call.committee_id):
        raise PermissionDenied("Only members of the call's committee review it.")
    if call.has_interest(reviewer):
        raise PermissionDenied(RECUSED_AS_INTERESTED)


def _current(candidacy: Candidacy) -> Candidacy:
    """The candidacy and its call as they are now, the call locked."""
    call = Call.objects.select_for_update().get(pk=candidacy.call_id)
    candidacy = Candidacy.objects.select_related("nominee").get(pk=candidacy.pk)
    candidacy.call = call
    return candidacy


@transaction.atomic
def declare_conflict(
    candidacy: Candidacy, reviewer: Person, *, conflicted: bool, explanation: str = ""
) -> ConflictDeclaration:
    """Declared once per candidate, before seeing anything; a conflict means recusal from
    that candidate. A candidate or nominator in the call declares nothing: they are recused
    from the whole call."""
    candidacy = _current(candidacy)
    _reviewer_check(candidacy.call, reviewer, states={State.CLOSED, State.REVIEW})
    if candidacy.state != CState.CONSENTED:
        raise ValidationError({"candidacy": "Only consenting candidates are reviewed."})
    if conflicted and not explanation.strip():
        raise ValidationError({"explanation": "Describe the conflict; it is recorded."})
    declaration, created = ConflictDeclaration.objects.get_or_create(
        candidacy=candidacy,
        reviewer=reviewer,
        defaults={"conflicted": conflicted, "explanation": explanation.strip()},
    )
    if not created:
        raise ValidationError({"conflicted": "You have already declared for this candidate."})
    return declaration


def may_see(candidacy: Candidacy, reviewer: Person) -> bool:
    """Whether ``reviewer`` may see this candidate's material: they declared no conflict
    with them and are neither a candidate nor a nominator in the call."""
    return ConflictDeclaration.objects.filter(
        candidacy=candidacy, reviewer=reviewer, conflicted=False
    ).exists() and not Call(pk=candidacy.call_id).has_interest(reviewer)


def _must_see(candidacy: Candidacy, reviewer: Person) -> None:
    if candidacy.state != CState.CONSENTED:
        raise ValidationError({"candidacy": "Only consenting candidates are reviewed."})
    if not may_see(candidacy, reviewer):
        raise ValidationError(
            {
                "conflicted": "Declare whether you have a conflict of interest "
                "with this candidate before reviewing."
            }
        )


@transaction.atomic
def score_candidate(
    candidacy: Candidacy, reviewer: Person, scores: list[tuple[int | None, str]]
) -> list[Score]:
    """Save ``reviewer``'s scores of one candidate, one ``(score, comment)`` per published
    requirement in order, all at once or none. Needs a declaration of no conflict."""
    candidacy = _current(candidacy)
    _reviewer_check(candidacy.call, reviewer, states={State.REVIEW})
    _must_see(candidacy, reviewer)
    requirements = candidacy.call.requirement_list()
    if len(scores) != len(requirements):
        raise ValidationError({"score": "Give one score for each published requirement."})
    errors = {}
    for index, (text, (value, _comment)) in enumerate(zip(requirements, scores, strict=True)):
        if value is None or not 1 <= int(value) <= 5:
            errors[f"score_{index}"] = f"Give “{text}” a score from 1 to 5."
    if errors:
        raise ValidationError(errors)
    return [
        Score.objects.update_or_create(
            candidacy=candidacy,
            reviewer=reviewer,
            requirement=index,
            defaults={"score": int(value), "comment": comment.strip()},
        )[0]
        for index, (value, comment) in enumerate(scores)
    ]


@transaction.atomic
def vote(candidacy: Candidacy, reviewer: Person, choice: str) -> Vote:
    """Record ``reviewer``'s own vote on one candidate; it replaces only their own earlier
    vote (the history keeps it). Needs a declaration of no conflict."""
    candidacy = _current(candidacy)
    _reviewer_check(candidacy.call, reviewer, states={State.REVIEW})
    _must_see(candidacy, reviewer)
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": "Choose one of the three votes."})
    row, _ = Vote.objects.update_or_create(
        candidacy=candidacy, reviewer=reviewer, defaults={"choice": choice}
    )
    return row


def may_see_recommendation(call: Call, person: Person | None) -> bool:
    """The recommendation discusses every candidate: only a committee member who declared
    no conflict with each consenting candidate (and is none of them, nor a nominator) may
    read or make it."""
    if person is None or call.has_interest(person):
        return False
    declared_none = ConflictDeclaration.objects.filter(
        candidacy=OuterRef("pk"), reviewer=person, conflicted=False
    )
    return not (
        call.candidacies.filter(state=CState.CONSENTED).exclude(Exists(declared_none)).exists()
    )


@transaction.atomic
def recommend(
    call: Call,
    reviewer: Person,
    *,
    shortlist: list[Candidacy],
    recommended: list[Candidacy],
    text: str,
) -> Recommendation:
    """Record the committee's shortlist and recommendation to management as one act by
    ``reviewer``, who must be recused from no candidate. Earlier acts stay on record; the
    latest is the one in force. The recommended are shortlisted too."""
    call = _lock(call)
    if call.state != State.REVIEW:
        raise ValidationError({"call": "Recommendations are made while the call is in review."})
    _reviewer_check(call, reviewer, states={State.REVIEW})
    if not may_see_recommendation(call, reviewer):
        raise PermissionDenied(
            "You are recused from, or have not declared on, a candidate: another member of "
            "the committee records the recommendation."
        )
    active = set(call.candidacies.filter(state=CState.CONSENTED).values_list("pk", flat=True))
    for c in [*shortlist, *recommended]:
        if c.pk not in active:
            raise ValidationError({"shortlist": f"{c.nominee} is not a consenting candidate."})
    if not text.strip():
        raise ValidationError({"recommendation": "Write the recommendation."})
    if len({c.pk for c in recommended}) > call.seats:
        raise ValidationError(
            {"recommended": f"Recommend at most {call.seats} candidate(s): the seats to fill."}
        )
    row = Recommendation.objects.create(call=call, made_by=reviewer, text=text.strip())
    chosen = {c.pk for c in recommended}
    RecommendationEntry.objects.bulk_create(
        RecommendationEntry(recommendation=row, candidacy_id=pk, recommended=pk in chosen)
        for pk in sorted({c.pk for c in [*shortlist, *recommended]})
    )
    return row


def decider_refusal(call: Call, by) -> str:
    """Why ``by`` may not decide ``call`` (empty if they may)."""
    if by is None or not has_role(by, Role.MANAGER):
        return "Only a manager decides a call."
    person = person_of(by)
    if person is None:
        return (
            "Your account is not linked to your record in the registry, so your conflict "
            "of interest cannot be checked; ask an administrator to link it."
        )
    if call.has_interest(person):
        return (
            "You are a candidate or a nominator in this call, so you cannot decide it; "
            "another manager must."
        )
    conflicted = sorted(
        str(c.nominee) for c in call.conflicted_candidacies(person).select_related("nominee")
    )
    if conflicted:
        return (
            "You declared a conflict of interest with "
            f"{', '.join(conflicted)} in the committee's review, so you cannot decide this "
            "call; another manager must."
        )
    return ""


@transaction.atomic
def decide(
    call: Call,
    *,
    appointed: list[Candidacy],
    rationale: str,
    start: dt.date,
    by,
    no_conflict: bool,
    disclosure: str = "",
) -> list[Appointment]:
    """Record the decision, the only way a call becomes "decided": the deciding manager
    declares no conflict of interest (recorded with the decision; a candidate or nominator
    in the call may not decide it), the chosen candidates are appointed through the
    registry, every other consenting candidate is marked not appointed, the rationale is
    published and the candidates are told."""
    call = _lock(call)
    refusal = decider_refusal(call, by)
    if refusal:
        raise PermissionDenied(refusal)
    if call.state != State.REVIEW:
        raise ValidationError({"state": "Only a call in review can be decided."})
    if not no_conflict:
        raise ValidationError(
            {
                "no_conflict": "A manager with a conflict of interest with a candidate "
                "cannot decide this call; ask another manager to decide it."
            }
        )
    if not rationale.strip():
        raise ValidationError({"rationale": "Record the rationale of the decision."})
    if len(appointed) > call.seats:
        raise ValidationError({"appointed": f"This call fills {call.seats} seat(s)."})
    consenting = {
        c.pk: c for c in call.candidacies.filter(state=CState.CONSENTED).select_related("nominee")
    }
    for c in appointed:
        if c.pk not in consenting:
            raise ValidationError({"appointed": f"{c.nominee} is not a consenting candidate."})
    appointments = []
    for c in appointed:
        try:
            appointments.append(
                org_services.appoint(
                    consenting[c.pk].nominee,
                    call.position,
                    start,
                    method=Appointment.Method.CALL,
                    note=f"Appointed through call {call.pk}: {call.title}",
                )
            )
        except ValidationError as exc:
            raise ValidationError({"appointed": f"{c.nominee}: {' '.join(exc.messages)}"}) from None
    chosen = {c.pk for c in appointed}
    call.candidacies.filter(pk__in=chosen).update(state=CState.APPOINTED)
    call.candidacies.filter(state=CState.CONSENTED).exclude(pk__in=chosen).update(
        state=CState.NOT_APPOINTED
    )
    now = timezone.now()
    previous = call.state
    call.state = State.DECIDED
    call.rationale = rationale.strip()
    call.decided_at = now
    call.decided_by = by
    call.decider_no_conflict = True
    call.decider_disclosure = disclosure.strip()
    call.full_clean()
    call.save()
    CallEvent.objects.create(
        call=call,
        from_state=previous,
        to_state=State.DECIDED,
        by=by,
        reason=rationale.strip(),
        at=now,
    )
    for c in consenting.values():
        queue_mail(
            "outcome",
            _email(c.nominee),
            {"call": call, "person": c.nominee, "appointed": c.pk in chosen},
        )
    return appointments


def outcome_facts(call: Call) -> dict:
    """What the public may know about a decided call: counts, and the appointed only."""
    candidacies = list(
        call.candidacies.exclude(
            state__in=[CState.DECLINED, CState.WITHDRAWN, CState.AWAITING_CONSENT]
        )
    )
    return {
        "candidates": len(candidacies),
        "self_nominated": sum(1 for c in candidacies if c.self_nominated),
    }


def run_periodic_jobs() -> dict:
    """Close calls whose deadline passed; remind nominees who have not answered and whose
    call closes within two days. Safe to run as often as wanted."""
    now = timezone.now()
    closed = 0
    for call in Call.objects.filter(state=State.OPEN, closes_at__lte=now):
        transition(call, State.CLOSED, reason="Deadline passed")
        closed += 1
    reminded = 0
    due = Candidacy.objects.filter(
        state=CState.AWAITING_CONSENT,
        reminded_at__isnull=True,
        call__state=State.OPEN,
        call__closes_at__gt=now,
        call__closes_at__lte=now + dt.timedelta(days=2),
    ).select_related("call", "nominee", "nominee__user")
    for candidacy in due:
        with transaction.atomic():
            queue_mail(
                "closing_soon",
                _email(candidacy.nominee),
                {"call": candidacy.call, "person": candidacy.nominee},
            )
            candidacy.reminded_at = now
            candidacy.save(update_fields=["reminded_at"])
        reminded += 1
    return {"closed": closed, "reminded": reminded}

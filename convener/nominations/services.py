"""Every step of a call, as one function each. Views, admin, API and CLI call these; each
validates, writes in one transaction, records who did it, and queues the mail it causes."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from convener.mail.services import queue_mail
from convener.org import services as org_services
from convener.org.models import Appointment, OrgUnit, Position
from convener.people.models import Membership, Person

from .models import Call, CallEvent, Candidacy, ConflictDeclaration, Nomination, Score

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


@transaction.atomic
def transition(
    call: Call, to_state: str, *, by=None, reason: str = "", closes_at: dt.datetime | None = None
) -> Call:
    """Move a call to ``to_state`` if the state machine allows it, recording who and why."""
    call = _lock(call)
    if not call.can_move_to(to_state):
        raise ValidationError(
            {
                "state": f"A call cannot go from “{call.get_state_display()}” "
                f"to “{State(to_state).label}”."
            }
        )
    if (call.state, to_state) in Call.NEEDS_REASON and not reason.strip():
        raise ValidationError({"reason": "Give the reason for this change; it is recorded."})
    now = timezone.now()
    if to_state == State.OPEN:
        if closes_at is not None:
            call.closes_at = closes_at
        if call.closes_at <= now:
            raise ValidationError({"closes_at": "The closing date has passed; set a later one."})
        if call.state == State.DRAFT:  # what is published is frozen from here on
            call.mandate = call.position.mandate
            call.requirements = call.position.requirements
    previous = call.state
    call.state = to_state
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


@transaction.atomic
def nominate(call: Call, nominee: Person, nominator: Person, statement: str) -> Candidacy:
    """Put ``nominee`` forward. A second nomination of the same person joins the existing
    candidacy as another supporter. Self-nomination counts as consent."""
    call = _lock(call)
    if not call.accepting_nominations:
        raise ValidationError(
            {
                "call": "This call is not open for nominations "
                f"(it is {call.get_state_display().lower()}"
                f"{', past its deadline' if call.state == State.OPEN else ''})."
            }
        )
    if not statement.strip():
        raise ValidationError({"statement": "Say why you nominate this person."})
    _check_nominee(call, nominee)
    candidacy, created = Candidacy.objects.get_or_create(call=call, nominee=nominee)
    if not created and candidacy.state in {CState.DECLINED, CState.WITHDRAWN}:
        if candidacy.do_not_renominate or candidacy.state == CState.WITHDRAWN:
            raise ValidationError(
                {"nominee": f"{nominee} has asked not to be nominated again for this call."}
            )
        candidacy.state = CState.AWAITING_CONSENT
    is_self = nominee.pk == nominator.pk
    if is_self and candidacy.state == CState.AWAITING_CONSENT:
        candidacy.state = CState.CONSENTED
        candidacy.consented_at = timezone.now()
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
    if created and not is_self:
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
    candidacy.state = CState.CONSENTED
    candidacy.consented_at = candidacy.consented_at or timezone.now()
    candidacy.statement = statement.strip()
    candidacy.cv_url = cv_url.strip()
    candidacy.full_clean(exclude=["call", "nominee"])
    candidacy.save()
    return candidacy


@transaction.atomic
def decline(candidacy: Candidacy, person: Person, *, do_not_renominate: bool = False) -> Candidacy:
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
    candidacy.shortlisted = candidacy.recommended = False
    candidacy.save()
    return candidacy


def _reviewer_check(candidacy: Candidacy, reviewer: Person, *, states) -> None:
    candidacy.call = Call.objects.get(pk=candidacy.call_id)  # the state as it is now
    candidacy.refresh_from_db(fields=["state"])
    if candidacy.call.state not in states:
        raise ValidationError({"call": "The committee works on a call once it has closed."})
    if not sits_on(reviewer, candidacy.call.committee_id):
        raise PermissionDenied("Only members of the call's committee review it.")


@transaction.atomic
def declare_conflict(
    candidacy: Candidacy, reviewer: Person, *, conflicted: bool, explanation: str = ""
) -> ConflictDeclaration:
    """Declared once per candidate, before seeing anything; a conflict means recusal."""
    _reviewer_check(candidacy, reviewer, states={State.CLOSED, State.REVIEW})
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
    return ConflictDeclaration.objects.filter(
        candidacy=candidacy, reviewer=reviewer, conflicted=False
    ).exists()


@transaction.atomic
def score(
    candidacy: Candidacy, reviewer: Person, *, requirement: int, value: int, comment: str = ""
) -> Score:
    """Score one published requirement, 1 to 5. Needs a declaration of no conflict."""
    _reviewer_check(candidacy, reviewer, states={State.REVIEW})
    if candidacy.state not in {CState.CONSENTED}:
        raise ValidationError({"candidacy": "Only consenting candidates are reviewed."})
    if not may_see(candidacy, reviewer):
        raise ValidationError(
            {
                "conflicted": "Declare whether you have a conflict of interest "
                "with this candidate before reviewing."
            }
        )
    if not 0 <= requirement < len(candidacy.call.requirement_list()):
        raise ValidationError({"requirement": "No such requirement in this call."})
    if not 1 <= int(value) <= 5:
        raise ValidationError({"score": "A score is from 1 to 5."})
    row, _ = Score.objects.update_or_create(
        candidacy=candidacy,
        reviewer=reviewer,
        requirement=requirement,
        defaults={"score": int(value), "comment": comment.strip()},
    )
    return row


@transaction.atomic
def recommend(
    call: Call,
    reviewer: Person,
    *,
    shortlist: list[Candidacy],
    recommended: list[Candidacy],
    text: str,
) -> Call:
    """The committee's shortlist and recommendation to management."""
    call = _lock(call)
    if call.state != State.REVIEW:
        raise ValidationError({"call": "Recommendations are made while the call is in review."})
    if not sits_on(reviewer, call.committee_id):
        raise PermissionDenied("Only members of the call's committee recommend.")
    active = {c.pk: c for c in call.candidacies.filter(state=CState.CONSENTED)}
    for c in [*shortlist, *recommended]:
        if c.pk not in active:
            raise ValidationError({"shortlist": f"{c.nominee} is not a consenting candidate."})
        if not may_see(c, reviewer):
            raise ValidationError(
                {"shortlist": f"You are recused from, or have not declared on, {c.nominee}."}
            )
    if not text.strip():
        raise ValidationError({"recommendation": "Write the recommendation."})
    call.candidacies.update(shortlisted=False, recommended=False)
    call.candidacies.filter(pk__in=[c.pk for c in shortlist]).update(shortlisted=True)
    call.candidacies.filter(pk__in=[c.pk for c in recommended]).update(
        recommended=True, shortlisted=True
    )
    call.recommendation = text.strip()
    call.save()
    return call


@transaction.atomic
def decide(
    call: Call, *, appointed: list[Candidacy], rationale: str, start: dt.date, by=None
) -> list[Appointment]:
    """Record the decision: appoint the chosen candidates (terms computed by the registry),
    mark the others not appointed, publish the outcome, and tell everyone concerned."""
    call = _lock(call)
    if call.state != State.REVIEW:
        raise ValidationError({"state": "Only a call in review can be decided."})
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
    previous = call.state
    call.state = State.DECIDED
    call.rationale = rationale.strip()
    call.decided_at = timezone.now()
    call.save()
    CallEvent.objects.create(
        call=call, from_state=previous, to_state=State.DECIDED, by=by, reason=rationale.strip()
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

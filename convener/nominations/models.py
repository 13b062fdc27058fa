"""Open calls for nominations: from a published mandate to a recorded appointment.

State changes go through :mod:`convener.nominations.services`; the models hold the rules
that every path must respect (legal transitions, who may see what).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from convener.org.models import OrgUnit, Position
from convener.people.models import Person


def _interest_in_call(person: Person, *, pending: bool = False):
    """A subquery condition: ``person`` has a stake in the call of the outer row.

    The rule (issue 15, items 2-3; written here once): a person has a stake in a call when
    they are, or nominated, a *live* candidate of it. Live means consented (or appointed or
    not appointed once decided). A nomination still awaiting the nominee's answer is live
    only while the call is open, since only then can it become a candidacy; once the call
    has closed an unanswered nomination lapses, and its nominee reviews, manages and decides
    as anyone else. A nomination that was declined, or a candidacy withdrawn, is no stake of
    the nominee's.

    While the call is open, whoever nominated someone else has a stake whatever the answer:
    a nomination of someone who asked not to be nominated again is recorded quietly, and the
    nominator must not learn that from being recused or not (issue 15, item 4). At the close
    only the nominators of live candidates keep it.

    ``pending`` counts what only an open call counts, whatever the call's state (reopening a
    call would let its unanswered nominations be answered again). So nominating people can
    never take a call out of everyone's hands: the nominees decline, or simply let the call
    close, and a nominator is recused for good only if their nominee stands.
    """
    live = Q(state__in=[Candidacy.State.CONSENTED, *Candidacy.DECIDED_STATES])
    if pending:
        live |= Q(state=Candidacy.State.AWAITING_CONSENT)
    else:
        live |= Q(state=Candidacy.State.AWAITING_CONSENT, call__state=Call.State.OPEN)
    nominated = Exists(Nomination.objects.filter(candidacy=OuterRef("pk"), nominator=person))
    stake = Q(
        Exists(Candidacy.objects.filter(live, Q(nominee=person) | nominated, call=OuterRef("pk")))
    )
    nominated_another = Q(
        Exists(
            Nomination.objects.filter(candidacy__call=OuterRef("pk"), nominator=person).exclude(
                candidacy__nominee=person
            )
        )
    )
    if pending:
        return stake | nominated_another
    return stake | (nominated_another & Q(state=Call.State.OPEN))


def _review_act_in_call(person: Person):
    """A subquery condition: ``person`` took part in the committee's review of the call of
    the outer row (declared on a candidate, scored, voted or recommended)."""
    return (
        Exists(ConflictDeclaration.objects.filter(candidacy__call=OuterRef("pk"), reviewer=person))
        | Exists(Score.objects.filter(candidacy__call=OuterRef("pk"), reviewer=person))
        | Exists(Vote.objects.filter(candidacy__call=OuterRef("pk"), reviewer=person))
        | Exists(Recommendation.objects.filter(call=OuterRef("pk"), made_by=person))
    )


def _reader(user) -> tuple[Person | None, bool, bool]:
    """``user``'s registry person, whether they are a manager, and a committee member."""
    from convener.core.permissions import person_of
    from convener.core.roles import Role, has_role

    return (
        person_of(user),
        has_role(user, Role.MANAGER),
        has_role(user, Role.COMMITTEE_MEMBER),
    )


def _managed_calls(person: Person | None):
    """Calls a manager may see the inside of: all but those they are a candidate or a
    nominator in (they are recused from those)."""
    return Call.objects.without_interest_of(person).values("pk")


def _reviewed_calls(person: Person | None):
    """Calls ``person`` reviews: closed, in review or decided, reviewed by a committee they
    sit on, and in which they are neither a candidate nor a nominator."""
    return (
        Call.objects.filter(state__in=[Call.State.CLOSED, Call.State.REVIEW, Call.State.DECIDED])
        .for_committee_member(person)
        .without_interest_of(person)
        .values("pk")
    )


def _declared_none(person: Person | None, candidacy_ref: str = "candidacy"):
    """A subquery condition: ``person`` declared no conflict with the outer row's candidate."""
    return Exists(
        ConflictDeclaration.objects.filter(
            candidacy=OuterRef(candidacy_ref), reviewer=person, conflicted=False
        )
    )


class CallQuerySet(models.QuerySet):
    def public(self):
        """Calls anyone may read: those that were published (opened) once. A draft, and a
        draft cancelled before it ever opened, are never public."""
        return self.filter(published_at__isnull=False).exclude(state=Call.State.DRAFT)

    def visible_to(self, user):
        """What ``user`` may read of calls: managers every call, drafts included; everyone
        else the public ones. Pages, the API and the feeds all use this."""
        from convener.core.roles import Role, has_role

        return self if has_role(user, Role.MANAGER) else self.public()

    def for_committee_member(self, person: Person | None):
        """Calls reviewed by a committee the person currently sits on."""
        if person is None:
            return self.none()
        from convener.org.models import Appointment

        sits = Appointment.objects.current().filter(
            person=person, position__unit=OuterRef("committee")
        )
        return self.filter(Exists(sits))

    def with_interest_of(self, person: Person | None, *, pending: bool = False):
        """Calls in which ``person`` has a stake (see ``_interest_in_call``): they may
        neither review nor manage nor decide them."""
        if person is None:
            return self.none()
        return self.filter(_interest_in_call(person, pending=pending))

    def without_interest_of(self, person: Person | None):
        """Calls in which ``person`` has no stake."""
        if person is None:
            return self
        return self.exclude(_interest_in_call(person))

    def reviewed_by(self, person: Person | None):
        """Calls whose review material ``person`` has seen or shaped: they may neither stand
        nor nominate in them, even if the call is reopened."""
        if person is None:
            return self.none()
        return self.filter(_review_act_in_call(person))

    def to_review_by(self, person: Person | None):
        """Calls ``person`` must review now: closed or in review, reviewed by a committee
        they sit on, and in which they are not a candidate or nominator."""
        return (
            self.filter(state__in=[Call.State.CLOSED, Call.State.REVIEW])
            .for_committee_member(person)
            .without_interest_of(person)
        )

    def to_decide_by(self, user):
        """Calls in review that ``user`` (a manager linked to a registry person) may decide:
        not those in which they have a stake, nor those in which they declared a conflict
        with a candidate as a member of the committee."""
        from convener.core.permissions import person_of
        from convener.core.roles import Role, has_role

        person = person_of(user)
        if person is None or not has_role(user, Role.MANAGER):
            return self.none()
        conflicted = ConflictDeclaration.objects.filter(
            candidacy__call=OuterRef("pk"), reviewer=person, conflicted=True
        )
        return (
            self.filter(state=Call.State.REVIEW)
            .without_interest_of(person)
            .exclude(Exists(conflicted))
        )


class Call(models.Model):
    """A published call for nominations to (some seats of) a position. The mandate and the
    requirements are copied when the call opens: later edits to the position never change
    what a call published."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for nominations")
        CLOSED = "closed", _("Closed")
        REVIEW = "review", _("In review")
        DECIDED = "decided", _("Decided")
        CANCELLED = "cancelled", _("Cancelled")

    class Eligibility(models.TextChoices):
        MEMBERS = "members", _("Current members of the collaboration")
        ANYONE = "anyone", _("Anyone in the registry")

    # The moves a manager may make by hand. "Decided" is deliberately absent: a call is
    # decided only by recording the decision (see ``services.decide``), which appoints,
    # settles every candidacy and tells the candidates; a database constraint refuses a
    # decided call without a decision's date and rationale, whatever path writes it.
    TRANSITIONS = {
        State.DRAFT: {State.OPEN, State.CANCELLED},
        State.OPEN: {State.CLOSED, State.CANCELLED},
        State.CLOSED: {State.REVIEW, State.OPEN, State.CANCELLED},
        State.REVIEW: {State.CANCELLED},
        State.DECIDED: set(),
        State.CANCELLED: set(),
    }
    NEEDS_REASON = {
        (State.CLOSED, State.OPEN),
        (State.DRAFT, State.CANCELLED),
        (State.OPEN, State.CANCELLED),
        (State.CLOSED, State.CANCELLED),
        (State.REVIEW, State.CANCELLED),
    }

    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="calls")
    seats = models.PositiveSmallIntegerField(_("seats to fill"), default=1)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    title = models.CharField(_("title"), max_length=250)
    mandate = models.TextField(_("mandate as published"), blank=True)
    requirements = models.TextField(_("requirements as published"), blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    eligibility = models.CharField(
        max_length=10, choices=Eligibility.choices, default=Eligibility.MEMBERS
    )
    committee = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="calls",
        limit_choices_to={"kind": OrgUnit.Kind.COMMITTEE},
        verbose_name=_("advisory committee"),
    )
    published_at = models.DateTimeField(
        _("first opened"),
        null=True,
        blank=True,
        help_text=_("When the call was first opened; a call never opened is never public."),
    )
    rationale = models.TextField(_("decision rationale"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    # The deciding manager's declaration, made with the decision. Null for calls decided
    # before deciders were asked: unknown, not "no conflict".
    decider_no_conflict = models.BooleanField(
        _("the deciding manager declared no conflict of interest"), null=True, blank=True
    )
    decider_disclosure = models.TextField(
        _("relations the deciding manager put on record"), blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CallQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-closes_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="call_seats_at_least_one"),
            models.CheckConstraint(
                condition=~Q(state="decided") | (Q(decided_at__isnull=False) & ~Q(rationale="")),
                name="call_decided_only_with_a_decision",
                violation_error_message=_(
                    "A call is decided only by recording the decision, with its rationale."
                ),
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "cancelled"]) | Q(published_at__isnull=False),
                name="call_published_once_opened",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("nominations:call", args=[self.pk])

    def can_move_to(self, state: str) -> bool:
        return state in self.TRANSITIONS[self.state]

    def closes_early(self, to_state: str, now=None) -> bool:
        """Closing before the published deadline: it needs a reason and a confirmation."""
        now = now or timezone.now()
        return (
            self.state == self.State.OPEN and to_state == self.State.CLOSED and now < self.closes_at
        )

    def check_move(self, to_state: str, *, reason: str = "", now=None) -> None:
        """The state machine: raise ``ValidationError`` (on ``state`` or ``reason``) unless a
        manager may move this call to ``to_state`` now."""
        if to_state == self.State.DECIDED:
            raise ValidationError(
                {
                    "state": "A call is decided only by recording the decision: the rationale, "
                    "the appointments and the deciding manager's declaration."
                }
            )
        if not self.can_move_to(to_state):
            raise ValidationError(
                {
                    "state": f"A call cannot go from “{self.get_state_display()}” "
                    f"to “{self.State(to_state).label}”."
                }
            )
        needs_reason = (self.state, to_state) in self.NEEDS_REASON or self.closes_early(
            to_state, now
        )
        if needs_reason and not reason.strip():
            raise ValidationError({"reason": "Give the reason for this change; it is recorded."})

    def has_interest(self, person: Person | None, *, pending: bool = False) -> bool:
        """Whether ``person`` has a stake in this call (see ``_interest_in_call``)."""
        if person is None:
            return False
        return Call.objects.filter(pk=self.pk).with_interest_of(person, pending=pending).exists()

    def was_reviewed_by(self, person: Person | None) -> bool:
        """Whether ``person`` took part in the committee's review of this call."""
        if person is None:
            return False
        return Call.objects.filter(pk=self.pk).reviewed_by(person).exists()

    def conflicted_candidacies(self, person: Person | None):
        """The candidacies of this call with which ``person`` declared a conflict of
        interest (as a member of its committee): they see nothing of them, even as a
        manager, and may not decide the call."""
        if person is None:
            return Candidacy.objects.none()
        return self.candidacies.filter(conflicts__reviewer=person, conflicts__conflicted=True)

    @property
    def not_yet_open(self) -> bool:
        """Published as open, but its opening time is still ahead."""
        return self.state == self.State.OPEN and timezone.now() < self.opens_at

    @property
    def accepting_nominations(self) -> bool:
        now = timezone.now()
        return self.state == self.State.OPEN and self.opens_at <= now < self.closes_at

    def latest_recommendation(self) -> Recommendation | None:
        """The committee's recommendation in force: the most recent one recorded (with its
        author and the candidates it names, fetched at once)."""
        return self._recommendations().first()

    def recommendation_acts(self) -> list[Recommendation]:
        """Every recommendation the committee's members recorded, the latest first, each
        with its author and the candidates it names: a manager reads them all, not only
        the one recorded last."""
        return list(self._recommendations())

    def _recommendations(self):
        """The recommendations recorded, the latest first, with author and named candidates."""
        return (
            self.recommendations.select_related("made_by")
            .prefetch_related(
                models.Prefetch(
                    "entries",
                    queryset=RecommendationEntry.objects.select_related("candidacy__nominee"),
                )
            )
            .order_by("-made_at", "-id")
        )

    def requirement_list(self) -> list[str]:
        """The published requirements, one per Markdown list item (or the whole text)."""
        items = [
            line.strip()[2:].strip()
            for line in self.requirements.splitlines()
            if line.strip().startswith(("- ", "* "))
        ]
        if items:
            return items
        return [self.requirements.strip()] if self.requirements.strip() else ["Overall fit"]


class CallEvent(models.Model):
    """One state change of a call: who moved it, when, and why."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=10, choices=Call.State.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=Call.State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.call}: {self.from_state or '-'} → {self.to_state}"


# the states of the candidacies a committee reviews: consented, then appointed or not
BEFORE_COMMITTEE = ("consented", "appointed", "not_appointed")


class CandidacyQuerySet(models.QuerySet):
    def publishable(self):
        """Candidacies that may ever be named in public: only the appointed ones."""
        return self.filter(state=Candidacy.State.APPOINTED)

    def awaiting_consent_of(self, person: Person | None):
        """Nominations of ``person`` that await their answer in a call still taking them."""
        if person is None:
            return self.none()
        now = timezone.now()
        return self.filter(
            nominee=person,
            state=Candidacy.State.AWAITING_CONSENT,
            call__state=Call.State.OPEN,
            call__closes_at__gt=now,
        )

    def visible_to(self, user):
        """The candidacies ``user`` may see. Everyone: the appointed (named when the call is
        decided). The nominee: their own; a nominator: those they support. A committee
        member: those before the committee in the calls they review. A manager: every
        candidacy of the calls they are not recused from. Pages, the API and the admin all
        read candidacies through this."""
        person, manager, committee = _reader(user)
        rule = Q(state=Candidacy.State.APPOINTED, call__published_at__isnull=False)
        if person is not None:
            rule |= Q(nominee=person)
            rule |= Exists(Nomination.objects.filter(candidacy=OuterRef("pk"), nominator=person))
            if committee:
                rule |= Q(call__in=_reviewed_calls(person), state__in=BEFORE_COMMITTEE)
        if manager:
            rule |= Q(call__in=_managed_calls(person))
        return self.filter(rule)

    def before_committee(self):
        """Candidacies the committee reviews: consented, not withdrawn or declined."""
        return self.filter(state__in=BEFORE_COMMITTEE)


class NominationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Statements of support are never public: the nominator reads their own; a
        committee member those on the candidates they review and declared no conflict with.
        (Managers decide on the committee's recommendation, not on the statements.)"""
        person, _manager, committee = _reader(user)
        if person is None:
            return self.none()
        rule = Q(nominator=person)
        if committee:
            rule |= Q(
                candidacy__call__in=_reviewed_calls(person),
                candidacy__state__in=BEFORE_COMMITTEE,
            ) & _declared_none(person)
        return self.filter(rule)


class ReviewActQuerySet(models.QuerySet):
    """Conflict declarations, scores and votes: each reviewer's own act on one candidate."""

    # whether the committee members who may see a candidate read each other's acts of this
    # kind (votes: the tally; declarations and scores: never)
    shared_with_committee = False

    def visible_to(self, user):
        """A reviewer reads their own acts; a manager every act in the calls they are not
        recused from (the manage page shows means, counts of recusals and the tally); a
        committee member who may see a candidate reads the others' votes on them."""
        person, manager, committee = _reader(user)
        rule = Q(pk__in=[])
        if person is not None:
            rule |= Q(reviewer=person)
            if committee and self.shared_with_committee:
                rule |= Q(
                    candidacy__call__in=_reviewed_calls(person),
                    candidacy__state__in=BEFORE_COMMITTEE,
                ) & _declared_none(person)
        if manager:
            rule |= Q(candidacy__call__in=_managed_calls(person))
        return self.filter(rule)


class VoteQuerySet(ReviewActQuerySet):
    shared_with_committee = True


class RecommendationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The committee's recommendation discusses every candidate: a committee member
        reads it when they review the call and declared no conflict with any consenting
        candidate; a manager when they are not recused from the call."""
        person, manager, committee = _reader(user)
        rule = Q(pk__in=[])
        if person is not None and committee:
            unseen = Candidacy.objects.filter(
                call=OuterRef("call"), state=Candidacy.State.CONSENTED
            ).exclude(_declared_none(person, "pk"))
            rule |= Q(call__in=_reviewed_calls(person)) & ~Exists(unseen)
        if manager:
            rule |= Q(call__in=_managed_calls(person))
        return self.filter(rule)


class Candidacy(models.Model):
    """A person put forward for a call, by one or more supporters (duplicates merge here)."""

    class State(models.TextChoices):
        AWAITING_CONSENT = "awaiting", _("Awaiting the nominee's consent")
        CONSENTED = "consented", _("Consented")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        APPOINTED = "appointed", _("Appointed")
        NOT_APPOINTED = "not_appointed", _("Not appointed")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="candidacies")
    nominee = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="candidacies")
    state = models.CharField(max_length=14, choices=State.choices, default=State.AWAITING_CONSENT)
    self_nominated = models.BooleanField(default=False)
    statement = models.TextField(_("nominee's statement (Markdown)"), blank=True)
    cv_url = models.URLField(_("CV link"), blank=True)
    do_not_renominate = models.BooleanField(
        _("do not nominate me again for this call"), default=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    consented_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = CandidacyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "candidacies"
        ordering = ["call", "nominee__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["call", "nominee"], name="one_candidacy_per_person")
        ]

    def __str__(self):
        return f"{self.nominee} for {self.call}"

    DECIDED_STATES = (State.APPOINTED, State.NOT_APPOINTED)

    @property
    def is_active(self) -> bool:
        return self.state in {self.State.AWAITING_CONSENT, self.State.CONSENTED}


class Nomination(models.Model):
    """One supporter's nomination of a candidacy, with their statement. Never public."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="nominations")
    nominator = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="nominations_made")
    statement = models.TextField(_("statement of support (Markdown)"))
    created_at = models.DateTimeField(default=timezone.now)

    objects = NominationQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["candidacy", "nominator"], name="one_nomination_each")
        ]

    def __str__(self):
        return f"{self.nominator} supports {self.candidacy}"


class ConflictDeclaration(models.Model):
    """A committee member's declaration, per candidate, made before seeing any material."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="conflicts")
    reviewer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="conflicts")
    conflicted = models.BooleanField(_("I have a conflict of interest"))
    explanation = models.TextField(blank=True)
    declared_at = models.DateTimeField(default=timezone.now)

    objects = ReviewActQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidacy", "reviewer"], name="one_declaration_each")
        ]

    def __str__(self):
        return f"{self.reviewer} on {self.candidacy}: {'conflict' if self.conflicted else 'none'}"


class Score(models.Model):
    """One reviewer's score and comment on one published requirement for one candidate."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="scores")
    requirement = models.PositiveSmallIntegerField(help_text="Index in the call's requirements")
    score = models.PositiveSmallIntegerField(choices=[(i, str(i)) for i in range(1, 6)])
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewActQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["candidacy", "requirement"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidacy", "reviewer", "requirement"], name="one_score_per_requirement"
            ),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="score_1_to_5"),
        ]

    def __str__(self):
        return f"{self.reviewer} scored {self.candidacy}: {self.score}"


class Vote(models.Model):
    """One committee member's own view of one candidate, recorded under their name. A vote
    never touches another member's vote; the committee speaks through a ``Recommendation``."""

    class Choice(models.TextChoices):
        RECOMMEND = "recommend", _("Recommend for appointment")
        SHORTLIST = "shortlist", _("Shortlist, but do not recommend")
        NO = "no", _("Do not shortlist")

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="votes")
    reviewer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(_("your vote"), max_length=10, choices=Choice.choices)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VoteQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["candidacy", "reviewer"]
        constraints = [
            models.UniqueConstraint(fields=["candidacy", "reviewer"], name="one_vote_each")
        ]

    def __str__(self):
        return f"{self.reviewer} on {self.candidacy}: {self.choice}"


class Recommendation(models.Model):
    """The committee's shortlist and recommendation to management, as one explicit act by a
    named member who is recused from no candidate. Acts are never overwritten: a later one
    supersedes an earlier one, and both stay on record."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="recommendations")
    made_by = models.ForeignKey(
        Person,
        null=True,  # only for recommendations recorded before acts were attributed
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations_made",
    )
    made_at = models.DateTimeField(default=timezone.now)
    text = models.TextField(_("the committee's recommendation"))

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["call", "made_at", "id"]

    def __str__(self):
        return f"Recommendation on {self.call} by {self.made_by or 'unknown'}"

    def shortlisted(self) -> list[Candidacy]:
        """Every candidate this act names: the shortlist, the recommended included."""
        return [e.candidacy for e in self.entries.all()]

    def recommended(self) -> list[Candidacy]:
        """The candidates this act recommends for appointment."""
        return [e.candidacy for e in self.entries.all() if e.recommended]


class RecommendationEntry(models.Model):
    """One candidate named by a recommendation: shortlisted, and perhaps recommended."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="entries"
    )
    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="recommendation_entries"
    )
    recommended = models.BooleanField(_("recommended for appointment"), default=False)

    class Meta:
        ordering = ["recommendation", "candidacy__nominee__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "candidacy"], name="one_entry_per_candidate"
            )
        ]

    def __str__(self):
        return f"{self.candidacy} in {self.recommendation}"

"""Open calls for nominations: from a published mandate to a recorded appointment.

State changes go through :mod:`convener.nominations.services`; the models hold the rules
that every path must respect (legal transitions, who may see what).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from convener.org.models import OrgUnit, Position
from convener.people.models import Person


class CallQuerySet(models.QuerySet):
    def public(self):
        """Calls anyone may read: published ones (not drafts, not cancelled before opening)."""
        return self.filter(state__in=Call.PUBLIC_STATES)

    def for_committee_member(self, person: Person | None):
        """Calls reviewed by a committee the person currently sits on."""
        if person is None:
            return self.none()
        from convener.org.models import Appointment

        sits = Appointment.objects.current().filter(
            person=person, position__unit=OuterRef("committee")
        )
        return self.filter(Exists(sits))


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

    TRANSITIONS = {
        State.DRAFT: {State.OPEN, State.CANCELLED},
        State.OPEN: {State.CLOSED, State.CANCELLED},
        State.CLOSED: {State.REVIEW, State.OPEN, State.CANCELLED},
        State.REVIEW: {State.DECIDED, State.CANCELLED},
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
    PUBLIC_STATES = [State.OPEN, State.CLOSED, State.REVIEW, State.DECIDED, State.CANCELLED]

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
    recommendation = models.TextField(_("committee recommendation"), blank=True)
    rationale = models.TextField(_("decision rationale"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
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
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("nominations:call", args=[self.pk])

    def can_move_to(self, state: str) -> bool:
        return state in self.TRANSITIONS[self.state]

    @property
    def accepting_nominations(self) -> bool:
        now = timezone.now()
        return self.state == self.State.OPEN and self.opens_at <= now < self.closes_at

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


class CandidacyQuerySet(models.QuerySet):
    def publishable(self):
        """Candidacies that may ever be named in public: only the appointed ones."""
        return self.filter(state=Candidacy.State.APPOINTED)

    def before_committee(self):
        """Candidacies the committee reviews: consented, not withdrawn or declined."""
        return self.filter(
            state__in=[
                Candidacy.State.CONSENTED,
                Candidacy.State.APPOINTED,
                Candidacy.State.NOT_APPOINTED,
            ]
        )


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
    shortlisted = models.BooleanField(default=False)
    recommended = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    consented_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = CandidacyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "candidacies"
        ordering = ["call", "nominee__sort_name"]
        constraints = [
            models.UniqueConstraint(fields=["call", "nominee"], name="one_candidacy_per_person")
        ]

    def __str__(self):
        return f"{self.nominee} for {self.call}"

    @property
    def is_active(self) -> bool:
        return self.state in {self.State.AWAITING_CONSENT, self.State.CONSENTED}


class Nomination(models.Model):
    """One supporter's nomination of a candidacy, with their statement. Never public."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="nominations")
    nominator = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="nominations_made")
    statement = models.TextField(_("statement of support (Markdown)"))
    created_at = models.DateTimeField(default=timezone.now)

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

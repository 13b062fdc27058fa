"""Voluntary self-identification. Answers are stored encrypted, readable by the person alone;
only aggregates computed in memory ever leave (see ``disclosure``). There is no audit
history of the answers themselves: erasure is a real delete, and ``SelfIdEvent`` records that
something happened, never what was answered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convener.people.models import Person


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Choose one")
        MULTI = "multi", _("Choose all that apply")

    key = models.SlugField(unique=True)
    text = models.CharField(max_length=300)
    help = models.TextField(blank=True)
    kind = models.CharField(max_length=6, choices=Kind.choices)
    invisible = models.BooleanField(
        default=False, help_text=_("An “invisible” attribute: never published as 0% or 100%")
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "key"]

    def __str__(self):
        return self.text


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    key = models.SlugField()
    label = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    prefer_not = models.BooleanField(default=False, help_text=_("“Prefer not to say”"))
    self_describe = models.BooleanField(default=False, help_text=_("Asks for a free-text term"))

    class Meta:
        ordering = ["question", "order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="one_option_key_per_question")
        ]

    def __str__(self):
        return f"{self.question.key}: {self.label}"


class ConsentText(models.Model):
    version = models.PositiveSmallIntegerField(unique=True)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"Consent text v{self.version}"


class SelfIdentificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Nobody but the person reads self-identification: only the record of the person
        linked to ``user`` (no role, staff or superuser sees anyone else's). The answers
        inside are read only when they were also given from this very account
        (``services.read``)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(person__user=user)


class SelfIdentification(models.Model):
    """One person's answers, encrypted (Fernet); the consent they gave with its version.
    The encrypted record also holds the id of the account that gave them and the address the
    person had then: only that account reads them (``services.read``)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="self_id")
    ciphertext = models.TextField()
    consent = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="+")
    consented_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = SelfIdentificationQuerySet.as_manager()

    def __str__(self):
        return f"Self-identification of person {self.person_id} (encrypted)"


class SelfIdEvent(models.Model):
    """That a person consented, changed, withdrew or erased, and when. Never the answers."""

    class Kind(models.TextChoices):
        CONSENTED = "consented", _("Consented and answered")
        UPDATED = "updated", _("Changed answers")
        ERASED = "erased", _("Withdrew consent and erased answers")
        RELINKED = "relinked", _("The record was linked to another account")
        SEALED = "sealed", _("Staff changed the account's sign-in; answers sealed")
        CONFIRMED = "confirmed", _("Confirmed by the person from their account")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    consent_version = models.PositiveSmallIntegerField(null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d})"


class Goal(models.Model):
    """A target share of an attribute at a level for a year (optionally only among the seats
    that allocate resources), recorded by management against the published review of the
    year before, whose share it keeps as the baseline."""

    level = models.CharField(max_length=20, help_text=_("A level of the review chain"))
    question = models.SlugField()
    option = models.SlugField()
    year = models.PositiveSmallIntegerField()
    target = models.DecimalField(
        max_digits=4, decimal_places=3, help_text=_("Target share, e.g. 0.250")
    )
    resource_allocating_only = models.BooleanField(default=False)
    set_against = models.ForeignKey(
        "Review",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="goals_set",
        help_text=_("The published review the goal was set against"),
    )
    baseline = models.FloatField(
        null=True, blank=True, help_text=_("The share in that published review, when shown")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["year", "level", "question", "option"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "question", "option", "year", "resource_allocating_only"],
                name="one_goal_per_scope",
            ),
            models.CheckConstraint(
                condition=models.Q(target__gte=0, target__lte=1), name="goal_target_is_a_share"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.level}: {self.question}={self.option} ≥ {self.target}"


class ReviewLevel(models.Model):
    """One level of the review's chain, from the base up. A level is the holders of positions
    of the given position levels on the reference date, or, with none given, the members of
    the collaboration. Each link says explicitly whom the level is chosen from."""

    class Pool(models.TextChoices):
        MEMBERS = "members", _("All members on the day of each appointment")
        ELIGIBLE = "eligible", _("People who held the level below within the last N years")

    order = models.PositiveSmallIntegerField(unique=True)
    key = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    short = models.CharField(max_length=30)
    position_levels = models.JSONField(
        default=list, blank=True, help_text=_('e.g. ["L1", "top", "board"]; empty for the members')
    )
    pool = models.CharField(max_length=10, choices=Pool.choices, default=Pool.MEMBERS)
    pool_years = models.PositiveSmallIntegerField(
        default=5, help_text=_("N, for the eligible pool: held the level below within N years")
    )

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.name


class ReviewYear(models.Model):
    """The day of a year's snapshot (1 July unless set here)."""

    year = models.PositiveSmallIntegerField(unique=True)
    reference_date = models.DateField()

    class Meta:
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}: {self.reference_date}"


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The diversity officer reads every version (queued, drafts, discarded, published);
        members and managers the published ones, each as its frozen snapshot; nobody else
        any. Every review page and download reads reviews through this."""
        from convener.core.roles import Role, has_role

        if has_role(user, Role.DIVERSITY_OFFICER):
            return self
        if has_role(user, Role.MEMBER) or has_role(user, Role.MANAGER):
            return self.filter(state=Review.State.PUBLISHED)
        return self.none()


class Review(models.Model):
    """One prepared version of a year's review. It is computed once, in the background
    (queued, running), read by the diversity officer as a confidential draft with
    commentary per level, and published: publication freezes the published tables, charts,
    commentary, method version and data date in ``snapshot``, which never changes again. A
    correction is a later version of the same year with a reason; both stay visible.

    ``confidential`` is encrypted with the self-identification keys: the officer's tables,
    the draft's published tables, and the rosters of the published cells that every later
    publication is checked against. ``pages`` (encrypted too) holds the same tables as
    rendered for the officer's pages and downloads, small enough to read on every view."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to be prepared")
        RUNNING = "running", _("Being prepared")
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        DISCARDED = "discarded", _("Discarded")

    year = models.PositiveSmallIntegerField()
    version = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    reference_date = models.DateField()
    strict = models.BooleanField(default=False, help_text=_("At least 11 answers per cell"))
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    reason = models.TextField(blank=True, help_text=_("Why this version corrects the last"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    data_as_of = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    method_version = models.CharField(max_length=20, blank=True)
    checked_against = models.JSONField(
        default=list, blank=True, help_text=_("Published versions this draft was checked against")
    )
    confidential = models.TextField(blank=True, editable=False)
    pages = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Encrypted, each on its own: the officer's and the preview's page and files",
    )
    commentary = models.JSONField(default=dict, blank=True)
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="one_review_version"),
            models.CheckConstraint(
                condition=models.Q(corrects__isnull=True) | ~models.Q(reason=""),
                name="a_correction_has_a_reason",
            ),
        ]

    def __str__(self):
        return f"Review {self.year} version {self.version} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING, self.State.DRAFT)


class ReviewEvent(models.Model):
    """The audit trail of a review: who asked for it, published or corrected it, and when."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("Preparation requested")
        PREPARED = "prepared", _("Prepared")
        FAILED = "failed", _("Preparation failed")
        COMMENTED = "commented", _("Commentary changed")
        PUBLISHED = "published", _("Published")
        DISCARDED = "discarded", _("Discarded")
        GOAL = "goal", _("Goal recorded")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d})"

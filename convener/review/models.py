"""Voluntary self-identification. Answers are stored encrypted, readable by the person alone;
only aggregates computed in memory ever leave (see ``disclosure``). There is no audit
history of the answers themselves: erasure is a real delete, and ``SelfIdEvent`` records that
something happened, never what was answered."""

from __future__ import annotations

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


class SelfIdentification(models.Model):
    """One person's answers, encrypted (Fernet); the consent they gave with its version.
    The encrypted record also holds the id of the account that gave them and the address the
    person had then: only that account reads them (``services.read``)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="self_id")
    ciphertext = models.TextField()
    consent = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="+")
    consented_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

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
    that allocate resources)."""

    level = models.CharField(max_length=20, help_text=_("A level of the review chain"))
    question = models.SlugField()
    option = models.SlugField()
    year = models.PositiveSmallIntegerField()
    target = models.DecimalField(
        max_digits=4, decimal_places=3, help_text=_("Target share, e.g. 0.250")
    )
    resource_allocating_only = models.BooleanField(default=False)

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
    """One level of the review's chain, from the base up: each level's pool is the level
    before it. A level is the holders of positions of the given position levels on the
    reference date, or, with none given, the members of the collaboration."""

    order = models.PositiveSmallIntegerField(unique=True)
    key = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    short = models.CharField(max_length=30)
    position_levels = models.JSONField(
        default=list, blank=True, help_text=_('e.g. ["L1", "top", "board"]; empty for the members')
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

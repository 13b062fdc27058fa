"""Leadership training: courses, who completed them when, and what each role requires."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from convener.core.dates import add_months
from convener.org.models import Position
from convener.people.models import Person


class Topic(models.TextChoices):
    MEETINGS = "meetings", _("Running meetings")
    CODE_OF_CONDUCT = "code_of_conduct", _("The code of conduct")
    VIOLATIONS = "violations", _("Handling code-of-conduct violations")
    INCLUSIVE = "inclusive", _("Inclusive leadership")
    MENTORING = "mentoring", _("Mentoring")
    PROJECT = "project", _("Project management")


class Course(models.Model):
    """A leadership course; a completion stays valid for ``validity_months`` (empty: always)."""

    title = models.CharField(_("title"), max_length=200, unique=True)
    provider = models.CharField(_("provider"), max_length=200)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def clean(self):
        unknown = [t for t in self.topics or [] if t not in Topic.values]
        if unknown:
            raise ValidationError({"topics": f"Unknown topic(s): {', '.join(unknown)}."})

    def topic_labels(self) -> list[str]:
        return [Topic(t).label for t in self.topics if t in Topic.values]


class CompletionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Managers see everyone's completions (they keep the records); anyone else signed
        in sees their own, nobody else's; anonymous visitors none."""
        from convener.core.roles import Role, has_role

        if has_role(user, Role.MANAGER):
            return self
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(person__user=user)


class Completion(models.Model):
    """A person completed a course on a day."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by a manager")
        IMPORT = "import", _("Imported")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="completions")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    completed_on = models.DateField(_("completed on"))
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)

    objects = CompletionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "course", "-completed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "course", "completed_on"], name="one_completion_per_day"
            ),
        ]

    def __str__(self):
        return f"{self.person} completed {self.course} on {self.completed_on}"

    @property
    def expires_on(self):
        if not self.course.validity_months:
            return None
        return add_months(self.completed_on, self.course.validity_months)

    def clean(self):
        if self.completed_on and self.completed_on > timezone.localdate():
            raise ValidationError({"completed_on": "A completion cannot be in the future."})


class Requirement(models.Model):
    """Holders of positions of a level (and role) must complete a course within some months
    of their appointment, e.g. every L2 manager needs the meetings course within 6 months."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="requirements")
    level = models.CharField(
        _("level"),
        max_length=10,
        choices=Position.Level.choices,
        blank=True,
        help_text=_("Empty: every level"),
    )
    role = models.CharField(
        _("role"),
        max_length=10,
        choices=Position.Role.choices,
        blank=True,
        help_text=_("Empty: every role"),
    )
    within_months = models.PositiveSmallIntegerField(
        _("within (months of appointment)"),
        default=6,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["course", "level", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "level", "role"], name="one_requirement_per_scope"
            ),
        ]

    def __str__(self):
        scope = " ".join(
            x
            for x in (
                self.get_level_display() if self.level else "",
                self.get_role_display() if self.role else "",
            )
            if x
        )
        return f"{scope or 'Every leader'}: {self.course} within {self.within_months} months"

    def applies_to(self, position: Position) -> bool:
        return (not self.level or self.level == position.level) and (
            not self.role or self.role == position.role
        )


class Reminder(models.Model):
    """A training reminder already sent, so each is sent once."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    due = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "course", "kind", "due"], name="one_reminder_each"
            ),
        ]

    def __str__(self):
        return f"{self.kind} reminder to {self.person} about {self.course}"

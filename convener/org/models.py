"""The leadership registry: the unit tree, its positions, and who held them when."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from convener.core.models import Interval, IntervalQuerySet
from convener.core.text import unique_slug
from convener.people.models import Person

validate_unit_order = RegexValidator(
    r"^[A-Za-z0-9]+(?:[.\- ][A-Za-z0-9]+)*$",
    _("Use numbers or letters separated by dots, e.g. 1.2.3 (a WBS number)."),
)


class OrgUnit(Interval):
    """A node of the organizational tree: the collaboration, an L1/L2 area, an L3 group, a board
    or an advisory committee. ``start``/``end`` say when it was created and retired."""

    class Kind(models.TextChoices):
        COLLABORATION = "collaboration", _("Collaboration")
        AREA = "area", _("Area")
        GROUP = "group", _("Group")
        BOARD = "board", _("Board")
        COMMITTEE = "committee", _("Advisory committee")

    class Level(models.IntegerChoices):
        TOP = 0, _("Collaboration")
        L1 = 1, _("L1")
        L2 = 2, _("L2")
        L3 = 3, _("L3")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    slug = models.SlugField(max_length=80, unique=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(
        _("level"),
        choices=Level.choices,
        null=True,
        blank=True,
        help_text=_("Depth in the management hierarchy; empty for boards and committees"),
    )
    description = models.TextField(_("description (Markdown)"), blank=True)
    order = models.CharField(
        _("order"),
        max_length=40,
        blank=True,
        validators=[validate_unit_order],
        help_text=_(
            "The collaboration's own order among sibling units, e.g. a WBS number such as "
            "1.2.3; compared number by number, so 1.10 follows 1.9. Units without one follow."
        ),
    )
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["level", "name"]
        verbose_name = "organizational unit"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("site:org") + f"#unit-{self.slug}"

    @property
    def order_key(self) -> tuple:
        """Sorts siblings by ``order``, number by number ("1.9" before "1.10", "1.2" before
        "1.2a"); units without an order come after those with one."""
        if not self.order:
            return (1, ())
        tokens = re.findall(r"\d+|[A-Za-z]+", self.order)
        return (0, tuple((0, int(t), "") if t.isdigit() else (1, 0, t.lower()) for t in tokens))

    def clean(self):
        super().clean()
        if self.parent_id is None:
            return
        node, seen = self.parent, {self.pk}
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": _("A unit cannot be inside itself.")})
            seen.add(node.pk)
            node = node.parent

    def set_order(self, order: str) -> bool:
        """Record the unit's place among its siblings (e.g. its WBS number), checked as the
        admin and the API check it; raises ``ValidationError`` naming ``order`` and saves
        nothing when it is malformed. Returns whether it changed."""
        if self.order == order:
            return False
        self.order = order
        self.clean_fields(exclude=[f.name for f in self._meta.fields if f.name != "order"])
        self.save()
        return True

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(OrgUnit, self.short_name or self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)


class Position(Interval):
    """A post in a unit, e.g. the L2 manager of Tracker Upgrade, with its mandate and terms.
    ``start``/``end`` say when the post was created and retired."""

    class Level(models.TextChoices):
        TOP = "top", _("Collaboration management")
        L1 = "L1", _("L1")
        L2 = "L2", _("L2")
        L3 = "L3", _("L3")
        BOARD = "board", _("Board")
        COMMITTEE = "committee", _("Committee")

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        CO_LEAD = "co_lead", _("Co-lead")
        DEPUTY = "deputy", _("Deputy")
        CHAIR = "chair", _("Chair")
        CO_CHAIR = "co_chair", _("Co-chair")
        MEMBER = "member", _("Member")
        SECRETARY = "secretary", _("Secretary")

    class Function(models.TextChoices):
        RESOURCES = "resources", _("Allocates resources (money, people)")
        ADVISORY = "advisory", _("Advisory")
        COMMUNITY = "community", _("Community-building")

    class FilledBy(models.TextChoices):
        CALL = "call", _("Call for nominations")
        ELECTION = "election", _("Election")
        EX_OFFICIO = "ex_officio", _("Ex officio")

    LEAD_ROLES = {Role.LEAD, Role.CO_LEAD, Role.CHAIR, Role.CO_CHAIR}

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="positions")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=80, unique=True, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    seats = models.PositiveSmallIntegerField(
        _("seats"), default=1, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    mandate = models.TextField(_("job mandate (Markdown)"), blank=True)
    requirements = models.TextField(_("requirements and skills (Markdown)"), blank=True)
    function = models.CharField(
        _("function"), max_length=10, choices=Function.choices, default=Function.RESOURCES
    )
    term_months = models.PositiveSmallIntegerField(
        _("term length (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    term_limit = models.PositiveSmallIntegerField(
        _("term limit (consecutive terms)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    deputizes_for = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deputies",
        verbose_name=_("deputy of"),
    )
    filled_by = models.CharField(
        _("filled by"), max_length=12, choices=FilledBy.choices, default=FilledBy.CALL
    )
    acting_counts_as_term = models.BooleanField(
        _("acting and interim appointments count as terms"), default=False
    )
    holdover_allowed = models.BooleanField(
        _("holder stays on after the term until a successor is appointed"), default=True
    )
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="position_seats_at_least_one"),
            models.CheckConstraint(
                condition=~Q(deputizes_for=models.F("id")), name="position_not_own_deputy"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("site:position", args=[self.slug])

    @property
    def allocates_resources(self) -> bool:
        return self.function == self.Function.RESOURCES

    @property
    def is_deputy(self) -> bool:
        return self.deputizes_for_id is not None

    def clean(self):
        super().clean()
        if self.role == self.Role.DEPUTY and self.deputizes_for_id is None:
            raise ValidationError({"deputizes_for": _("A deputy position must name its lead.")})
        if self.deputizes_for_id is not None and self.deputizes_for_id == self.pk:
            raise ValidationError({"deputizes_for": _("A position cannot deputize for itself.")})
        if self.pk and self.seats is not None:
            peak = peak_holders(self.appointments.all())
            if peak > self.seats:
                raise ValidationError(
                    {
                        "seats": _(
                            "This position once had %(n)d holders at the same time; it "
                            "needs at least that many seats."
                        )
                        % {"n": peak}
                    }
                )

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                Position,
                f"{self.unit.short_name or self.unit.name} {self.title}",
                exclude_pk=self.pk,
            )
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.appointments.exclude(single_seat=self.seats == 1).update(
                single_seat=self.seats == 1
            )


def peak_holders(appointments) -> int:
    """The largest number of the given appointments that surely run on one same day."""
    events = []
    for a in appointments:
        if a.sure_until is not None and a.sure_until <= a.sure_from:
            continue  # dates too vague to say it surely ran on any day
        events.append((a.sure_from, 1))
        if a.sure_until is not None:
            events.append((a.sure_until, -1))
    events.sort()  # at equal dates, ends (-1) sort before starts: a handover day is fine
    peak = current = 0
    for _day, step in events:
        current += step
        peak = max(peak, current)
    return peak


class AppointmentQuerySet(IntervalQuerySet):
    def for_display(self):
        return self.select_related("person", "position", "position__unit")


class Appointment(Interval):
    """A person holding a position from ``start`` until ``end`` (empty while current).

    Guarantees, on every path that saves through the model: the end is not before the start;
    the person does not hold the same position twice at once; the position never has more
    holders than seats on any day the dates make certain. ``term_number`` is derived from the
    run of consecutive appointments of the person to the position.
    """

    class Capacity(models.TextChoices):
        REGULAR = "regular", _("Regular")
        ACTING = "acting", _("Acting")
        INTERIM = "interim", _("Interim")

    class Method(models.TextChoices):
        CALL = "call", _("Nomination call")
        ELECTION = "election", _("Election")
        EX_OFFICIO = "ex_officio", _("Ex officio")
        OTHER = "other", _("Other")

    class EndReason(models.TextChoices):
        TERM_COMPLETED = "term_completed", _("Term completed")
        RESIGNED = "resigned", _("Resigned")
        REPLACED = "replaced", _("Replaced")
        UNIT_RETIRED = "unit_retired", _("Unit retired")
        POSITION_RETIRED = "position_retired", _("Position retired")
        MOVED_ON = "moved_on", _("Moved to another role")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="appointments")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="appointments")
    capacity = models.CharField(
        _("capacity"), max_length=10, choices=Capacity.choices, default=Capacity.REGULAR
    )
    method = models.CharField(
        _("how it was made"), max_length=12, choices=Method.choices, default=Method.CALL
    )
    appointed_by = models.ForeignKey(
        Position,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("appointed by"),
        help_text=_("The position that made the appointment"),
    )
    end_reason = models.CharField(
        _("why it ended"), max_length=20, choices=EndReason.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    exception_justification = models.TextField(
        _("term-limit exception: justification"),
        blank=True,
        help_text=_("Required when this term goes over the position's term limit"),
    )
    exception_approved_by = models.CharField(
        _("term-limit exception: approved by"),
        max_length=200,
        blank=True,
        help_text=_("Who approved going over the limit, e.g. the spokesperson"),
    )
    term_number = models.PositiveSmallIntegerField(_("term"), null=True, editable=False)
    single_seat = models.BooleanField(default=True, editable=False)
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "start"]
        indexes = [
            models.Index(fields=["position", "start"]),
            models.Index(fields=["person", "start"]),
            models.Index(fields=["start", "maybe_until"]),
        ]

    def __str__(self):
        return f"{self.person} as {self.position} ({self.period_display()})"

    @property
    def is_acting(self) -> bool:
        return self.capacity != self.Capacity.REGULAR

    def clean(self):
        super().clean()
        if self.position_id is None or self.start is None:
            return
        if not self.end and self.end_reason:
            raise ValidationError(
                {"end_reason": _("An appointment that has not ended has no reason for ending.")}
            )
        self._check_person_overlap()
        self._check_seats()
        self._check_exception()

    def _others(self):
        others = Appointment.objects.filter(position_id=self.position_id)
        return others.exclude(pk=self.pk) if self.pk else others

    def _surely_overlapping(self):
        qs = self._others().filter(Q(sure_until__isnull=True) | Q(sure_until__gt=self.sure_from))
        if self.sure_until is not None:
            qs = qs.filter(sure_from__lt=self.sure_until)
        return qs

    def _check_person_overlap(self):
        if self.person_id is None:
            return
        clash = self._surely_overlapping().filter(person_id=self.person_id).first()
        if clash is not None:
            raise ValidationError(
                {
                    "start": _(
                        "%(person)s already holds this position from %(period)s; the two "
                        "appointments would overlap."
                    )
                    % {"person": self.person, "period": clash.period_display()}
                }
            )

    @property
    def has_limit_exception(self) -> bool:
        return bool(self.exception_justification)

    def _check_exception(self):
        if bool(self.exception_justification.strip()) != bool(self.exception_approved_by.strip()):
            field = (
                "exception_approved_by"
                if self.exception_justification.strip()
                else "exception_justification"
            )
            raise ValidationError(
                {field: _("A term-limit exception needs both a justification and who approved it.")}
            )

    def _check_seats(self):
        if self.sure_until is not None and self.sure_until <= self.sure_from:
            return
        overlapping = list(self._surely_overlapping())
        seats = Position.objects.only("seats").get(pk=self.position_id).seats
        if peak_holders([*overlapping, self]) > seats:
            holders = ", ".join(f"{a.person} ({a.period_display()})" for a in overlapping[:5])
            raise ValidationError(
                {
                    "start": _(
                        "The position has %(seats)d seat(s), already taken in this period "
                        "by %(holders)s."
                    )
                    % {"seats": seats, "holders": holders}
                }
            )

    def save(self, *args, **kwargs):
        """Validate and save under a lock on the position, so two concurrent appointments to
        the same seat cannot both pass the seat check; then renumber the person's terms."""
        with transaction.atomic():
            position = Position.objects.select_for_update().get(pk=self.position_id)
            self.single_seat = position.seats == 1
            self.full_clean(exclude=["single_seat", "term_number"])
            super().save(*args, **kwargs)
            renumber_terms(self.person_id, position)
            self.refresh_from_db(fields=["term_number"])
            check_term_limit(self.person_id, position)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            renumber_terms(self.person_id, self.position)
        return result


def term_numbers(rows, acting_counts_as_term: bool) -> list[int | None]:
    """Term numbers for one person's appointments to one position, sorted by start: a run of
    consecutive appointments counts 1, 2, 3...; a gap starts a new run at 1. Acting or interim
    appointments get no number unless the position counts them. Rows need ``start``,
    ``maybe_until`` and ``capacity``."""
    numbers: list[int | None] = []
    previous_end: dt.date | None = None
    n = 0
    for i, row in enumerate(rows):
        consecutive = i > 0 and (previous_end is None or row.start <= previous_end)
        if not consecutive:
            n = 0
        previous_end = row.maybe_until
        if row.capacity == Appointment.Capacity.REGULAR or acting_counts_as_term:
            n += 1
            numbers.append(n)
        else:
            numbers.append(None)
    return numbers


def renumber_terms(person_id: int, position: Position) -> None:
    """Store fresh term numbers for the person's appointments to the position."""
    rows = list(
        Appointment.objects.filter(person_id=person_id, position=position)
        .order_by("start", "sure_from")
        .only("id", "start", "maybe_until", "capacity", "term_number")
    )
    for row, number in zip(rows, term_numbers(rows, position.acting_counts_as_term), strict=True):
        if row.term_number != number:
            Appointment.objects.filter(pk=row.pk).update(term_number=number)


def check_term_limit(person_id: int, position: Position) -> None:
    """Every term beyond the position's limit needs a recorded exception."""
    if not position.term_limit:
        return
    over = (
        Appointment.objects.filter(
            person_id=person_id,
            position=position,
            term_number__gt=position.term_limit,
            exception_justification="",
        )
        .order_by("start")
        .first()
    )
    if over is not None:
        raise ValidationError(
            {
                "exception_justification": _(
                    "Term %(n)d would go over this position's limit of %(limit)d consecutive "
                    "terms: record an exception with its justification and who approved it."
                )
                % {"n": over.term_number, "limit": position.term_limit}
            }
        )

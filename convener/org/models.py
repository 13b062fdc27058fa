"""The leadership registry: the unit tree, its positions, and who held them when."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from convener.core.dates import Precision, continues
from convener.core.links import slug_url
from convener.core.models import (
    Interval,
    IntervalQuerySet,
    RegistryVersion,
    overlaps_surely,
    strip_text_fields,
)
from convener.core.text import unique_slug
from convener.people.models import Person

validate_unit_order = RegexValidator(
    r"^[A-Za-z0-9]+(?:[.\- ][A-Za-z0-9]+)*$",
    _("Use numbers or letters separated by dots, e.g. 1.2.3 (a WBS number)."),
)


def _label(choices, value):
    try:
        return str(choices(value).label)
    except ValueError:
        return value  # as Django's own get_FOO_display: a value without a label as it is


class OrgUnit(Interval):
    """A node of the organizational tree: the collaboration, an L1/L2 area, an L3 group, a board
    or an advisory committee, or a laboratory or organisation with directors of its own.
    ``start``/``end`` say when it was created and retired (the start may be unknown)."""

    unknown_start_allowed = True

    class Kind(models.TextChoices):
        COLLABORATION = "collaboration", _("Collaboration")
        ORGANISATION = "organisation", _("Laboratory or organisation")
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
        return slug_url("site:org") + f"#unit-{self.slug}"

    # Django's own get_FOO_display builds a dict of every choice on each call; the org chart
    # asks for these of every unit
    def get_kind_display(self):
        return _label(self.Kind, self.kind)

    def get_level_display(self):
        return _label(self.Level, self.level)

    @property
    def order_key(self) -> tuple:
        """Sorts siblings by ``order``, number by number ("1.9" before "1.10", "1.2" before
        "1.2a"); units without an order come after those with one."""
        if not self.order:
            return (1, ())
        tokens = re.findall(r"\d+|[A-Za-z]+", self.order)
        return (0, tuple((0, int(t), "") if t.isdigit() else (1, 0, t.lower()) for t in tokens))

    @property
    def level_code(self) -> str:
        """The level in the vocabulary positions use too (top, L1, L2, L3), or ""."""
        return LEVEL_CODES.get(self.level, "")

    def clean(self):
        strip_text_fields(self)
        super().clean()
        if self.parent_id is not None:
            node, seen = self.parent, {self.pk}
            while node is not None:
                if node.pk in seen:
                    raise ValidationError({"parent": _("A unit cannot be inside itself.")})
                seen.add(node.pk)
                node = node.parent
            check_inside(
                self.parent,
                [self],
                _("its parent unit %(parent)s") % {"parent": self.parent},
                own=True,
            )
        if self.pk:
            check_inside(self, OrgUnit.objects.filter(parent_id=self.pk), _("this unit"))
            check_inside(self, Position.objects.filter(unit_id=self.pk), _("this unit"))
            rows = Appointment.objects.filter(position__unit_id=self.pk).select_related("person")
            check_inside(self, rows, _("this unit"))

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
    ``start``/``end`` say when the post was created and retired (the start may be unknown).
    ``seats`` is the number of seats outside any of its seat periods."""

    unknown_start_allowed = True

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
        _("seats"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("The usual number of seats; seat periods below say where it differed"),
    )
    mandate = models.TextField(_("job mandate (Markdown)"), blank=True)
    requirements = models.TextField(_("requirements and skills (Markdown)"), blank=True)
    # empty: not recorded (imported history often does not say); never a guessed value
    function = models.CharField(
        _("function"), max_length=10, choices=Function.choices, blank=True, default=""
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
        _("filled by"), max_length=12, choices=FilledBy.choices, blank=True, default=""
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
        return slug_url("site:position", self.slug)

    @property
    def allocates_resources(self) -> bool:
        return self.function == self.Function.RESOURCES

    @property
    def is_deputy(self) -> bool:
        return self.deputizes_for_id is not None

    def seats_on(self, day: dt.date, periods=None) -> int:
        """How many seats the position had on ``day`` (the most the seat periods allow)."""
        if periods is None:
            periods = list(self.seat_periods.all())
        return seats_on(day, periods, self.seats)

    def clean(self):
        strip_text_fields(self)
        super().clean()
        if self.role == self.Role.DEPUTY and self.deputizes_for_id is None:
            raise ValidationError({"deputizes_for": _("A deputy position must name its lead.")})
        if self.deputizes_for_id is not None and self.deputizes_for_id == self.pk:
            raise ValidationError({"deputizes_for": _("A position cannot deputize for itself.")})
        if self.unit_id is not None:
            check_inside(self.unit, [self], _("its unit"), own=True)
        if not self.pk:
            return
        rows = list(self.appointments.select_related("person"))
        check_inside(self, rows, _("this position"))
        if self.seats is not None:
            clashes = seat_clashes(rows, list(self.seat_periods.all()), self.seats)
            if clashes:
                raise ValidationError({"seats": _seat_history_message(clashes)})
        stored = Position.objects.filter(pk=self.pk).values_list("acting_counts_as_term", flat=True)
        if stored and stored[0] != self.acting_counts_as_term:
            check_term_limits_of(self, rows, field="acting_counts_as_term")

    def save(self, *args, **kwargs):
        """Save; when acting appointments start or stop counting as terms, renumber every
        holder's terms in the same transaction."""
        if not self.slug:
            self.slug = unique_slug(
                Position,
                f"{self.unit.short_name or self.unit.name} {self.title}",
                exclude_pk=self.pk,
            )
        with transaction.atomic():
            before = None
            if self.pk:
                before = (
                    Position.objects.select_for_update()
                    .filter(pk=self.pk)
                    .values_list("acting_counts_as_term", flat=True)
                    .first()
                )
            super().save(*args, **kwargs)
            if before is not None and before != self.acting_counts_as_term:
                for person_id in set(self.appointments.values_list("person_id", flat=True)):
                    renumber_terms(person_id, self)


LEVEL_CODES = {0: "top", 1: "L1", 2: "L2", 3: "L3"}  # one vocabulary for units and positions


def level_from_code(code: str) -> int | None:
    """A unit level from its code (top, L1, L2, L3) or its old number (0-3); "board" and
    "committee", the levels of the positions' vocabulary outside the management tree, are a
    unit without a level (as boards and committees are)."""
    code = (code or "").strip()
    if code.lower() in {Position.Level.BOARD, Position.Level.COMMITTEE}:
        return None
    for number, name in LEVEL_CODES.items():
        if code.lower() in {name.lower(), str(number)}:
            return number
    raise ValueError(code)


def default_end_kind() -> str:
    """The collaboration's convention for the end dates its records give
    (``CONVENER_END_DATES``)."""
    return settings.CONVENER_END_DATES


class EndKind(models.TextChoices):
    """What an end date is: the last day in force ("to 31 August", "2005 to 2011"), or the
    day it ended (a successor may start that same day)."""

    LAST_DAY = "last_day", _("the last day in office")
    LEFT = "left", _("the day they left")


class SeatPeriod(Interval):
    """A stretch of a position's history with its own number of seats, e.g. two co-leads from
    2005 to 2011 where there is otherwise one. Periods of one position do not overlap. Its end
    is, like an appointment's, the last day of the period or the day it ended (``end_kind``):
    "2005 to 2011" written as a last day covers the whole of 2011."""

    EndKind = EndKind

    position = models.ForeignKey(
        Position, on_delete=models.CASCADE, related_name="seat_periods", verbose_name=_("position")
    )
    seats = models.PositiveSmallIntegerField(
        _("seats"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    end_kind = models.CharField(
        _("the end date is"),
        max_length=10,
        choices=EndKind.choices,
        default=default_end_kind,
        help_text=_("“2005 to 2011” usually means through 2011: the last day"),
    )
    note = models.CharField(_("source or note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="seat_period_at_least_one")
        ]

    def __str__(self):
        return f"{self.position}: {self.seats} seat(s) {self.period_display()}"

    @property
    def end_is_last_day(self) -> bool:
        return self.end_kind == EndKind.LAST_DAY

    def clean(self):
        strip_text_fields(self)
        super().clean()
        if self.position_id is None or self.seats is None:
            return
        others = list(SeatPeriod.objects.filter(position_id=self.position_id).exclude(pk=self.pk))
        clash = next((p for p in others if p.surely_overlaps(self)), None)
        if clash is not None:
            raise ValidationError(
                {
                    "start": _("This overlaps another seat period (%(other)s).")
                    % {"other": clash.period_display()}
                }
            )
        position = self.position
        check_inside(position, [self], _("its position"), own=True)
        rows = list(position.appointments.select_related("person"))
        clashes = seat_clashes(rows, [*others, self], position.seats)
        if clashes:
            raise ValidationError({"seats": _seat_history_message(clashes)})

    def save(self, *args, **kwargs):
        with transaction.atomic():
            Position.objects.select_for_update().filter(pk=self.position_id).first()
            self.full_clean()
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Delete under a lock on the position; refused (``ValidationError`` on ``seats``,
        nothing written) when without this period the holders would outnumber the seats on
        some day, the same rule as adding or changing a period."""
        with transaction.atomic():
            position = Position.objects.select_for_update().get(pk=self.position_id)
            others = list(position.seat_periods.exclude(pk=self.pk))
            rows = list(position.appointments.select_related("person"))
            clashes = seat_clashes(rows, others, position.seats)
            if clashes:
                raise ValidationError({"seats": _seat_history_message(clashes)})
            return super().delete(*args, **kwargs)


def peak_holders(rows) -> int:
    """The largest number of ``rows`` that surely run on one same day."""
    events = []
    for a in rows:
        if not _has_sure_days(a):
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


def seats_on(day: dt.date, periods, default: int) -> int:
    """The seats on ``day``: the most that any period possibly covering it allows, and the
    usual number unless a period surely covers the day. Vague period bounds never make the
    rule stricter than the records."""
    possible = [p.seats for p in periods if p.possibly_covers(day)]
    if not any(p.surely_covers(day) for p in periods):
        possible.append(default)
    return max(possible)


@dataclass
class SeatClash:
    """From ``day`` on, ``holders`` surely held the position at once, with ``seats`` seats.
    ``throughout`` is set when one of them has dates too vague to name a day it surely held
    the post, but every day it may have held it the other holders filled every seat."""

    day: dt.date
    holders: list
    seats: int
    throughout: object = None


def _has_sure_days(row) -> bool:
    return row.sure_from is not None and (row.sure_until is None or row.sure_until > row.sure_from)


def _full_throughout(row, rows, periods, default: int) -> SeatClash | None:
    """For ``row`` with no day it surely covers (e.g. "2011 to 2011"), but one that surely lies
    between ``maybe_from`` and ``maybe_until``: a clash when on every one of those days the
    other ``rows`` (with sure days) surely fill every seat the day may have had. The clash is
    then certain whichever day it was; otherwise it is only possible, and not refused."""
    lo, hi = row.maybe_from, row.maybe_until
    if lo is None or hi is None or hi <= lo:
        return None
    days = {lo}
    for r in rows:
        days.update(d for d in (r.sure_from, r.sure_until) if d is not None)
    for p in periods:
        days.update(d for d in (p.maybe_from, p.maybe_until, p.sure_from, p.sure_until) if d)
    first = None
    for day in sorted(d for d in days if lo <= d < hi):
        holders = [r for r in rows if r is not row and r.surely_covers(day)]
        seats = seats_on(day, periods, default)
        if len(holders) < seats:
            return None
        first = first or SeatClash(day, [*holders, row], seats, throughout=row)
    return first


def seat_clashes(rows, periods, default: int, *, involving=None) -> list[SeatClash]:
    """Every distinct group of ``rows`` that surely hold the position at once beyond its seats
    on some day, with the first such day; with ``involving``, only groups that include that row.
    A row whose dates name no day it surely held the post clashes when the others fill every
    seat on every day it may have held it (see :func:`_full_throughout`). The same rule as the
    database's ``appointment_seat_rule`` trigger, which checks rows with sure days only."""
    vague = [r for r in rows if not _has_sure_days(r)]
    rows = [r for r in rows if _has_sure_days(r)]
    if involving is not None and not _has_sure_days(involving):
        clash = _full_throughout(involving, rows, periods, default)
        return [clash] if clash else []
    if involving is None:
        found = [_full_throughout(r, rows, periods, default) for r in vague]
        vague_clashes = [c for c in found if c is not None]
    else:
        vague_clashes = []
    days = {r.sure_from for r in rows}
    for p in periods:
        days.update(d for d in (p.maybe_until, p.sure_from) if d is not None)
    if involving is not None:
        days = {
            d
            for d in days | {involving.sure_from}
            if d >= involving.sure_from
            and (involving.sure_until is None or d < involving.sure_until)
        }
    clashes: list[SeatClash] = []
    seen = set()
    for day in sorted(days):
        holders = [r for r in rows if r.surely_covers(day)]
        seats = seats_on(day, periods, default)
        if len(holders) <= seats or (involving is not None and involving not in holders):
            continue
        key = frozenset(id(h) for h in holders)
        if key not in seen:
            seen.add(key)
            clashes.append(SeatClash(day, holders, seats))
    return sorted([*clashes, *vague_clashes], key=lambda c: c.day)


def period_hint(periods, clash: SeatClash) -> str:
    """Why the seats of ``clash.day`` are fewer than a seat period gave just before: the
    period's end, at its own precision, is at or just before that day. Said in the message,
    since "2005 to 2011" written as the day it ended may end on 1 January 2011."""
    for p in periods:
        end = p.end_date
        if end is None or p.seats <= clash.seats:
            continue
        if not end.earliest <= clash.day <= end.latest + dt.timedelta(days=1):
            continue
        text = " " + _(
            "(the seat period of %(seats)d seats (%(period)s) does not surely cover that day"
        ) % {"seats": p.seats, "period": p.period_display()}
        if not p.end_is_last_day:
            text += _(
                ": its end is written as the day it ended; if %(end)s is its last day, mark "
                "its end as the last day (end_kind last_day)"
            ) % {"end": end}
        return text + ")"
    return ""


def _seat_history_message(clashes: list[SeatClash]) -> str:
    first = clashes[0]
    names = ", ".join(f"{h.person} ({h.period_display()})" for h in first.holders[:6])
    more = len(clashes) - 1
    text = _(
        "On %(day)s the position would have %(n)d holders (%(names)s) for %(seats)d seat(s)."
    ) % {
        "day": first.day.isoformat(),
        "n": len(first.holders),
        "names": names,
        "seats": first.seats,
    }
    if more:
        text += " " + _("%(more)d more such clash(es) later.") % {"more": more}
    return text


def check_inside(container, rows, what, field: str = "start", own: bool = False) -> None:
    """Refuse any of ``rows`` that the dates place surely before ``container`` began or surely
    after it ended (at each date's own precision); an unknown date places nothing. ``what``
    names the container in the message; the error goes on ``field`` (or on "end" for a row that
    runs past the container's end, when ``field`` is "start"); ``own`` when ``rows`` is the
    record being validated itself."""
    for row in rows:
        problem = outside(row, container)
        if problem is None:
            continue
        period = row.period_display()
        if own:
            subject = _("This (%(period)s)") % {"period": period}
        elif isinstance(row, Appointment):
            subject = _("The appointment of %(person)s (%(period)s)") % {
                "person": row.person,
                "period": period,
            }
        else:
            subject = f"{row} ({period})"
        verb = (
            _("begins before %(what)s existed")
            if problem == "before"
            else _("runs past the end of %(what)s")
        ) % {"what": what}
        message = f"{subject} {verb} ({container.period_display()})."
        target = "end" if problem == "after" and field == "start" else field
        raise ValidationError({target: message})


def outside(row, container) -> str | None:
    """ "before" when ``row`` surely begins before ``container`` began, "after" when it surely
    runs on (or begins) after ``container`` ended, otherwise None."""
    start, home = row.start_date, container.start_date
    if start is not None and home is not None and start.latest < home.earliest:
        return "before"
    if (
        row.maybe_until is not None
        and container.maybe_from is not None
        and row.maybe_until <= container.maybe_from
    ):
        return "before"
    if container.maybe_until is None:
        return None
    if row.is_open:
        return "after"
    if row.sure_until is not None and row.sure_until > container.maybe_until:
        return "after"
    if row.maybe_from is not None and row.maybe_from >= container.maybe_until:
        return "after"
    return None


class AppointmentQuerySet(IntervalQuerySet):
    def for_display(self):
        return self.select_related("person", "position", "position__unit")

    def to_complete(self):
        """Appointments whose start, end or method the records do not give."""
        return self.filter(
            Q(start_precision=Precision.UNKNOWN)
            | Q(end_precision=Precision.UNKNOWN)
            | Q(method=Appointment.Method.UNKNOWN)
        )


class Appointment(Interval):
    """A person holding a position from ``start`` until ``end`` (empty while current).

    Guarantees, on every path that saves through the model: each date is given or marked as
    not known; the end is not before the start; the appointment lies inside its position's and
    its unit's life; the person does not hold the same position twice at once; the position
    never has more holders than its seats on any day the dates make certain (seat periods
    included); a term over the position's limit carries an exception. ``term_number`` is
    derived from the person's run of consecutive appointments to the position (see
    :func:`consecutive`). An end may be the last day in office or the day of leaving
    (``end_kind``); an unknown end is not "still in office".
    """

    unknown_start_allowed = True
    unknown_end_allowed = True

    class Capacity(models.TextChoices):
        REGULAR = "regular", _("Regular")
        ACTING = "acting", _("Acting")
        INTERIM = "interim", _("Interim")

    class Method(models.TextChoices):
        CALL = "call", _("Nomination call")
        ELECTION = "election", _("Election")
        EX_OFFICIO = "ex_officio", _("Ex officio")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Not recorded")

    EndKind = EndKind

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
        _("how it was made"), max_length=12, choices=Method.choices, default=Method.UNKNOWN
    )
    end_kind = models.CharField(
        _("the end date is"),
        max_length=10,
        choices=EndKind.choices,
        default=default_end_kind,
        help_text=_("Sources mostly give the last day in office (“to 31 August”)"),
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
    source = models.CharField(
        _("source"),
        max_length=500,
        blank=True,
        help_text=_("Where this is recorded: a URL, or a citation such as “Bulletin 12, p. 3”"),
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

    # Django's own get_FOO_display builds a dict of every choice on each call; a succession
    # table asks three of every row
    def get_capacity_display(self):
        return _label(self.Capacity, self.capacity)

    def get_method_display(self):
        return _label(self.Method, self.method)

    def get_end_reason_display(self):
        return _label(self.EndReason, self.end_reason)

    def __str__(self):
        return f"{self.person} as {self.position} ({self.period_display()})"

    @property
    def is_acting(self) -> bool:
        return self.capacity != self.Capacity.REGULAR

    @property
    def end_is_last_day(self) -> bool:
        return self.end_kind == self.EndKind.LAST_DAY

    @property
    def source_is_url(self) -> bool:
        return self.source.startswith(("https://", "http://"))

    @property
    def chronology(self) -> tuple:
        """Sort key by start; an unknown start sorts by the latest it can have been."""
        return (self.maybe_from or self.sure_from or dt.date.min, self.sure_from or dt.date.min)

    @property
    def has_limit_exception(self) -> bool:
        return bool(self.exception_justification.strip())

    def clean(self):
        strip_text_fields(self)
        super().clean()
        if self.start_unknown and self.is_open:
            raise ValidationError(
                {"start": _("An appointment still in office needs its start (a year is enough).")}
            )
        if self.start_unknown and self.end_unknown:
            raise ValidationError({"start": _("Give at least the start or the end.")})
        if not (self.end or self.end_unknown) and self.end_reason:
            raise ValidationError(
                {"end_reason": _("An appointment that has not ended has no reason for ending.")}
            )
        self._check_exception()
        if self.position_id is None:
            return
        position = self.position
        check_inside(position, [self], _("the position"), own=True)
        check_inside(position.unit, [self], _("its unit"), own=True)
        records = getattr(self, "_records", None) or PositionRecords.load(position)
        others = records.others(self)
        if _has_sure_days(self):
            overlapping = [a for a in others if overlaps_surely(self, a)]
            self._check_person_overlap(overlapping)
            self._check_seats(position, overlapping, records.periods)
        else:  # dates too vague for a sure day: only a clash on every day it may have held
            self._check_seats(position, others, records.periods)
        if self.person_id is not None and position.term_limit:
            rows = [*(a for a in others if a.person_id == self.person_id), self]
            check_term_limits_of(position, rows, field="exception_justification", focus=self)

    def _check_person_overlap(self, overlapping):
        if self.person_id is None:
            return
        clash = next((a for a in overlapping if a.person_id == self.person_id), None)
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

    def _check_exception(self):
        if bool(self.exception_justification) != bool(self.exception_approved_by):
            field = (
                "exception_approved_by"
                if self.exception_justification
                else "exception_justification"
            )
            raise ValidationError(
                {field: _("A term-limit exception needs both a justification and who approved it.")}
            )

    def _check_seats(self, position, overlapping, periods):
        clashes = seat_clashes([*overlapping, self], periods, position.seats, involving=self)
        if not clashes:
            return
        parts = []
        for clash in clashes[:10]:
            others = [h for h in clash.holders if h is not self]
            when = (
                _("on every day of %(period)s") % {"period": self.period_display()}
                if clash.throughout is self
                else _("from %(day)s") % {"day": clash.day.isoformat()}
            )
            parts.append(
                _("%(when)s, %(seats)d seat(s) already held by %(holders)s")
                % {
                    "when": when,
                    "seats": clash.seats,
                    "holders": ", ".join(f"{h.person} ({h.period_display()})" for h in others),
                }
            )
            parts[-1] += period_hint(periods, clash)
        message = _("The position has no free seat: %(clashes)s.") % {"clashes": "; ".join(parts)}
        # the other holders themselves (a batch's rows have no id yet), each once
        others = list({id(h): h for c in clashes for h in c.holders if h is not self}.values())
        raise ValidationError(
            {
                "start": ValidationError(
                    message.replace("%", "%%"), code="seats", params={"others": others}
                )
            }
        )

    def save(self, *args, **kwargs):
        """Validate and save under a lock on the position, so two concurrent appointments to
        the same seat cannot both pass the seat check; then renumber the person's terms."""
        with transaction.atomic():
            position = (
                Position.objects.select_for_update(of=("self",))
                .select_related("unit")
                .get(pk=self.position_id)
            )
            self.position = position
            self.full_clean(exclude=["term_number"])
            stored = stored_holders([self])
            super().save(*args, **kwargs)
            self.term_number = renumber_terms(self.person_id, position).get(self.pk)
            renumber_left_behind(stored, [self])

    def delete(self, *args, **kwargs):
        """Delete and renumber the person's remaining terms of the position."""
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            renumber_terms(self.person_id, self.position)
        return result


class PositionRecords:
    """What the rules of an appointment read about its position: the position's appointments
    (with their holders) and its seat periods. Loaded once; a batch of rows for the position
    is then checked one row at a time against it, each accepted row joining it (``accept``),
    so that every row is checked by ``Appointment.clean`` exactly as if the rows accepted
    before it had been saved."""

    def __init__(self, position: Position, appointments: list, periods: list):
        self.position = position
        self.appointments = appointments
        self.periods = periods

    @classmethod
    def load(cls, position: Position) -> PositionRecords:
        rows = Appointment.objects.filter(position_id=position.pk).select_related("person")
        periods = SeatPeriod.objects.filter(position_id=position.pk)
        return cls(position, list(rows.order_by("pk")), list(periods))

    def others(self, row) -> list:
        """Every appointment to the position but ``row`` (or its stored version), stored ones
        in the order they were saved, then those accepted and not yet written."""
        return [a for a in self.appointments if a is not row and (row.pk is None or a.pk != row.pk)]

    def accept(self, row) -> None:
        """``row`` now counts as saved: it joins the records, in the place of its stored
        version (the order saving would leave)."""
        for i, a in enumerate(self.appointments):
            if a is row or (row.pk is not None and a.pk == row.pk):
                self.appointments[i] = row
                return
        self.appointments.append(row)

    def of_person(self, person_id) -> list:
        return [a for a in self.appointments if a.person_id == person_id]


class AppointmentBatch:
    """New or changed appointments, many at a time, saved as if each were saved in turn
    through ``Appointment.save``: see ``save``. What the checks read is loaded once for all
    the rows given: the positions (locked as ``save`` locks them) with their appointments and
    seat periods, the records the rows refer to, the external ids in use."""

    def __init__(self, rows, *, user=None):
        from convener.core.batch import References, UniqueValues, chunked

        rows = list(rows)
        self.user = user
        self.pending: list[Appointment] = []
        self.unique = UniqueValues(Appointment, rows)
        self.refs = References(Appointment)
        for name in self.refs.names:
            self.refs.expect(name, [getattr(r, name + "_id") for r in rows])
        ids = sorted({r.position_id for r in rows})
        self.positions, self.records = {}, {}
        for chunk in chunked(ids):
            locked = Position.objects.select_for_update(of=("self",)).select_related("unit")
            for position in locked.filter(pk__in=chunk).order_by("pk"):
                self.positions[position.pk] = position
                self.records[position.pk] = PositionRecords(position, [], [])
            held = Appointment.objects.filter(position_id__in=chunk).select_related("person")
            for a in held.order_by("pk"):
                self.records[a.position_id].appointments.append(a)
            for p in SeatPeriod.objects.filter(position_id__in=chunk):
                self.records[p.position_id].periods.append(p)

    def save(self, position: Position, rows: list) -> list:
        """Validate and save ``rows`` (new or changed appointments to ``position``, in the
        order they are to be saved): each is checked by ``full_clean`` with every rule of the
        registry against the position as it would stand with the rows accepted before it; a
        refused row is left out and does not count for the next ones. Returns, row by row,
        the ``ValidationError`` that refused it (None: accepted). Changed rows are saved at
        once, one at a time, in order; new ones wait for ``flush``, which writes those of every
        position in a few statements with their history (by ``user``). Each holder's terms are
        renumbered once per call."""
        from convener.core.batch import full_clean_in_batch

        position = self.positions[position.pk]
        records = self.records[position.pk]
        results, accepted = [], []
        for row in rows:
            row.position = position
            row._records = records
            try:
                full_clean_in_batch(row, self.unique, self.refs, exclude=["term_number"])
            except ValidationError as error:
                results.append(error)
                continue
            finally:
                del row._records
            records.accept(row)
            self.unique.claim(row)
            accepted.append(row)
            results.append(None)
        if not accepted:
            return results
        with transaction.atomic():
            # term numbers as renumber_terms would leave them, once per holder
            renumbered = []
            for person_id in {a.person_id for a in accepted}:
                mine = in_order(records.of_person(person_id))
                numbers = term_numbers(mine, position.acting_counts_as_term)
                for row, number in zip(mine, numbers, strict=True):
                    if row.term_number != number:
                        row.term_number = number
                        if not row._state.adding and row not in accepted:
                            renumbered.append(row)
            stored = stored_holders(accepted)
            for row in accepted:  # one at a time, in order: each leaves a valid registry
                if not row._state.adding:
                    if self.user is not None:
                        row._history_user = self.user
                    super(Appointment, row).save()
            renumber_left_behind(stored, accepted)
            self.pending.extend(a for a in accepted if a._state.adding)
            for row in renumbered:
                Appointment.objects.filter(pk=row.pk).update(term_number=row.term_number)
            RegistryVersion.bump()
        return results

    def flush(self) -> None:
        """Write the new rows accepted so far (they get their ids)."""
        from convener.core.batch import write

        write(Appointment, self.pending, user=self.user)
        self.pending = []


def consecutive(previous: Appointment, following: Appointment) -> bool:
    """Whether ``following`` continues ``previous`` (same person, same position, sorted by
    start): the one continuity rule of the registry, used for term numbers, term limits,
    readiness and every page and export that speaks of consecutive terms. An open previous
    appointment is continued; otherwise the decision is :func:`convener.core.dates.continues`
    on the previous last day in office and the next start."""
    if previous.is_open:
        return True
    return continues(previous.last_day, following.start_date)


def term_numbers(rows, acting_counts_as_term: bool) -> list[int | None]:
    """Term numbers for one person's appointments to one position, sorted by start: a run of
    consecutive appointments counts 1, 2, 3...; a break starts a new run at 1. Acting or
    interim appointments get no number unless the position counts them."""
    numbers: list[int | None] = []
    n = 0
    for i, row in enumerate(rows):
        if i == 0 or not consecutive(rows[i - 1], row):
            n = 0
        if row.capacity == Appointment.Capacity.REGULAR or acting_counts_as_term:
            n += 1
            numbers.append(n)
        else:
            numbers.append(None)
    return numbers


def in_order(rows) -> list:
    return sorted(rows, key=lambda a: (*a.chronology, a.pk or 0))


def renumber_terms(person_id: int, position: Position) -> dict[int, int | None]:
    """Store fresh term numbers for the person's appointments to the position; returns them
    by appointment id."""
    rows = in_order(Appointment.objects.filter(person_id=person_id, position=position))
    numbers = term_numbers(rows, position.acting_counts_as_term)
    for row, number in zip(rows, numbers, strict=True):
        if row.term_number != number:
            Appointment.objects.filter(pk=row.pk).update(term_number=number)
    return {row.pk: number for row, number in zip(rows, numbers, strict=True)}


def stored_holders(rows) -> dict[int, tuple[int, int]]:
    """The person and position stored for each of ``rows`` already saved, by id."""
    ids = [r.pk for r in rows if r.pk is not None and not r._state.adding]
    if not ids:
        return {}
    stored = Appointment.objects.filter(pk__in=ids).values_list("pk", "person_id", "position_id")
    return {pk: (person_id, position_id) for pk, person_id, position_id in stored}


def renumber_left_behind(stored: dict[int, tuple[int, int]], rows) -> None:
    """After ``rows`` were saved: when a record moved to another person or position (a
    correction), renumber the terms of the person and position it left, whose run of
    consecutive mandates it no longer belongs to."""
    left = {stored[r.pk] for r in rows if r.pk in stored} - {
        (r.person_id, r.position_id) for r in rows
    }
    for person_id, position_id in sorted(left):
        renumber_terms(person_id, Position.objects.get(pk=position_id))


def check_term_limits_of(position: Position, rows, *, field: str, focus=None) -> None:
    """Refuse when, numbered as they would be, any of ``rows`` (appointments to ``position``,
    of one or several people) is a term over the limit without an exception; with ``focus``,
    only the person of that row is checked."""
    if not position.term_limit:
        return
    by_person: dict = {}
    for row in rows:
        by_person.setdefault(row.person_id, []).append(row)
    for mine in by_person.values():
        mine = in_order(mine)
        numbers = term_numbers(mine, position.acting_counts_as_term)
        for row, number in zip(mine, numbers, strict=True):
            if not number or number <= position.term_limit or row.has_limit_exception:
                continue
            if row is focus:
                text = _(
                    "Term %(n)d would go over this position's limit of %(limit)d consecutive "
                    "terms: record an exception with its justification and who approved it."
                )
            else:
                text = _(
                    "%(person)s's appointment of %(period)s would be term %(n)d, over this "
                    "position's limit of %(limit)d consecutive terms, without an exception."
                )
            raise ValidationError(
                {
                    field: text
                    % {
                        "n": number,
                        "limit": position.term_limit,
                        "person": row.person,
                        "period": row.period_display(),
                    }
                }
            )

"""Building blocks shared by every domain: intervals with partial dates."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _

from .dates import PartialDate, Precision, normalize


def possibly_on_q(day: dt.date) -> Q:
    """The condition of ``IntervalQuerySet.possibly_on``, to combine with others."""
    return (Q(maybe_from__isnull=True) | Q(maybe_from__lte=day)) & (
        Q(maybe_until__isnull=True) | Q(maybe_until__gt=day)
    )


class IntervalQuerySet(models.QuerySet):
    """Filters by what the dates allow us to say about a day."""

    def possibly_on(self, day: dt.date):
        """Rows that may have been in force on ``day`` (the dates do not exclude it)."""
        return self.filter(possibly_on_q(day))

    def surely_on(self, day: dt.date):
        """Rows that were certainly in force on ``day``."""
        return self.filter(
            Q(sure_from__lte=day), Q(sure_until__isnull=True) | Q(sure_until__gt=day)
        )

    def current(self):
        return self.surely_on(dt.date.today())

    def incomplete(self):
        """Rows whose start or end the records do not give."""
        return self.filter(
            Q(start_precision=Precision.UNKNOWN) | Q(end_precision=Precision.UNKNOWN)
        )


class Interval(models.Model):
    """A span of time from ``start`` up to ``end``. Each bound keeps its precision: a year, a
    month, a day, or "not known" (the date is then empty). An empty end with a known precision
    means "still in force"; an end marked "not known" means it ended on a day nobody recorded.
    The end is the day it ended (a successor may start that same day) unless the row says it is
    the last day in force (``end_is_last_day``).

    Besides the dates as given, four derived columns let the database answer honestly:
    ``sure_from``/``sure_until`` bound the days the interval certainly covers, and
    ``maybe_from``/``maybe_until`` the days it may cover (empty: no bound). An unknown start may
    lie any time before the end; an unknown end (where a model allows one) is known to have come
    after the start period only, so the interval is never taken to run on past it.
    """

    unknown_start_allowed = False  # models whose sources may not give a start
    unknown_end_allowed = False  # models whose sources may not give an end

    start = models.DateField(
        _("start"),
        null=True,
        blank=True,
        help_text=_("First day, or first day of the month/year; empty when not known"),
    )
    start_precision = models.CharField(
        _("start known to the"), max_length=7, choices=Precision.choices, default=Precision.DAY
    )
    end = models.DateField(_("end"), null=True, blank=True, help_text=_("Empty while current"))
    end_precision = models.CharField(
        _("end known to the"), max_length=7, choices=Precision.choices, default=Precision.DAY
    )
    maybe_from = models.DateField(editable=False, null=True)
    sure_from = models.DateField(editable=False, null=True)
    sure_until = models.DateField(editable=False, null=True)
    maybe_until = models.DateField(editable=False, null=True)

    objects = IntervalQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def start_date(self) -> PartialDate | None:
        if self.start_precision == Precision.UNKNOWN:
            return None
        return PartialDate.of(self.start, self.start_precision)

    @property
    def end_date(self) -> PartialDate | None:
        if self.end_precision == Precision.UNKNOWN:
            return None
        return PartialDate.of(self.end, self.end_precision)

    @property
    def start_unknown(self) -> bool:
        return self.start_precision == Precision.UNKNOWN

    @property
    def end_unknown(self) -> bool:
        return self.end_precision == Precision.UNKNOWN

    @property
    def is_open(self) -> bool:
        """Still in force: no end, and not an end that nobody recorded."""
        return self.end is None and not self.end_unknown

    @property
    def end_is_last_day(self) -> bool:
        return False

    @property
    def last_day(self) -> PartialDate | None:
        """The last day in force as a partial date (None when open or unknown). A day-precision
        day of leaving gives the day before; a coarser one is kept as written."""
        end = self.end_date
        if end is None or self.end_is_last_day or end.precision != Precision.DAY:
            return end
        return PartialDate(end.value - dt.timedelta(days=1), Precision.DAY)

    def period_display(self) -> str:
        start = str(self.start_date) if self.start_date else "?"
        if self.end_unknown:
            return f"{start} – ?"
        return f"{start} – {self.end_date}" if self.end else f"{start} –"

    def set_derived_dates(self) -> None:
        """Normalize the stored dates to their precision and refresh the derived bounds."""
        if self.start_precision == Precision.UNKNOWN:
            self.start = None
        if self.end_precision == Precision.UNKNOWN:
            self.end = None
        if self.start is not None:
            self.start = normalize(self.start, self.start_precision)
        if self.end is not None:
            self.end = normalize(self.end, self.end_precision)
        start, end = self.start_date, self.end_date
        shift = dt.timedelta(days=1 if self.end_is_last_day else 0)
        if end is not None:
            self.sure_until = end.earliest + shift
            self.maybe_until = end.latest + shift
        elif self.end_unknown and start is not None:
            # ended at a day nobody recorded: certain only within the start period
            self.sure_until = start.earliest + dt.timedelta(days=1)
            self.maybe_until = start.latest + dt.timedelta(days=1)
        else:
            if not self.end_unknown:
                self.end_precision = Precision.DAY
            self.sure_until = self.maybe_until = None
        if start is not None:
            self.maybe_from = start.earliest
            self.sure_from = start.latest
        else:
            self.maybe_from = None
            # the latest it can have begun is the day before it surely ended
            self.sure_from = (
                self.maybe_until - dt.timedelta(days=1) if self.maybe_until is not None else None
            )

    def clean_interval(self) -> None:
        """Each bound is a date or says it is not known; the end may not surely lie before the
        start."""
        errors = {}
        if self.start is None and self.start_precision != Precision.UNKNOWN:
            errors["start"] = _("Give the start, or mark it as not known.")
        elif self.start_precision == Precision.UNKNOWN and not self.unknown_start_allowed:
            errors["start_precision"] = _("A start is needed here (a year is enough).")
        if self.end_precision == Precision.UNKNOWN and not self.unknown_end_allowed:
            errors["end_precision"] = _(
                "Give the end (a year is enough), or leave it empty if still in force."
            )
        if errors:
            raise ValidationError(errors)
        self.set_derived_dates()
        start, end = self.start_date, self.end_date
        if start is not None and end is not None and end.latest < start.earliest:
            raise ValidationError(
                {
                    "end": _("The end (%(end)s) is before the start (%(start)s).")
                    % {"end": end, "start": start}
                }
            )

    def surely_overlaps(self, other: Interval) -> bool:
        """True when both intervals certainly cover at least one common day."""
        if self.sure_from is None or other.sure_from is None:
            return False
        lo = max(self.sure_from, other.sure_from)
        ends = [d for d in (self.sure_until, other.sure_until) if d is not None]
        return not ends or lo < min(ends)

    def possibly_covers(self, day: dt.date) -> bool:
        return (self.maybe_from is None or self.maybe_from <= day) and (
            self.maybe_until is None or day < self.maybe_until
        )

    def surely_covers(self, day: dt.date) -> bool:
        return (
            self.sure_from is not None
            and self.sure_from <= day
            and (self.sure_until is None or day < self.sure_until)
        )

    def clean(self):
        super().clean()
        self.clean_interval()

    def save(self, *args, **kwargs):
        self.set_derived_dates()
        super().save(*args, **kwargs)
        RegistryVersion.bump()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        RegistryVersion.bump()
        return result


def overlaps_surely(row: Interval, other: Interval) -> bool:
    """Whether ``other`` surely shares a day with ``row``: it surely began before ``row``
    surely ends and surely ends after ``row`` surely began. The overlap rule of a person's own
    periods and of a position's holders. ``other`` need not surely cover a whole day itself:
    "2000" to "2000" lies surely inside "1999" to "2002"."""
    if row.sure_from is None or other.sure_from is None:
        return False
    return (other.sure_until is None or other.sure_until > row.sure_from) and (
        row.sure_until is None or other.sure_from < row.sure_until
    )


def strip_text_fields(instance) -> None:
    """Trim the white space around every text value, as forms and the API do: the same rule
    whichever path a value comes in by (a blank-looking value is empty)."""
    for f in instance._meta.concrete_fields:
        if isinstance(f, (models.CharField, models.TextField)) and not f.choices:
            value = getattr(instance, f.attname)
            if isinstance(value, str) and value != value.strip():
                setattr(instance, f.attname, value.strip())


class RegistryVersion(models.Model):
    """A counter bumped in the same transaction as every change to the registry, so that
    cached pages keyed by it are never served stale (and readers of an older snapshot never
    poison the newer key)."""

    value = models.BigIntegerField(default=0)

    @classmethod
    def current(cls) -> int:
        # asked on every public page view: plain SQL, without the ORM's query building
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT value FROM {cls._meta.db_table} WHERE id = 1")  # noqa: S608
            row = cursor.fetchone()
        return row[0] if row else 0

    @classmethod
    def bump(cls) -> None:
        if _deferred.depth:
            _deferred.pending = True
            return
        # never a value seen before, even after a restore from an older backup: the counter
        # moves to the current microsecond when that is ahead of it
        now = time.time_ns() // 1000
        now_value = models.Value(now, output_field=models.BigIntegerField())
        updated = cls.objects.filter(pk=1).update(value=Greatest(models.F("value") + 1, now_value))
        if not updated:
            cls.objects.get_or_create(pk=1, defaults={"value": now})

    @classmethod
    @contextlib.contextmanager
    def deferred(cls):
        """Bump once at the end of a long run of changes (an import) instead of once per row;
        the bump still falls inside the caller's transaction."""
        _deferred.depth += 1
        try:
            yield
        finally:
            _deferred.depth -= 1
        if not _deferred.depth and _deferred.pending:
            _deferred.pending = False
            cls.bump()

    def __str__(self):
        return f"registry version {self.value}"


class _Deferral(threading.local):
    depth = 0
    pending = False


_deferred = _Deferral()

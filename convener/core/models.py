"""Building blocks shared by every domain: intervals with partial dates."""

from __future__ import annotations

import datetime as dt
import time

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _

from .dates import PartialDate, Precision, normalize


class IntervalQuerySet(models.QuerySet):
    """Filters by what the dates allow us to say about a day."""

    def possibly_on(self, day: dt.date):
        """Rows that may have been in force on ``day`` (the dates do not exclude it)."""
        return self.filter(Q(start__lte=day), Q(maybe_until__isnull=True) | Q(maybe_until__gt=day))

    def surely_on(self, day: dt.date):
        """Rows that were certainly in force on ``day``."""
        return self.filter(
            Q(sure_from__lte=day), Q(sure_until__isnull=True) | Q(sure_until__gt=day)
        )

    def current(self):
        return self.surely_on(dt.date.today())


class Interval(models.Model):
    """A span of time from ``start`` up to ``end`` (the day it ended; a successor may start that
    same day). Each end keeps its precision: a year, a month or a day.

    Besides the dates as given, three derived columns let the database answer honestly:
    ``sure_from``/``sure_until`` bound the days the interval certainly covers, and
    ``start``/``maybe_until`` bound the days it may cover.
    """

    start = models.DateField(_("start"), help_text=_("First day, or first day of the month/year"))
    start_precision = models.CharField(
        _("start known to the"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    end = models.DateField(_("end"), null=True, blank=True, help_text=_("Empty while current"))
    end_precision = models.CharField(
        _("end known to the"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    sure_from = models.DateField(editable=False, null=True)
    sure_until = models.DateField(editable=False, null=True)
    maybe_until = models.DateField(editable=False, null=True)

    objects = IntervalQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def start_date(self) -> PartialDate | None:
        return PartialDate.of(self.start, self.start_precision)

    @property
    def end_date(self) -> PartialDate | None:
        return PartialDate.of(self.end, self.end_precision)

    @property
    def is_open(self) -> bool:
        return self.end is None

    def period_display(self) -> str:
        start = str(self.start_date) if self.start else "?"
        return f"{start} – {self.end_date}" if self.end else f"{start} –"

    def set_derived_dates(self) -> None:
        """Normalize the stored dates to their precision and refresh the derived bounds."""
        if self.start is not None:
            self.start = normalize(self.start, self.start_precision)
            self.sure_from = self.start_date.latest
        if self.end is not None:
            self.end = normalize(self.end, self.end_precision)
            self.sure_until = self.end_date.earliest
            self.maybe_until = self.end_date.latest
        else:
            self.end_precision = Precision.DAY
            self.sure_until = self.maybe_until = None

    def clean_interval(self) -> None:
        """The end may not surely lie before the start."""
        if self.start is None:
            return
        self.set_derived_dates()
        if self.end is not None and self.end_date.latest < self.start_date.earliest:
            raise ValidationError(
                {
                    "end": _("The end (%(end)s) is before the start (%(start)s).")
                    % {"end": self.end_date, "start": self.start_date}
                }
            )

    def surely_overlaps(self, other: Interval) -> bool:
        """True when both intervals certainly cover at least one common day."""
        lo = max(self.sure_from, other.sure_from)
        ends = [d for d in (self.sure_until, other.sure_until) if d is not None]
        return not ends or lo < min(ends)

    def possibly_covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.maybe_until is None or day < self.maybe_until)

    def surely_covers(self, day: dt.date) -> bool:
        return self.sure_from <= day and (self.sure_until is None or day < self.sure_until)

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
        # never a value seen before, even after a restore from an older backup: the counter
        # moves to the current microsecond when that is ahead of it
        now = time.time_ns() // 1000
        now_value = models.Value(now, output_field=models.BigIntegerField())
        updated = cls.objects.filter(pk=1).update(value=Greatest(models.F("value") + 1, now_value))
        if not updated:
            cls.objects.get_or_create(pk=1, defaults={"value": now})

    def __str__(self):
        return f"registry version {self.value}"

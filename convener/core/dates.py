"""Dates known to a year, a month or a day.

Historical records of who led what often say only "1994-1998" or "2013-09". A
:class:`PartialDate` keeps what is known and nothing more: it stands for the whole period it
names, from its earliest to its latest possible day. Comparisons are honest: two partial
dates are ordered only when every possible day of one lies before every possible day of the
other; otherwise the answer is "unknown" (``None``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    YEAR = "year", _("year")
    MONTH = "month", _("month")
    DAY = "day", _("day")
    # no date at all: the records do not say (the date column is then empty)
    UNKNOWN = "unknown", _("not known")


# checked for every date the ORM loads; "unknown" is the absence of a date, never a PartialDate
_PRECISIONS = frozenset({Precision.YEAR, Precision.MONTH, Precision.DAY})
UNKNOWN_WORDS = frozenset({"unknown", "?", "not known"})  # how a file or the API says so
_PATTERN = re.compile(r"^\s*([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?\s*$")
_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

# The days any date of Convener may name, on every path in (forms, API, admin, importer, CLI
# and query parameters). A collaboration's records start well after 1900; a date past 2199 is
# a typo, and left in it would overflow the term arithmetic (a 20-year term added to
# 9999-12-31 is no date at all).
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)


def range_problem(day: dt.date) -> str | None:
    """Why ``day`` lies outside the dates Convener keeps, or None when it is within them."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if EARLIEST <= day <= LATEST:
        return None
    return f"{day.isoformat()} is outside the dates Convener keeps ({EARLIEST.year}–{LATEST.year})."


def parse_day(text: str) -> dt.date:
    """A full date ``YYYY-MM-DD`` within the dates Convener keeps; ``ValueError`` otherwise,
    with a message fit to show."""
    text = (text or "").strip()
    if not _ISO_DAY.match(text):
        raise ValueError(f"“{text}” is not a date: use the form YYYY-MM-DD, e.g. 2015-06-30.")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a real calendar date.") from None
    problem = range_problem(day)
    if problem:
        raise ValueError(problem)
    return day


def parse_year(text: str, first: int, last: int) -> int:
    """A year written in ASCII digits between ``first`` and ``last``; ``ValueError`` otherwise.
    (``str.isdigit`` accepts "²" and other digits ``int`` refuses.)"""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or not first <= int(text) <= last:
        raise ValueError(f"“{text}” is not a year between {first} and {last}.")
    return int(text)


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A calendar date known to ``precision``; ``value`` is the first day of that period."""

    value: dt.date
    precision: str = Precision.DAY

    def __post_init__(self):
        if self.precision not in _PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}")
        if self.precision == Precision.YEAR and (self.value.month, self.value.day) != (1, 1):
            raise ValueError("a year-precision date must be stored as 1 January")
        if self.precision == Precision.MONTH and self.value.day != 1:
            raise ValueError("a month-precision date must be stored as the 1st of the month")

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ``ValueError`` otherwise."""
        match = _PATTERN.match(text or "")
        if not match:
            raise ValueError(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = match.groups()
        try:
            if day is not None:
                parsed = cls(dt.date(int(year), int(month), int(day)), Precision.DAY)
            elif month is not None:
                parsed = cls(dt.date(int(year), int(month), 1), Precision.MONTH)
            else:
                parsed = cls(dt.date(int(year), 1, 1), Precision.YEAR)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a real calendar date ({exc})") from None
        problem = range_problem(parsed.earliest) or range_problem(parsed.latest)
        if problem:
            raise ValueError(problem)
        return parsed

    @classmethod
    def of(cls, value: dt.date | None, precision: str | None) -> PartialDate | None:
        if value is None:
            return None
        return cls(value, precision or Precision.DAY)

    @property
    def earliest(self) -> dt.date:
        return self.value

    @property
    def latest(self) -> dt.date:
        if self.precision == Precision.YEAR:
            return dt.date(self.value.year, 12, 31)
        if self.precision == Precision.MONTH:
            last = calendar.monthrange(self.value.year, self.value.month)[1]
            return self.value.replace(day=last)
        return self.value

    def is_before(self, other: PartialDate) -> bool | None:
        """True if surely before, False if surely not before, None if the data cannot say."""
        if self.latest < other.earliest:
            return True
        if self.earliest >= other.latest:
            return False
        return None

    def __str__(self) -> str:
        if self.precision == Precision.YEAR:
            return f"{self.value.year:04d}"
        if self.precision == Precision.MONTH:
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()


def continues(last_day: PartialDate | None, next_start: PartialDate | None) -> bool:
    """Whether a mandate starting ``next_start`` continues one whose last day in office was
    ``last_day``, judged at the coarser of the two precisions: at most one day later when both
    are known to the day, the same or the following month when the coarser is a month, the same
    or the following year when it is a year. A later start that the dates place before the
    last day (an overlap) continues too. An unknown date continues nothing."""
    if last_day is None or next_start is None:
        return False
    order = [Precision.YEAR, Precision.MONTH, Precision.DAY]
    coarse = min(order.index(last_day.precision), order.index(next_start.precision))
    a, b = last_day.value, next_start.value
    if coarse == 2:
        return (b - a).days <= 1
    if coarse == 1:
        return (b.year * 12 + b.month) - (a.year * 12 + a.month) <= 1
    return b.year - a.year <= 1


def normalize(value: dt.date, precision: str) -> dt.date:
    """The first day of the period ``value`` falls in, at ``precision``."""
    if precision == Precision.YEAR:
        return value.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return value.replace(day=1)
    return value


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the end of a shorter month."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))

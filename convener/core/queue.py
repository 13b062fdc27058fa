"""Work queued as rows of the database and done by ``convener worker``: no broker. A row is
taken by one worker at a time (locked, skipping rows another worker holds), marked as taken in
that short transaction, then worked on outside it, so that the work may take its own
transactions and write its progress where others can read it.

Knows nothing of what the rows are: the domain says which rows wait, how a row is marked as
taken and what working on it means."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import models, transaction

Row = TypeVar("Row", bound=models.Model)


def run_queued(
    waiting: models.QuerySet[Row],
    *,
    take: Callable[[Row], object],
    work: Callable[[Row], object],
    limit: int = 1,
) -> int:
    """Take the first row of ``waiting`` (an ordered queryset of the rows still to do) and
    call ``take(row)`` inside the transaction that locks it (it must save the row as no
    longer waiting), then ``work(row)`` after that transaction; up to ``limit`` rows, one at
    a time. Returns how many rows were worked on. Two workers never take the same row."""
    done = 0
    for _ in range(limit):
        row = take_next(waiting, take=take)
        if row is None:
            return done
        work(row)
        done += 1
    return done


def take_next(waiting: models.QuerySet[Row], *, take: Callable[[Row], object]) -> Row | None:
    """Take the first row of ``waiting`` under a lock that skips rows another worker holds,
    calling ``take(row)`` in that transaction; None when no row is left to take."""
    with transaction.atomic():
        row = waiting.select_for_update(skip_locked=True).first()
        if row is None:
            return None
        take(row)
    return row

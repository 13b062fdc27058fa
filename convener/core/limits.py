"""What one import may hold, whatever imports it: the registry's files (``convener import`` and
its upload page) and the training completions (``convener import_completions`` and its page).

- a file may not be larger than ``IMPORT_MAX_BYTES`` (``CONVENER_IMPORT_MAX_MB``);
- no kind may have more than ``IMPORT_MAX_ROWS`` rows (``CONVENER_IMPORT_MAX_ROWS``);
- a report lists at most ``REPORT_MAX_LISTED`` problems, and counts the rest by kind of
  problem, so a file with a problem on every row does not make a page of megabytes.

The queries that look rows up go a chunk at a time (``convener.core.batch.chunked``).
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings

REPORT_MAX_LISTED = 200


def mb(size: int) -> str:
    return f"{size / 2**20:,.1f} MB"


def size_problem(name: str, size: int) -> str | None:
    """Why a file of ``size`` bytes may not be imported (too large), or None."""
    if size <= settings.IMPORT_MAX_BYTES:
        return None
    return (
        f"{name}: {mb(size)}, larger than the limit of {mb(settings.IMPORT_MAX_BYTES)} "
        "per file (CONVENER_IMPORT_MAX_MB); split the file"
    )


def rows_problem(where: str, found: int) -> str | None:
    """Why ``found`` rows of one kind may not be imported (too many), or None."""
    if found <= settings.IMPORT_MAX_ROWS:
        return None
    return (
        f"{where}: {found:,} rows, more than the limit of {settings.IMPORT_MAX_ROWS:,} rows "
        "per kind (CONVENER_IMPORT_MAX_ROWS); split the file"
    )


def summarize(problems: list, key) -> tuple[list, list[tuple[str, int]]]:
    """The problems a report lists (the first ``REPORT_MAX_LISTED``) and, for the rest, how
    many there are of each kind (``key(problem)`` names the kind), most frequent first."""
    listed = problems[:REPORT_MAX_LISTED]
    rest = Counter(key(p) for p in problems[REPORT_MAX_LISTED:])
    return listed, rest.most_common()

"""Imports as background jobs: queued by the upload page (large files) and by
``convener import --queue``, run by ``convener worker`` (no broker: a row in the database, taken
by one worker at a time), with their progress written as they go.

The import runs in one transaction (all or nothing), so its progress is written beside it:
through a second database connection where the database takes a second writer (PostgreSQL),
or in a small file beside the SQLite database, which has one writer at a time."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
import traceback
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from convener.core import queue

from .importer import ImportFileError, import_tables
from .models import ImportJob
from .reading import read_tables

PROGRESS_EVERY = 0.5  # seconds between two writes of the progress


def queue_import(file_name: str, content: bytes, *, user=None, dry_run: bool = False) -> ImportJob:
    """Leave the import of ``content`` (a file named ``file_name``) to the worker; refused
    with ``ImportFileError`` when the file is larger than the import limit."""
    name = Path(file_name).name
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            f"{name}: {len(content) / 2**20:,.1f} MB, larger than the limit of "
            f"{settings.IMPORT_MAX_BYTES / 2**20:,.1f} MB per file (CONVENER_IMPORT_MAX_MB)"
        )
    return ImportJob.objects.create(
        file_name=name, content=content, dry_run=dry_run, requested_by=user
    )


def run_queued(limit: int = 1) -> int:
    """Run the oldest queued imports (the worker's job); returns how many ran. First marks
    failed the imports a stopped worker left running (``reclaim_stale``)."""
    reclaim_stale()
    return queue.run_queued(
        ImportJob.objects.filter(state=ImportJob.State.QUEUED).order_by("requested_at", "pk"),
        take=_take,
        work=run,
        limit=limit,
    )


def _take(job: ImportJob) -> None:
    job.state = ImportJob.State.RUNNING
    job.started_at = job.alive_at = timezone.now()
    job.save(update_fields=["state", "started_at", "alive_at"])


def last_sign_of_life(job: ImportJob):
    """When the worker importing ``job`` last showed it was alive: taking it, or writing its
    progress (in the database, or on SQLite in the progress file beside it)."""
    seen = job.alive_at or job.started_at or job.requested_at
    try:
        written = _progress_file(job).stat().st_mtime
    except OSError:
        return seen
    return max(seen, dt.datetime.fromtimestamp(written, tz=dt.UTC))


def is_stale(job: ImportJob, now=None) -> bool:
    """Running, with no sign of life for ``IMPORT_JOB_TIMEOUT``: its worker stopped."""
    now = now or timezone.now()
    return (
        job.state == ImportJob.State.RUNNING
        and now - last_sign_of_life(job) > settings.IMPORT_JOB_TIMEOUT
    )


def reclaim_stale(now=None) -> int:
    """Mark failed, with a message saying so, every import left running by a worker that
    stopped (``is_stale``), and forget its file; returns how many. Nothing of such an import
    was written: it runs in one transaction, which the database rolled back when the
    worker's connection went."""
    now = now or timezone.now()
    candidates = ImportJob.objects.filter(
        state=ImportJob.State.RUNNING, started_at__lt=now - settings.IMPORT_JOB_TIMEOUT
    ).defer("content", "report")
    reclaimed = 0
    for job in candidates:
        if not is_stale(job, now):
            continue
        seen = timezone.localtime(last_sign_of_life(job))
        reclaimed += ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.RUNNING).update(
            state=ImportJob.State.FAILED,
            error=(
                f"the worker importing it stopped: no sign of it since {seen:%Y-%m-%d %H:%M}, "
                f"more than {_minutes(settings.IMPORT_JOB_TIMEOUT)} before "
                f"{timezone.localtime(now):%H:%M}"
            ),
            content=None,
            progress_note="",
            finished_at=now,
        )
        _progress_file(job).unlink(missing_ok=True)
    return reclaimed


def _minutes(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def run(job: ImportJob, progress=None) -> ImportJob:
    """Import the job's file all-or-nothing, writing its progress as it goes (and telling
    ``progress(percent, note)`` too); store the report, forget the file."""
    writer = _ProgressWriter(job, progress)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / job.file_name
            path.write_bytes(bytes(job.content or b""))
            writer(0, 1, "Reading the file")
            tables = read_tables(path)
        report = import_tables(tables, dry_run=job.dry_run, progress=writer, user=job.requested_by)
    except ImportFileError as error:
        result = {"ok": False, "file_error": str(error)}
        state, message = ImportJob.State.DONE, ""
    except Exception as error:  # noqa: BLE001 - a failed job must say why, and free the worker
        where = traceback.extract_tb(error.__traceback__)[-1]
        result, state = None, ImportJob.State.FAILED
        message = (
            f"{type(error).__name__} in {where.name} ({Path(where.filename).name}:{where.lineno})"
        )
    else:
        result = report_data(report)
        state, message = ImportJob.State.DONE, ""
    finally:
        writer.close()
    ImportJob.objects.filter(pk=job.pk).update(
        state=state,
        report=result,
        error=message,
        content=None,
        progress=100 if state == ImportJob.State.DONE else job.progress,
        progress_note="",
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def report_data(report, *, problems: int = 500, warnings: int = 200) -> dict:
    """What a job keeps of a report: the counts, the first problems and warnings."""
    return {
        "ok": report.ok,
        "summary": report.summary(),
        "problem_count": len(report.problems),
        "problems": [_problem_data(p) for p in report.problems[:problems]],
        "warning_count": len(report.warnings),
        "warnings": [_problem_data(p) for p in report.warnings[:warnings]],
    }


def _problem_data(problem) -> dict:
    return {
        "kind": problem.kind,
        "row": problem.row,
        "column": problem.column,
        "value": problem.value,
        "problem": problem.problem,
        "text": str(problem),
    }


def progress_of(job: ImportJob) -> tuple[int, str]:
    """The job's progress as last written (percent, what it is doing)."""
    if job.state == ImportJob.State.RUNNING:
        path = _progress_file(job)
        try:
            data = json.loads(path.read_text())
            return int(data["percent"]), str(data["note"])
        except (OSError, ValueError, KeyError):
            pass
    return job.progress, job.progress_note


def _progress_file(job: ImportJob) -> Path:
    return Path(settings.VAR_DIR) / "import-jobs" / f"{job.pk}.json"


class _ProgressWriter:
    """Told (rows done, rows, note) by the importer; writes the job's progress outside the
    import's transaction, at most every ``PROGRESS_EVERY`` seconds."""

    def __init__(self, job: ImportJob, tell=None):
        self.job, self.tell = job, tell
        self.last = 0.0
        self.side = None
        self.file = None
        if connection.vendor == "sqlite":
            self.file = _progress_file(job)
        else:
            self.side = connections.create_connection(connection.alias)

    def __call__(self, done: int, total: int, note: str) -> None:
        percent = min(99, done * 100 // max(total, 1))
        if self.tell is not None:
            self.tell(percent, note)
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        if self.file is not None:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.file.with_suffix(".tmp")
            temporary.write_text(json.dumps({"percent": percent, "note": note}))
            temporary.replace(self.file)
            return
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} "  # noqa: S608
                "SET progress = %s, progress_note = %s, alive_at = %s WHERE id = %s",
                [percent, note[:200], timezone.now(), self.job.pk],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
        if self.file is not None:
            self.file.unlink(missing_ok=True)

"""Imports as background jobs: queued by the upload page (large files) and by
``convener import --queue``, run by ``convener worker`` (no broker: a row in the database, taken
by one worker at a time), with their progress written as they go.

The import runs in one transaction (all or nothing), so its progress is written beside it:
through a second database connection where the database takes a second writer (PostgreSQL),
or in a small file beside the SQLite database, which has one writer at a time."""

from __future__ import annotations

import json
import tempfile
import time
import traceback
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

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
    """Run the oldest queued imports (the worker's job); returns how many ran."""
    done = 0
    for _ in range(limit):
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update(skip_locked=True)
                .filter(state=ImportJob.State.QUEUED)
                .order_by("requested_at", "pk")
                .first()
            )
            if job is None:
                return done
            job.state = ImportJob.State.RUNNING
            job.started_at = timezone.now()
            job.save(update_fields=["state", "started_at"])
        run(job)
        done += 1
    return done


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
                f"UPDATE {ImportJob._meta.db_table} SET progress = %s, progress_note = %s "  # noqa: S608
                "WHERE id = %s",
                [percent, note[:200], self.job.pk],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
        if self.file is not None:
            self.file.unlink(missing_ok=True)

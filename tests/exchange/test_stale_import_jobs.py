"""An import whose worker died (killed, out of memory, the machine restarted) does not stay
"Importing" for ever: with no sign of life for the timeout, the next worker round marks it
failed, says why, and forgets the file; its page says so before and after."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from convener.exchange import jobs
from convener.exchange.models import ImportJob
from convener.people.models import Person

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _timeout(settings, tmp_path):
    settings.IMPORT_JOB_TIMEOUT = dt.timedelta(minutes=15)
    settings.TIME_ZONE = "UTC"
    settings.VAR_DIR = tmp_path  # where SQLite's progress files go


def left_running(taken_at, *, user=None, alive_at=None) -> ImportJob:
    """A job a worker took at ``taken_at`` and then died while importing."""
    job = jobs.queue_import("people.csv", b"id,name\np1,Ada Lovelace\n", user=user)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.RUNNING,
        started_at=taken_at,
        alive_at=alive_at or taken_at,
        progress=40,
        progress_note="people: row 1 of 1",
    )
    job.refresh_from_db()
    return job


def test_a_job_silent_for_more_than_the_timeout_is_marked_failed_with_the_reason():
    job = left_running(dt.datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    assert jobs.reclaim_stale(now=dt.datetime(2026, 11, 28, 9, 16, tzinfo=UTC)) == 1
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.error == (
        "the worker importing it stopped: no sign of it since 2026-11-28 09:00, "
        "more than 15 minutes before 09:16"
    )
    assert job.content is None  # the file is forgotten, as after any finished import
    assert job.finished_at == dt.datetime(2026, 11, 28, 9, 16, tzinfo=UTC)
    assert Person.objects.count() == 0


def test_a_job_within_the_timeout_is_left_running():
    job = left_running(dt.datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    assert jobs.reclaim_stale(now=dt.datetime(2026, 11, 28, 9, 14, tzinfo=UTC)) == 0
    job.refresh_from_db()
    assert job.state == "running" and job.content is not None


def test_progress_written_recently_keeps_a_long_import_alive():
    """Taken an hour ago, but its progress was written two minutes ago (PostgreSQL)."""
    job = left_running(
        dt.datetime(2026, 11, 28, 8, 0, tzinfo=UTC),
        alive_at=dt.datetime(2026, 11, 28, 8, 58, tzinfo=UTC),
    )
    assert jobs.reclaim_stale(now=dt.datetime(2026, 11, 28, 9, 0, tzinfo=UTC)) == 0
    job.refresh_from_db()
    assert job.state == "running"


def test_the_progress_file_counts_as_a_sign_of_life_on_sqlite(tmp_path):
    job = left_running(dt.datetime(2026, 11, 28, 8, 0, tzinfo=UTC))
    progress = tmp_path / "import-jobs" / f"{job.pk}.json"
    progress.parent.mkdir()
    progress.write_text('{"percent": 60, "note": "people: row 1 of 1"}')
    written = dt.datetime(2026, 11, 28, 8, 55, tzinfo=UTC).timestamp()
    os.utime(progress, (written, written))
    assert jobs.reclaim_stale(now=dt.datetime(2026, 11, 28, 9, 0, tzinfo=UTC)) == 0
    assert jobs.reclaim_stale(now=dt.datetime(2026, 11, 28, 9, 11, tzinfo=UTC)) == 1
    job.refresh_from_db()
    assert "no sign of it since 2026-11-28 08:55" in job.error
    assert not progress.exists()


def test_queued_and_finished_jobs_are_never_reclaimed():
    queued = jobs.queue_import("people.csv", b"id,name\np1,Ada Lovelace\n")
    ImportJob.objects.filter(pk=queued.pk).update(requested_at=dt.datetime(2026, 11, 1, tzinfo=UTC))
    done = left_running(dt.datetime(2026, 11, 1, tzinfo=UTC))
    ImportJob.objects.filter(pk=done.pk).update(state=ImportJob.State.DONE)
    assert jobs.reclaim_stale(now=dt.datetime(2026, 11, 28, tzinfo=UTC)) == 0
    assert set(ImportJob.objects.values_list("state", flat=True)) == {"queued", "done"}


def test_the_worker_round_reclaims_the_dead_job_and_runs_the_next_one():
    dead = left_running(timezone.now() - dt.timedelta(minutes=16))
    waiting = jobs.queue_import("people.csv", b"id,name\np2,Grace Hopper\n")
    assert jobs.run_queued() == 1
    dead.refresh_from_db()
    waiting.refresh_from_db()
    assert dead.state == "failed" and "the worker importing it stopped" in dead.error
    assert waiting.state == "done" and waiting.ok
    assert list(Person.objects.values_list("name", flat=True)) == ["Grace Hopper"]


def test_taking_a_job_is_its_first_sign_of_life():
    job = jobs.queue_import("people.csv", b"id,name\np1,Ada Lovelace\n")
    before = timezone.now()
    jobs.run_queued()
    job.refresh_from_db()
    assert job.state == "done"
    assert before <= job.alive_at <= job.finished_at


def test_the_page_of_a_silent_job_says_the_worker_stopped_then_that_it_failed(client, login):
    manager = login("manager")
    job = left_running(dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC), user=manager)
    page = client.get(f"/import/jobs/{job.pk}/").content.decode()
    assert "The worker seems to have stopped." in page
    assert "No sign of it since 2026-11-20 09:00" in page
    progress = client.get(f"/import/jobs/{job.pk}/progress.json").json()
    assert progress["note"] == "no sign of the worker since 09:00"
    jobs.reclaim_stale()
    page = client.get(f"/import/jobs/{job.pk}/").content.decode()
    assert "The worker seems to have stopped." not in page
    assert (
        "The import failed (the worker importing it stopped: no sign of it since "
        "2026-11-20 09:00" in page
    )
    assert "Upload the file again" in page


def test_the_page_of_a_job_at_work_says_nothing_of_a_stopped_worker(client, login):
    manager = login("manager")
    job = left_running(timezone.now() - dt.timedelta(minutes=1), user=manager)
    page = client.get(f"/import/jobs/{job.pk}/").content.decode()
    assert "The worker seems to have stopped." not in page
    assert "<progress" in page


def test_the_upload_page_lists_a_silent_job_as_stopped(client, login):
    manager = login("manager")
    left_running(dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC), user=manager)
    page = client.get("/import/").content.decode()
    assert "Importing: the worker seems to have stopped" in page

"""The one claim-and-work loop of the worker's queues (imports, reviews): oldest first, each
row taken once, marked taken before its work starts, and as many as asked."""

import pytest

from convener.core import queue
from convener.exchange.models import ImportJob

pytestmark = pytest.mark.django_db


def _jobs(*names):
    return [ImportJob.objects.create(file_name=n, content=b"") for n in names]


def _waiting():
    return ImportJob.objects.filter(state=ImportJob.State.QUEUED).order_by("requested_at", "pk")


def test_rows_are_taken_oldest_first_up_to_the_limit_and_each_once():
    _jobs("a.csv", "b.csv", "c.csv")
    seen = []

    def take(job):
        job.state = ImportJob.State.RUNNING
        job.save(update_fields=["state"])

    def work(job):
        # taken before the work starts, and visible as taken to everyone
        seen.append((job.file_name, ImportJob.objects.get(pk=job.pk).state))

    assert queue.run_queued(_waiting(), take=take, work=work, limit=2) == 2
    assert seen == [("a.csv", "running"), ("b.csv", "running")]
    assert queue.run_queued(_waiting(), take=take, work=work, limit=5) == 1
    assert seen[-1] == ("c.csv", "running")
    assert queue.run_queued(_waiting(), take=take, work=work) == 0


def test_a_row_that_is_not_marked_taken_would_be_taken_again():
    """The helper trusts ``take`` to move the row out of the waiting rows: the same row comes
    back when it does not (which is why both queues mark it running)."""
    _jobs("a.csv")
    seen = []
    queue.run_queued(_waiting(), take=lambda job: None, work=lambda j: seen.append(j.pk), limit=2)
    assert len(seen) == 2 and seen[0] == seen[1]

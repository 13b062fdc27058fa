"""Independent pieces of one long computation, spread over the machine's cores.

``run(work, jobs)`` returns ``[work(job) for job in jobs]``, in order. With more than one
job and ``settings.WORKER_PROCESSES`` above 1, the jobs run in that many forked processes,
most costly first, so that the longest does not start last. Forked, not spawned: a child
starts at once with everything the parent imported. A child must not touch the database
(it shares the parent's connection); it computes from its job and returns a picklable
result. It ends with ``os._exit`` (multiprocessing's way), so nothing of the parent's, such as
that connection, is closed or flushed by it."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from django.conf import settings
from django.views.decorators.debug import sensitive_variables


# the jobs and their results may be anything, answers included: never in an error report
@sensitive_variables()
def run(
    work: Callable,
    jobs: Sequence,
    *,
    cost: Callable | None = None,
    processes: int | None = None,
    done: Callable[[int], None] | None = None,
) -> list:
    """``work`` applied to every job; ``cost(job)`` estimates which to start first, and
    ``done(n)`` is told each time another job has finished (n of them so far)."""
    jobs = list(jobs)
    processes = min(processes or settings.WORKER_PROCESSES, len(jobs))
    if processes <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        results = []
        for job in jobs:
            results.append(work(job))
            if done:
                done(len(results))
        return results
    order = sorted(range(len(jobs)), key=lambda i: -cost(jobs[i])) if cost else range(len(jobs))
    results: list = [None] * len(jobs)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        futures = {pool.submit(work, jobs[i]): i for i in order}
        for n, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if done:
                done(n)
    return results

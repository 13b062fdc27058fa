"""Independent pieces of one long computation, spread over the machine's cores.

``run(work, jobs)`` returns ``[work(job) for job in jobs]``, in order. With more than one
job and ``settings.WORKER_PROCESSES`` above 1, the jobs run in that many processes, most
costly first, so that the longest does not start last. The processes come from a fork
server: a clean process that has imported ``work``'s module and nothing of the caller's
state, so no database connection, lock or library thread of the caller is inherited.
``work`` must therefore be a module-level function computing from its job alone (no
database), and jobs and results must be picklable."""

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
    if processes <= 1 or "forkserver" not in multiprocessing.get_all_start_methods():
        results = []
        for job in jobs:
            results.append(work(job))
            if done:
                done(len(results))
        return results
    order = sorted(range(len(jobs)), key=lambda i: -cost(jobs[i])) if cost else range(len(jobs))
    results: list = [None] * len(jobs)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([work.__module__])  # used when the server first starts
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        futures = {pool.submit(work, jobs[i]): i for i in order}
        for n, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if done:
                done(n)
    return results

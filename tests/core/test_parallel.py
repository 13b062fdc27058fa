"""Independent jobs spread over processes: the answers come back in the jobs' order, the
work really happens in other processes, and a failure in a child is the caller's failure."""

import os

import pytest

from convener.core import parallel


def square_and_pid(job):
    return job * job, os.getpid()


def fail_on_three(job):
    if job == 3:
        raise ValueError("three")
    return job


def test_results_come_back_in_the_order_of_the_jobs_from_other_processes():
    seen = []
    out = parallel.run(
        square_and_pid, [4, 1, 3, 2], processes=2, cost=lambda j: j, done=seen.append
    )
    assert [square for square, _ in out] == [16, 1, 9, 4]
    pids = {pid for _, pid in out}
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 2
    assert seen == [1, 2, 3, 4]


def test_one_process_computes_here_in_order(settings):
    settings.WORKER_PROCESSES = 1
    seen = []
    out = parallel.run(square_and_pid, [2, 5], done=seen.append)
    assert out == [(4, os.getpid()), (25, os.getpid())]
    assert seen == [1, 2]


def test_the_setting_decides_how_many_processes(settings):
    settings.WORKER_PROCESSES = 2
    out = parallel.run(square_and_pid, [1, 2, 3])
    assert os.getpid() not in {pid for _, pid in out}


def test_a_single_job_is_computed_here(settings):
    settings.WORKER_PROCESSES = 4
    assert parallel.run(square_and_pid, [7]) == [(49, os.getpid())]


def test_a_failure_in_a_child_is_raised_to_the_caller_with_text_only():
    """The child's traceback comes back as text, without the variables of its frames: an
    error report shows the lines, never the job."""
    with pytest.raises(ValueError, match="three") as raised:
        parallel.run(fail_on_three, [1, 2, 3, 4], processes=2)
    remote = raised.value.__cause__
    assert "fail_on_three" in str(remote) and 'raise ValueError("three")' in str(remote)
    assert remote.__traceback__ is None


def test_the_processes_do_not_share_the_callers_state():
    """A fork server's processes start clean: what the caller changed after importing the
    module is not seen there (no connection, lock or thread of the caller is inherited)."""
    global MARK
    MARK = "changed by the caller"
    try:
        out = parallel.run(read_mark, [1, 2], processes=2)
    finally:
        MARK = "as imported"
    assert out == ["as imported", "as imported"]


MARK = "as imported"


def read_mark(job):
    return MARK

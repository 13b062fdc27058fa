"""Periodic jobs, registered by the domains that own them and run by ``convener worker``.

The worker knows no domain: each app registers its jobs in its ``AppConfig.ready()``
(nominations closes calls and reminds nominees, training reminds people of courses, org
tells holders and managers that terms end, site sends the weekly digest). A job takes no
arguments, is safe to run as often as wanted, and returns what it did (a count or a dict).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import IntegrityError, transaction

from .models import Notice

log = logging.getLogger(__name__)
_jobs: dict[str, Callable[[], object]] = {}


def register(name: str, job: Callable[[], object]) -> None:
    """Add ``job`` to what the worker runs, under ``name`` (registering a name again
    replaces it, so a reloaded app does not run its jobs twice)."""
    _jobs[name] = job


def registered() -> dict[str, Callable[[], object]]:
    return dict(_jobs)


def run_all() -> dict[str, object]:
    """Run every registered job; one job's failure is logged and does not stop the others."""
    results = {}
    for name, job in _jobs.items():
        try:
            results[name] = job()
        except Exception:
            log.exception("periodic job %s failed", name)
            results[name] = "failed"
    return results


def once(kind: str, key: str) -> bool:
    """Record that the ``kind`` notice about ``key`` is being queued; False if it already
    was. Call inside the transaction that queues the mail, so both or neither are kept."""
    try:
        with transaction.atomic():
            Notice.objects.create(kind=kind, key=key[:120])
    except IntegrityError:
        return False
    return True

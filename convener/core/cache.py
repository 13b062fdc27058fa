"""Page caching that never serves stale data and survives a cache outage."""

from __future__ import annotations

import logging

from django.core.cache import cache

log = logging.getLogger(__name__)


def get(key: str):
    try:
        return cache.get(key)
    except Exception:  # Redis down: serve uncached rather than fail
        log.warning("cache unavailable; serving %s uncached", key.split(":")[0])
        return None


def set(key: str, value, timeout: int = 86400) -> None:  # noqa: A001 - mirrors cache.set
    try:
        cache.set(key, value, timeout)
    except Exception:
        log.warning("cache unavailable; %s not stored", key.split(":")[0])

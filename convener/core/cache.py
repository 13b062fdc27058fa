"""Page caching that never serves stale data and survives a cache outage."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

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


# Whole pages for visitors without cookies (the public, crawlers, the reverse proxy's
# health checks), served by RegistryPageCacheMiddleware before the rest of the stack runs.
# Anything that could make a page personal (a session, a CSRF token, pending messages)
# comes with a cookie, so a cookieless request sees what every other cookieless request
# sees. The key holds the registry's version, read from the database on every request, so
# a change shows at once on every process; a small per-process memo of the newest pages
# saves the trip to Redis and can never be stale for the same reason.
_memo: dict[str, tuple[bytes, list[tuple[str, str]]]] = {}
_MEMO_SIZE = 32


def registry_page(view):
    """Mark a public view whose page depends only on the registry, the day and its URL."""
    view.registry_page = True
    return view


def page_key(version: int, full_path: str) -> str:
    # the "2" is the layout of the cached value: a release that changes it changes the key
    return f"page2:{version}:{timezone.localdate().isoformat()}:{full_path}"


def cached_page(key: str) -> HttpResponse | None:
    hit = _memo.get(key)
    if hit is None:
        hit = get(key)
        if hit is None:
            return None
        _remember(key, hit)
    content, headers = hit
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    response["Content-Length"] = str(len(content))
    return response


def keep_page(key: str, response) -> None:
    if response.status_code != 200 or response.streaming or response.cookies:
        return
    patch_vary_headers(response, ["Cookie"])
    headers = [(k, v) for k, v in response.items() if k.lower() != "content-length"]
    page = (response.content, headers)
    set(key, page)
    _remember(key, page)


def forget_local_pages() -> None:
    """Empty this process's memos of pages and derived values (the tests and the bench start
    each page cold)."""
    _memo.clear()
    _derived.clear()


def _remember(key: str, page) -> None:
    if key not in _memo:
        if len(_memo) >= _MEMO_SIZE:
            _memo.clear()
        _memo[key] = page


# What is computed from the registry alone (the succession model, junior participation, the
# API's lists) is computed once per registry version and day, and shared by every process
# through the cache. A per-process memo in front saves unpickling it again; it can never be
# stale, the registry's version being part of its key. Callers never change what they get.
_derived: dict[str, object] = {}
_DERIVED_SIZE = 16
_MISSING = object()


def registry_derived(name: str, compute, *parts, version: int | None = None):
    """``compute()``, once per registry version, day and ``parts`` (the arguments it depends
    on, as strings) for all processes. Falls back to computing when the cache is down."""
    from .models import RegistryVersion

    if version is None:
        version = RegistryVersion.current()
    key = ":".join(["derived1", name, str(version), timezone.localdate().isoformat(), *parts])
    value = _derived.get(key, _MISSING)
    if value is not _MISSING:
        return value
    value = get(key)
    if value is None:
        value = compute()
        set(key, value)
    if len(_derived) >= _DERIVED_SIZE:
        _derived.clear()
    _derived[key] = value
    return value

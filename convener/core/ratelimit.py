"""Rate limits on actions a person can repeat to make Convener send mail (asking a previous
holder, nominating, password reset, confirmation links): counted per account, or per client
address for anonymous requests (``core.net.client_address``), in the shared cache (Redis in
production, so every process counts together). Beyond the limit the action is refused with
a 429 that says when to try again; nothing is sent."""

from __future__ import annotations

import logging
from functools import wraps

from django.shortcuts import render
from django_ratelimit.core import get_usage

log = logging.getLogger(__name__)


def usage(request, group: str, rate: str) -> dict | None:
    """Count one more use of ``group`` by this requester; None when the cache cannot say
    (with Redis down, the action is allowed rather than refused to everyone)."""
    try:
        return get_usage(request, group=group, key="user_or_ip", rate=rate, increment=True)
    except Exception:  # any cache failure: log it, do not block the person
        log.warning("rate limit of %s not counted: the cache is unavailable", group)
        return None


def mail_rate_limited(rate: str):
    """For a view whose POST sends mail: at most ``rate`` (e.g. "5/h") POSTs per requester."""

    def decorator(view):
        group = f"mail:{view.__module__}.{view.__qualname__}"

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                counted = usage(request, group, rate)
                if counted is not None and counted["count"] > counted["limit"]:
                    minutes = max(1, -(-counted["time_left"] // 60))
                    response = render(
                        request,
                        "core/too_many.html",
                        {"limit": counted["limit"], "minutes": minutes},
                        status=429,
                    )
                    response["Retry-After"] = str(max(1, counted["time_left"]))
                    return response
            return view(request, *args, **kwargs)

        wrapped.convener_mail_rate = rate
        return wrapped

    return decorator

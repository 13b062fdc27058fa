"""The address a request really comes from, behind the reverse proxies the deployment trusts
(``CONVENER_TRUSTED_PROXIES``). Sign-in throttling and rate limits count per this address."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=4)
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request) -> str:
    """``REMOTE_ADDR``, unless the connection comes from a trusted proxy: then the nearest
    address in ``X-Forwarded-For`` that is not a trusted proxy itself.

    Each proxy appends the address it saw to the right of ``X-Forwarded-For``; anything to
    the left of that may have been written by the client. So the list is read from the right,
    skipping trusted proxies, and the first other address is the client. A request that does
    not come from a trusted proxy is taken at its word: its header is ignored."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    peer = _address(remote)
    if not networks or peer is None or not any(peer in n for n in networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for item in reversed(forwarded):
        address = _address(item)
        if address is None:
            return remote  # a proxy wrote something unreadable: count it as the proxy's
        if not any(address in n for n in networks):
            return str(address)
    return remote

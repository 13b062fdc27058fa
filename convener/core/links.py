"""``reverse`` for the registry's pages, which every chart, list and export calls thousands of
times: the pattern of a URL name is reversed once (per URL configuration and script prefix)
and the slug put in its place."""

from __future__ import annotations

from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse

_PLACEHOLDER = "SLUG-PLACEHOLDER-7f3a"
_patterns: dict[tuple, tuple[str, str]] = {}


def slug_url(name: str, slug: str | None = None) -> str:
    """``reverse(name, args=[slug])`` for a URL whose one argument is a slug, or
    ``reverse(name)`` without one."""
    key = (name, slug is None, get_urlconf(), get_script_prefix())
    parts = _patterns.get(key)
    if parts is None:
        if slug is None:
            parts = _patterns[key] = (reverse(name), "")
        else:
            head, _, tail = reverse(name, args=[_PLACEHOLDER]).partition(_PLACEHOLDER)
            parts = _patterns[key] = (head, tail)
    if slug is None:
        return parts[0]
    # what reverse would do to the argument (a slug is already safe, but never trusted)
    return parts[0] + quote(str(slug), safe="/~:@&=+$,!*'();-._") + parts[1]

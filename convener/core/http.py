"""Answers every app gives alike: a query parameter that cannot be read is a 400 page that
names the parameter and says what is wrong with it."""

from __future__ import annotations

from django.shortcuts import render


class BadQuery(ValueError):
    """A query parameter (``param``) that cannot be read, and why (``message``)."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


def bad_request(request, error: BadQuery):
    """The 400 page for ``error``: it names the parameter and offers the page without it."""
    return render(request, "core/bad_request.html", {"error": error}, status=400)


def bad_query(request, param: str, message: str):
    """Shorthand: the 400 page for parameter ``param`` and its ``message``."""
    return bad_request(request, BadQuery(param, message))

"""When the database goes away mid-request, say so plainly with a 503, not a 500."""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.shortcuts import render

log = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Every write runs in a transaction, so a lost connection leaves nothing half-written;
    the person is told to try again in a moment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)) or (
            isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
        ):
            log.error("database unavailable during %s %s", request.method, request.path)
            response = render(request, "503.html", status=503)
            response["Retry-After"] = "30"
            return response
        return None

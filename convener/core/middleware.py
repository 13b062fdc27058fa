"""Convener's own middleware: whole public pages from the cache, and a plain 503 when the
database goes away mid-request."""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.shortcuts import render
from django.urls import Resolver404, resolve

from . import cache
from .models import RegistryVersion

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


PAGE_PARAMS = {"on", "page", "unit"}  # the only query parameters the registry's pages read


class RegistryPageCacheMiddleware:
    """Serves the registry's public pages (views marked with ``cache.registry_page``) to
    visitors without cookies from the cache, with the headers the full stack gave them,
    before sessions, authentication and the view run. Placed right after WhiteNoise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or request.COOKIES:
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if not getattr(match.func, "registry_page", False) or set(request.GET) - PAGE_PARAMS:
            return self.get_response(request)  # made-up parameters do not fill the cache
        try:
            request.registry_version = RegistryVersion.current()
        except (OperationalError, InterfaceError):
            return self.get_response(request)  # the inner middleware answers with the 503
        key = cache.page_key(request.registry_version, request.get_full_path())
        response = cache.cached_page(key)
        if response is None:
            response = self.get_response(request)
            cache.keep_page(key, response)
        return response

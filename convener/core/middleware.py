"""Convener's own middleware: whole public pages from the cache, and a plain 503 when the
database goes away mid-request."""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers

from . import cache
from .http import bad_query
from .inputs import text_problem
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


class QueryTextMiddleware:
    """Query parameters follow the rule of every path in (``core.inputs``): a control
    character in a parameter's name or value gets a 400 naming it, before any view runs.
    (PostgreSQL refuses NUL outright: a NUL used in a lookup would otherwise be a 500.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            for text in (name, *values):
                problem = text_problem(text)
                if problem:
                    shown = name.encode("unicode_escape").decode("ascii")
                    message = f"The query parameter “{shown}” {problem}"
                    if request.path_info.startswith("/api/"):
                        return JsonResponse({shown: [message]}, status=400)
                    return bad_query(request, shown, message)
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing confidential stays in a browser's or a proxy's cache: every answer to a
    signed-in person (session or API token) and every answer of a view that needs a role is
    ``Cache-Control: no-store, private``. Anonymous answers of public views are unaffected
    (the registry's page cache keeps serving them)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)  # DRF's token authentication sets it too
        if getattr(request, "convener_confidential", False) or (
            user is not None and user.is_authenticated
        ):
            add_never_cache_headers(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        permission = getattr(view_func, "convener_permission", "")
        request.convener_confidential = permission.startswith("roles:")

"""Public pages: no login, no private data, a fixed number of queries each."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from convener.core import cache as page_cache
from convener.core.dates import parse_day
from convener.core.models import RegistryVersion
from convener.org import services
from convener.org.models import Appointment, OrgUnit, Position
from convener.people.models import Affiliation, Institution, MergedPerson, Person


class BadQuery(ValueError):
    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


def _day_param(request, name: str = "on") -> dt.date:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return timezone.localdate()
    try:
        return parse_day(raw)
    except ValueError as error:
        raise BadQuery(name, str(error)) from None


def _bad_request(request, error: BadQuery):
    return render(request, "site/bad_request.html", {"error": error}, status=400)


@require_safe
@page_cache.registry_page
def home(request):
    today = timezone.localdate()
    context = {
        "units": OrgUnit.objects.possibly_on(today).count(),
        "positions": Position.objects.possibly_on(today).count(),
        "holders": Appointment.objects.possibly_on(today).values("person").distinct().count(),
        "leaders_ever": Appointment.objects.values("person").distinct().count(),
    }
    return render(request, "site/home.html", context)


@require_safe
@page_cache.registry_page
def org_chart(request):
    try:
        day = _day_param(request)
    except BadQuery as error:
        return _bad_request(request, error)
    is_today = day == timezone.localdate()
    # keyed by the registry's version: any change to the registry makes a new key
    version = getattr(request, "registry_version", None) or RegistryVersion.current()
    key = f"org-chart:{day.isoformat()}:{is_today}:{version}"
    body = page_cache.get(key)
    if body is None:
        roots = services.org_chart(day)
        body = render_to_string(
            "site/_org_body.html",
            {
                "roots": roots,
                "day": day,
                "is_today": is_today,
                "vacancies": sum(r.count_vacancies() for r in roots),
            },
        )
        page_cache.set(key, body)
    return render(request, "site/org_chart.html", {"body": body, "day": day, "is_today": is_today})


@require_safe
@page_cache.registry_page
def position_detail(request, slug):
    position = get_object_or_404(
        Position.objects.select_related("unit__parent__parent__parent", "deputizes_for"),
        slug=slug,
    )
    try:
        day = _day_param(request)
    except BadQuery as error:
        return _bad_request(request, error)
    page = request.GET.get("page", 1)
    context = {
        "position": position,
        **services.position_page(position, day, page, today=timezone.localdate()),
    }
    return render(request, "site/position.html", context)


@require_safe
@page_cache.registry_page
def person_detail(request, slug):
    person = Person.objects.filter(slug=slug).first()
    if person is None:
        merged = get_object_or_404(MergedPerson.objects.select_related("into"), slug=slug)
        return redirect(merged.into, permanent=True)  # a duplicate merged into this record
    context = {"person": person, **services.person_page(person, timezone.localdate())}
    return render(request, "site/person.html", context)


@require_safe
@page_cache.registry_page
def institution_detail(request, slug):
    institution = get_object_or_404(Institution, slug=slug)
    today = timezone.localdate()
    # one affiliation must hold both conditions: at this institution, and (possibly) in force
    # on the day the role began; two joins would pair a role with a past affiliation
    at_start = Affiliation.objects.filter(
        person=OuterRef("person"),
        institution=institution,
        start__lte=OuterRef("start"),
    ).filter(Q(maybe_until__isnull=True) | Q(maybe_until__gt=OuterRef("start")))
    roles = (
        Appointment.objects.filter(Exists(at_start))
        .select_related("person", "position", "position__unit")
        .order_by("-start", "id")
    )
    context = {
        "institution": institution,
        "member_count": Affiliation.objects.possibly_on(today)
        .filter(institution=institution)
        .count(),
        "roles": list(roles[:200]),
        "today": today,
    }
    return render(request, "site/institution.html", context)


@require_safe
def search(request):
    query = request.GET.get("q", "")[:100]
    results = services.search(query)
    context = {"query": query, "too_short": 0 < len(query.strip()) < 2, **results}
    return render(request, "site/search.html", context)

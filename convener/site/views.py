"""Public pages: no login, no private data, a fixed number of queries each."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from convener.core import cache as page_cache
from convener.core.dates import parse_day
from convener.core.http import BadQuery, bad_request
from convener.core.models import RegistryVersion
from convener.core.permissions import role_required
from convener.core.roles import Role
from convener.org import services
from convener.org.models import Appointment, OrgUnit, Position
from convener.people import picker
from convener.people.models import Affiliation, Institution, MergedPerson, Person

from . import orgchart, tasks


def _day_param(request, name: str = "on") -> dt.date:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return timezone.localdate()
    try:
        return parse_day(raw)
    except ValueError as error:
        raise BadQuery(name, str(error)) from None


def _registry_counts(today: dt.date) -> dict[str, int]:
    """The home page's figures, in one query."""
    querysets = {
        "units": OrgUnit.objects.possibly_on(today),
        "positions": Position.objects.possibly_on(today),
        "holders": Appointment.objects.possibly_on(today).values("person").distinct(),
        "leaders_ever": Appointment.objects.values("person").distinct(),
    }
    parts, params = [], []
    for i, qs in enumerate(querysets.values()):
        sql, more = qs.order_by().query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS q{i})")
        params.extend(more)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(querysets, cursor.fetchone(), strict=True))


@require_safe
@page_cache.registry_page
def home(request):
    today = timezone.localdate()
    version = getattr(request, "registry_version", None) or RegistryVersion.current()
    counts = page_cache.registry_derived(
        "home-counts", lambda: _registry_counts(today), version=version
    )
    context = dict(counts)
    if request.user.is_authenticated:  # never from the page cache: signed-in visitors
        context["tasks"] = tasks.tasks_for(request.user, today, version)
    return render(request, "site/home.html", context)


def _chart_key(request, kind: str, day: dt.date, *extra: str) -> str:
    """A cache key for a chart of ``day``: the registry's version (any change makes a new
    key), today's date (what is "incoming" moves with it) and the unit asked for."""
    version = getattr(request, "registry_version", None) or RegistryVersion.current()
    unit = request.GET.get("unit", "").strip()[:80]
    return ":".join(
        [kind, day.isoformat(), timezone.localdate().isoformat(), unit, str(version), *extra]
    )


def _chart_tree(request, day: dt.date):
    """The tree for ``day`` (or the subtree named by ``?unit=``) and its incoming appointees."""
    roots = services.org_chart(day)
    slug = request.GET.get("unit", "").strip()
    if slug:
        node = orgchart.subtree(roots, slug)
        if node is None:
            raise BadQuery("unit", f"“{slug[:80]}” is not a unit that existed on {day}.")
        roots = [node]
    return roots, services.incoming_by_position(day, timezone.localdate())


@require_safe
@page_cache.registry_page
def org_chart(request):
    try:
        day = _day_param(request)
    except BadQuery as error:
        return bad_request(request, error)
    is_today = day == timezone.localdate()
    unit = request.GET.get("unit", "").strip()[:80]
    body = page_cache.get(key := _chart_key(request, "org-chart3", day))
    if body is None:
        try:
            roots, incoming = _chart_tree(request, day)
        except BadQuery as error:
            return bad_request(request, error)
        body = render_to_string(
            "site/_org_body.html",
            {
                "roots": roots,
                "day": day,
                "is_today": is_today,
                "vacancies": sum(r.count_vacancies() for r in roots),
                "svg": mark_safe(  # noqa: S308 - built with escape()
                    orgchart.render_svg(roots, day, incoming, standalone=False, is_today=is_today)
                ),
                "org_list": mark_safe(orgchart.render_list(roots, day, is_today, incoming)),  # noqa: S308 - built with escape()
                "incoming": incoming,
                "unit": unit,
                "subtree_units": [u for r in roots for u in _walk_units(r)],
            },
        )
        page_cache.set(key, body)
    return render(request, "site/org_chart.html", {"body": body, "day": day, "is_today": is_today})


def _walk_units(node):
    """The units with units under them (a subtree worth its own chart), top down."""
    if node.children:
        yield node.unit
    for child in node.children:
        yield from _walk_units(child)


_CHART_TYPES = {
    "svg": "image/svg+xml; charset=utf-8",
    "png": "image/png",
    "pdf": "application/pdf",
}


@require_safe
@page_cache.registry_page
def org_chart_download(request, fmt):
    """The chart as a file for slides and the website: SVG, PNG or PDF, for ``?on=`` and,
    with ``?unit=``, for one unit and everything under it."""
    try:
        day = _day_param(request)
    except BadQuery as error:
        return bad_request(request, error)
    # PNG and PDF take CairoSVG seconds for a whole collaboration: each is drawn once
    base_url = request.build_absolute_uri("/")[:-1]
    unit = request.GET.get("unit", "").strip()[:80]
    content = page_cache.get(key := _chart_key(request, f"org-chart-file:{fmt}", day, base_url))
    if content is None:
        try:
            roots, incoming = _chart_tree(request, day)
        except BadQuery as error:
            return bad_request(request, error)
        svg = orgchart.render_svg(
            roots,
            day,
            incoming,
            standalone=True,
            base_url=base_url,
            is_today=day == timezone.localdate(),
        )
        if fmt == "png":
            content = orgchart.to_png(svg)
        elif fmt == "pdf":
            content = orgchart.to_pdf(svg)
        else:
            content = svg.encode()
        page_cache.set(key, content)
    response = HttpResponse(content, content_type=_CHART_TYPES[fmt])
    name = f"org-chart-{day.isoformat()}{'-' + unit if unit else ''}.{fmt}"
    # inline: opened directly it shows in the browser; the page's links download it by name
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


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
        return bad_request(request, error)
    page = request.GET.get("page", "1")
    page = int(page) if page.isdigit() and len(page) < 7 else 1  # as the paginator reads it
    today = timezone.localdate()
    context = {
        "position": position,
        **services.position_page(position, day, page, today=today, with_succession=False),
        "incoming": orgchart.incoming_for(position, today),
    }
    # the succession, a page of up to a hundred rows, depends on the registry alone: drawn
    # once per registry version for every process
    version = getattr(request, "registry_version", None) or RegistryVersion.current()

    def succession():
        return render_to_string(
            "site/_succession.html",
            {
                "succession": services.succession_page(position, page),
                "day": day,
                "is_today": day == today,
            },
        )

    html = page_cache.registry_derived(
        "position-succession",
        succession,
        str(position.pk),
        day.isoformat(),
        str(page),
        version=version,
    )
    context["succession_html"] = mark_safe(html)  # noqa: S308 - rendered by the template engine
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


@role_required(*Role.values)
@require_safe
def person_search(request):
    """The person picker's matches: name, institution and current role, as JSON. Signed-in
    people only (the picker serves forms); the same facts are on the public person pages."""
    scope = request.GET.get("scope", "all")
    if scope not in picker.SCOPES:
        return JsonResponse(
            {"error": f"scope: “{scope[:40]}” is not one of {', '.join(picker.SCOPES)}."},
            status=400,
        )
    matches = picker.search_people(request.GET.get("q", "")[:100], scope=scope)
    return JsonResponse({"results": [m.as_json() for m in matches]})

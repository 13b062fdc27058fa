"""Succession dashboards (management), the public leadership database, and contact opt-in."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from convener.core import cache as page_cache
from convener.core import charts, listing, spreadsheet
from convener.core.dates import parse_day
from convener.core.http import bad_query
from convener.core.inputs import text_problem
from convener.core.models import RegistryVersion
from convener.core.permissions import person_of, public, role_required
from convener.core.ratelimit import mail_rate_limited
from convener.core.roles import Role, has_role
from convener.mail.services import queue_mail
from convener.people.models import Person

from . import services, succession
from .models import Appointment, OrgUnit, Position

MANAGEMENT = (Role.MANAGER, Role.DIVERSITY_OFFICER)


def _int_param(request, name, default, lo, hi):
    raw = request.GET.get(name, "")
    if not raw:
        return default, None
    try:
        value = int(raw)
    except ValueError:
        return default, f"“{raw}” is not a whole number."
    if not lo <= value <= hi:
        return default, f"must be between {lo} and {hi}."
    return value, None


def _bad(request, param, message):
    return bad_query(request, param, message)


SUCCESSION_SORTS = [("urgency", "Most urgent first"), ("position", "Position, A to Z")]


@role_required(*MANAGEMENT)
@require_safe
def dashboard(request):
    today = timezone.localdate()
    months, error = _int_param(request, "months", 12, 1, 120)
    if error:
        return _bad(request, "months", error)
    # the registry's part, computed once per registry version for every process
    version = RegistryVersion.current()
    model = succession.model(today, version)
    areas_of = model.areas_of
    filters = listing.Filters(
        areas=sorted({a for a in areas_of.values() if a is not None}, key=lambda a: a.name),
        levels=[(lv, Position.Level(lv).label) for lv in succession.LEADERSHIP_LEVELS],
        statuses=list(succession.TermStatus.choices),
        sorts=SUCCESSION_SORTS,
    )
    try:
        filters.read(request.GET)
    except listing.BadFilter as bad:
        return _bad(request, bad.param, bad.message)

    def area(position):
        return areas_of.get(position.unit_id)

    terms = succession.current_terms(today, version)  # copies, with their calls
    for t in terms:
        t.incoming = model.incoming.get(t.appointment.position_id, [])
    in_scope = [
        t
        for t in terms
        if filters.keeps(area(t.appointment.position), t.appointment.position.level)
    ]
    ending_all = succession.ending_within(in_scope, today, months)
    filters.counts = dict(Counter(t.status for t in ending_all))
    ending = [t for t in ending_all if filters.keeps_status(t.status)]
    if filters.sort == "position":
        ending.sort(key=lambda t: (t.appointment.position.title, t.appointment.person.sort_key))
    else:
        ending.sort(key=lambda t: t.urgency)

    def registry_sections():
        # holdovers, the bench, lead posts without a deputy, vacancies and exceptions read
        # the registry alone: drawn once per version, day and area and level filters
        lines = [
            line for line in model.lines if filters.keeps(area(line.position), line.position.level)
        ]
        return render_to_string(
            "org/_succession_registry.html",
            {
                "holdovers": [t for t in in_scope if t.holdover_since],
                "without_deputy": [line for line in lines if not line.deputies],
                "bench": [(line, a) for line in lines for a in line.ready],
                "strength": [
                    row
                    for row in succession.bench_strength(lines, today, areas_of)
                    if filters.area is None or row["area"].pk == filters.area.pk
                ],
                "vacancies": [
                    v for v in model.vacancies if filters.keeps(area(v.position), v.position.level)
                ],
                "exceptions": model.exceptions,
            },
        )

    sections = page_cache.registry_derived(
        "succession-sections",
        registry_sections,
        str(filters.area.pk if filters.area else ""),
        str(filters.level or ""),
        version=version,
    )
    context = {
        "today": today,
        "months": months,
        "filters": filters,
        "ending": filters.paginate(ending),
        "ending_total": len(ending),
        "over_limit": [t for t in in_scope if t.status == succession.TermStatus.OVER_LIMIT],
        "registry_sections": mark_safe(sections),  # noqa: S308 - drawn by the template engine
        "can_call": has_role(request.user, Role.MANAGER),
        "extra": [("months", months)],
    }
    return render(request, "org/succession.html", context)


@role_required(*MANAGEMENT)
@require_safe
def timeline(request):
    today = timezone.localdate()
    units = list(OrgUnit.objects.filter(level__in=[0, 1, 2]).order_by("level", "name"))
    slug = request.GET.get("unit") or (units[0].slug if units else "")
    unit = next((u for u in units if u.slug == slug), None)
    if unit is None and units:
        return _bad(request, "unit", f"“{slug}” is not a unit of levels 0 to 2.")
    rows, table = [], []
    first = today
    if unit is not None:
        positions = list(Position.objects.filter(unit=unit).order_by("title"))
        appointments = list(
            Appointment.objects.filter(position__unit=unit)
            .select_related("person")
            .order_by("start")
        )
        # a bar needs its start on the axis: a row whose start nobody recorded is in the
        # table only; one whose end nobody recorded fades out after the days it surely ran
        charted = [a for a in appointments if a.start is not None]
        for a in charted:
            first = min(first, a.start)
        for p in positions:
            bars = [
                charts.Bar(
                    a.start,
                    a.sure_until if a.end_unknown else a.end,
                    f"{a.person.name}, {a.period_display()}"
                    + (", end not recorded" if a.end_unknown else ""),
                    uncertain=a.start_precision != "day",
                    acting=a.is_acting,
                    end_unknown=a.end_unknown,
                )
                for a in charted
                if a.position_id == p.pk
            ]
            for lane, lane_bars in enumerate(charts.lanes(bars)):
                rows.append((p.title if lane == 0 else f"{p.title} (seat {lane + 1})", lane_bars))
            table.extend((p, a) for a in appointments if a.position_id == p.pk)
    chart = (
        charts.timeline_chart(
            "timeline",
            f"Holders of the positions of {unit} over the years" if unit else "",
            "Each row is a position; each bar one holder's appointment. Paler bars have dates "
            "known only to the month or year; brown bars are acting or interim holders.",
            rows,
            first=dt.date(first.year, 1, 1),
            last=today,
        )
        if unit
        else ""
    )
    return render(
        request, "org/timeline.html", {"units": units, "unit": unit, "chart": chart, "table": table}
    )


@role_required(*MANAGEMENT)
@require_safe
def junior(request):
    this_year = timezone.localdate().year
    start, error = _int_param(request, "from", this_year - 14, 1900, this_year)
    if error:
        return _bad(request, "from", error)
    end, error = _int_param(request, "to", this_year, start, this_year)
    if error:
        return _bad(request, "to", error)
    # the registry's alone: computed once per registry version for every process
    data = page_cache.registry_derived(
        "junior",
        lambda: succession.junior_participation(list(range(start, end + 1))),
        str(start),
        str(end),
    )
    levels = list(succession.LEADERSHIP_LEVELS)
    series = [
        charts.Series(
            "Top management" if lv == Position.Level.TOP else lv,
            [(r["year"], r["share"]) for r in data["table"] if r["level"] == lv],
        )
        for lv in levels
    ]
    chart = charts.line_chart(
        "junior-chart",
        "Share of lead and deputy seats held by junior members",
        f"Per management level, on 1 July of each year from {start} to {end}; the table "
        "below gives the same numbers.",
        series,
    )
    return render(request, "org/junior.html", {**data, "chart": chart, "start": start, "end": end})


@public
@require_safe
def leaders(request):
    """The public leadership database: everyone who held an L3 role or higher."""
    errors = {}
    start = end = None
    for name in ("from", "to"):
        raw = request.GET.get(name, "").strip()
        if raw:
            try:
                value = parse_day(raw)
            except ValueError as error:
                errors[name] = str(error)
                continue
            if name == "from":
                start = value
            else:
                end = value
    level = request.GET.get("level", "")
    if level and level not in succession.LEADERSHIP_LEVELS:
        errors["level"] = f"“{level}” is not one of {', '.join(succession.LEADERSHIP_LEVELS)}."
    unit = None
    if request.GET.get("unit"):
        unit = OrgUnit.objects.filter(slug=request.GET["unit"]).first()
        if unit is None:
            errors["unit"] = f"“{request.GET['unit']}” is not a unit."
    if errors:
        param, message = next(iter(errors.items()))
        return _bad(request, param, message)
    rows = succession.leadership_roles(start=start, end=end, unit=unit, level=level or None)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="leadership.csv"'
        writer = spreadsheet.writer(response)
        writer.writerow(
            [
                "person",
                "orcid",
                "position",
                "unit",
                "level",
                "role",
                "start",
                "end",
                "term",
                "capacity",
                "source",
            ]
        )
        for a in rows.iterator(chunk_size=2000):
            writer.writerow(
                [
                    a.person.name,
                    a.person.orcid or "",
                    a.position.title,
                    a.position.unit.name,
                    a.position.level,
                    a.position.role,
                    str(a.start_date or "unknown"),
                    "unknown" if a.end_unknown else str(a.end_date or ""),
                    a.term_number or "",
                    a.capacity,
                    a.source,
                ]
            )
        return response

    def page():
        # the registry's alone: drawn once per registry version and filter for every process
        page_rows = list(rows[:500])
        results = render_to_string(
            "org/_leaders_results.html",
            {
                "rows": page_rows,
                "total": rows.count() if len(page_rows) == 500 else len(page_rows),
                "csv_query": csv_query,
            },
        )
        return list(OrgUnit.objects.filter(level__in=[1, 2]).order_by("level", "name")), results

    # made-up parameters neither make a page of their own nor reach the CSV link
    chosen = {"from": start, "to": end, "level": level, "unit": unit.slug if unit else ""}
    csv_query = urlencode({k: str(v) for k, v in chosen.items() if v})
    filters = [csv_query]
    units, results = page_cache.registry_derived("leaders", page, *filters)
    return render(
        request,
        "org/leaders.html",
        {
            "results": mark_safe(results),  # noqa: S308 - rendered by the template engine
            "levels": succession.LEADERSHIP_LEVELS,
            "units": units,
            "query": request.GET,
        },
    )


@role_required(Role.MANAGER)
@require_safe
def to_complete(request):
    """Records whose start, end or method nobody has given yet, for managers to complete."""
    data = services.records_to_complete(request.GET.get("page", 1))
    return render(request, "org/to_complete.html", data)


@role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def contact_preference(request):
    me = person_of(request.user)
    if request.method == "POST" and me is not None:
        me.contact_opt_in = request.POST.get("contact_opt_in") == "on"
        me.save(update_fields=["contact_opt_in"])
        messages.success(request, "Your preference is saved.")
        return redirect("org:contact")
    return render(request, "org/contact.html", {"me": me})


@role_required(Role.MEMBER)
@require_POST
@mail_rate_limited("5/h")
def ask_previous_holder(request, slug, person_slug):
    position = get_object_or_404(Position, slug=slug)
    holder = get_object_or_404(
        Person.objects.filter(appointments__position=position).distinct(),
        slug=person_slug,
        contact_opt_in=True,
    )
    me = person_of(request.user)
    text = request.POST.get("message", "").strip()
    if me is None or not text:
        messages.error(
            request, "Write a message (and make sure your account is linked to a member record)."
        )
        return redirect(position.get_absolute_url() + "#ask")
    problem = text_problem(text, multiline=True)
    if problem:
        messages.error(request, f"Your message {problem}")
        return redirect(position.get_absolute_url() + "#ask")
    try:
        queue_mail(
            "ask_previous_holder",
            holder.email,
            {
                "position": position,
                "holder": holder,
                "sender": me,
                "sender_email": me.email or request.user.email,
                "message": text[:5000],
            },
        )
    except ValidationError:
        messages.error(request, "The message could not be queued.")
    else:
        messages.success(
            request, f"Your message to {holder.name} is on its way; they will answer you directly."
        )
    return redirect(position.get_absolute_url())

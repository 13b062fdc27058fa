from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from convener.core import cache as page_cache
from convener.core import limits, listing
from convener.core.http import bad_query
from convener.core.models import RegistryVersion
from convener.core.permissions import form_errors_from, person_of, role_required
from convener.core.roles import Role, has_role

from . import forms, services
from .models import Completion, Course, Requirement

# most urgent first: overdue, expired, due, expiring, done; then by date
URGENCY = {
    services.Status.OVERDUE: 0,
    services.Status.EXPIRED: 1,
    services.Status.DUE: 2,
    services.Status.EXPIRING: 3,
    services.Status.OK: 4,
}
TRAINING_SORTS = [("urgency", "Most urgent first"), ("person", "Person, A to Z")]


@role_required(Role.MEMBER, Role.MANAGER)
@require_safe
def dashboard(request):
    """Managers see everyone's compliance, filtered and a page at a time; everyone else sees
    their own record."""
    return _dashboard(request)


def _dashboard(request, form=None, status=200):
    from convener.org.models import Position
    from convener.org.succession import LEADERSHIP_LEVELS, l1_areas

    today = timezone.localdate()
    manager = has_role(request.user, Role.MANAGER)
    me = person_of(request.user)
    version = RegistryVersion.current() if manager else None
    areas_of = (
        page_cache.registry_derived(
            "l1-areas", lambda: l1_areas(today), today.isoformat(), version=version
        )
        if manager
        else {}
    )
    filters = listing.Filters(
        areas=sorted({a for a in areas_of.values() if a is not None}, key=lambda a: a.name),
        levels=[(lv, Position.Level(lv).label) for lv in LEADERSHIP_LEVELS],
        statuses=list(services.Status.choices),
        sorts=TRAINING_SORTS,
    )
    try:
        filters.read(request.GET)
    except listing.BadFilter as bad:
        return bad_query(request, bad.param, bad.message)
    requirements = list(Requirement.objects.select_related("course"))
    if manager:
        lines = services.compliance(today, requirements=requirements, version=version)
    else:
        lines = services.compliance(today, person=me, requirements=requirements) if me else []
    lines = [
        line
        for line in lines
        if filters.keeps(
            areas_of.get(line.appointment.position.unit_id), line.appointment.position.level
        )
    ]
    counts = Counter(line.status for line in lines)
    filters.counts = dict(counts)
    shown = [line for line in lines if filters.keeps_status(line.status)]
    if filters.sort == "urgency":
        shown.sort(key=lambda line: (URGENCY[line.status], line.due or today))
    mine = (
        list(
            Completion.objects.visible_to(request.user)
            .filter(person=me)
            .select_related("course")
            .order_by("-completed_on")
        )
        if me
        else []
    )
    return render(
        request,
        "training/dashboard.html",
        {
            "manager": manager,
            "lines": filters.paginate(shown, 100) if manager else shown,
            "total": len(shown),
            "status": filters.status,
            "filters": filters,
            "counts": [
                (s, services.Status(s).label, counts.get(s, 0)) for s in services.Status.values
            ],
            "courses": Course.objects.all(),
            "requirements": requirements,
            "mine": mine,
            "form": (form or forms.CompletionForm()) if manager else None,
        },
        status=status,
    )


@role_required(Role.MANAGER)
@require_POST
def add_completion(request):
    form = forms.CompletionForm(request.POST)
    if form.is_valid():
        try:
            services.record_completion(**form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "Completion recorded.")
            return redirect("training:dashboard")
    # the page again, with the problems named and what was typed kept
    return _dashboard(request, form=form, status=400)


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def import_view(request):
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    written = 0
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # the limits of every import (convener.core.limits), told before reading the file
        too_large = limits.size_problem(upload.name, upload.size)
        try:
            if too_large:
                raise ValidationError({"file": too_large})
            text = upload.read().decode("utf-8-sig")
            written, report = services.import_completions(
                text, dry_run=form.cleaned_data["dry_run"], name=upload.name
            )
        except UnicodeDecodeError:
            form.add_error("file", "The file is not UTF-8 text; save it as CSV UTF-8.")
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            if not report:
                messages.success(
                    request,
                    f"{written} completion(s) written."
                    if written
                    else "No problem found; nothing written (check only).",
                )
    status = 400 if (report or form.errors) else 200
    listed, more = limits.summarize(report or [], key=lambda p: f"{p.column}: {p.problem}")
    return render(
        request,
        "training/import.html",
        {
            "form": form,
            "report": report,
            "listed": listed,
            "more": more,
            "unlisted": len(report or []) - len(listed),
            "written": written,
        },
        status=status,
    )


@role_required(Role.MANAGER)
@require_safe
def template_csv(request):
    response = HttpResponse(
        "person,course,completed_on\n0000-0002-1825-0097,Running effective meetings,2025-03-14\n",
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="completions-template.csv"'
    return response

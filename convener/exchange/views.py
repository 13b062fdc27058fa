"""The upload page for managers: the same all-or-nothing import as `convener import`."""

import tempfile
from pathlib import Path

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_safe

from convener.core.permissions import role_required
from convener.core.roles import Role

from .importer import ImportFileError, import_path
from .kinds import DESCRIPTIONS, KINDS, REQUIRED
from .kinds import template as kind_template


class UploadForm(forms.Form):
    file = forms.FileField(
        help_text="A CSV named after its kind (people.csv), an XLSX "
        "workbook with one sheet per kind, or Popolo JSON"
    )
    dry_run = forms.BooleanField(required=False, label="Check only, write nothing")


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    report = error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = Path(upload.name).name
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                report = import_path(path, dry_run=form.cleaned_data["dry_run"])
            except ImportFileError as exc:
                error = str(exc)
    failed = bool(error or (report and not report.ok) or form.errors)
    return render(
        request,
        "exchange/upload.html",
        {
            "form": form,
            "report": report,
            "error": error,
            "kinds": [(k, KINDS[k], REQUIRED[k]) for k in KINDS],
            "descriptions": DESCRIPTIONS,
            "dry_run": form.cleaned_data.get("dry_run")
            if form.is_bound and form.is_valid()
            else False,
        },
        status=400 if failed else 200,
    )


@role_required(Role.MANAGER)
@require_safe
def template(request, kind):
    if kind not in KINDS:
        raise Http404("No such kind.")
    response = HttpResponse(kind_template(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
    return response

"""The upload page for managers: the same all-or-nothing import as `convener import`. A small
file is imported at once; a larger one is left to the worker (``convener worker``), and its
page follows the progress. No upload larger than the import limit is read past that limit."""

import tempfile
import zipfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from convener.core.permissions import role_required
from convener.core.roles import Role

from . import jobs
from .importer import ImportFileError, import_tables
from .jobs import progress_of, queue_import
from .kinds import DESCRIPTIONS, KINDS, REQUIRED
from .kinds import template as kind_template
from .models import ImportJob
from .reading import read_tables, row_count

# Imported within the request up to these sizes; anything larger goes to the worker.
INLINE_BYTES = 256 * 2**10
INLINE_UNPACKED_BYTES = 2 * 2**20  # a workbook's sheets, unpacked
INLINE_ROWS = 2_000


class UploadForm(forms.Form):
    file = forms.FileField(
        help_text="A CSV named after its kind (people.csv), an XLSX "
        "workbook with one sheet per kind, or Popolo JSON"
    )
    dry_run = forms.BooleanField(required=False, label="Check only, write nothing")


class _SizeLimit(FileUploadHandler):
    """Stops reading an uploaded file past the import limit (Django would otherwise copy all
    of it to a temporary file first); the form then says so."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.IMPORT_MAX_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _too_large(request) -> str:
    size = int(request.META.get("CONTENT_LENGTH") or 0)
    return (
        f"The upload ({size / 2**20:,.1f} MB) is larger than the limit of "
        f"{settings.IMPORT_MAX_BYTES / 2**20:,.1f} MB per file (CONVENER_IMPORT_MAX_MB); "
        "split the file, or import it with `convener import`."
    )


def _small(path: Path) -> bool:
    if path.stat().st_size > INLINE_BYTES:
        return False
    if path.suffix.lower() == ".xlsx" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return sum(i.file_size for i in archive.infolist()) <= INLINE_UNPACKED_BYTES
    return True


@csrf_exempt  # the size limit must be in place before the token is read from the body
@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def upload(request):
    request.upload_handlers.insert(0, _SizeLimit(request))
    return _upload(request)


@csrf_protect
def _upload(request):
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None)
    report = error = None
    if request.method == "POST" and getattr(request, "upload_too_large", False):
        form.is_valid()
        form.errors.pop("file", None)  # not "required": the file was too large to be read
        form.add_error("file", _too_large(request))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = Path(upload.name).name
        dry_run = form.cleaned_data["dry_run"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                tables = read_tables(path) if _small(path) else None
                if tables is not None and row_count(tables) <= INLINE_ROWS:
                    report = import_tables(tables, dry_run=dry_run, user=request.user)
                else:
                    job = queue_import(name, path.read_bytes(), user=request.user, dry_run=dry_run)
                    return redirect("exchange:job", pk=job.pk)
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
            "jobs": _recent_jobs(request.user),
            "limit_mb": settings.IMPORT_MAX_BYTES // 2**20,
            "limit_rows": settings.IMPORT_MAX_ROWS,
        },
        status=400 if failed else 200,
    )


def _recent_jobs(user) -> list[ImportJob]:
    recent = list(ImportJob.objects.visible_to(user).defer("content", "report")[:10])
    for j in recent:
        j.stale = jobs.is_stale(j)
    return recent


@role_required(Role.MANAGER)
@require_safe
def job(request, pk):
    """An import left to the worker: its progress while it runs, then its report."""
    job = get_object_or_404(ImportJob.objects.visible_to(request.user).defer("content"), pk=pk)
    percent, note = progress_of(job)
    return render(
        request,
        "exchange/job.html",
        {
            "job": job,
            "percent": percent,
            "note": note,
            "report": job.report or {},
            "stale": jobs.is_stale(job),
            "seen": jobs.last_sign_of_life(job),
        },
    )


@role_required(Role.MANAGER)
@require_safe
def job_progress(request, pk):
    """The progress of an import as JSON, for its page to follow without reloading."""
    job = get_object_or_404(
        ImportJob.objects.visible_to(request.user).defer("content", "report"), pk=pk
    )
    percent, note = progress_of(job)
    if jobs.is_stale(job):
        seen = timezone.localtime(jobs.last_sign_of_life(job))
        note = f"no sign of the worker since {seen:%H:%M}"
    return JsonResponse(
        {"state": job.state, "label": job.get_state_display(), "percent": percent, "note": note}
    )


@role_required(Role.MANAGER)
@require_safe
def template(request, kind):
    if kind not in KINDS:
        raise Http404("No such kind.")
    response = HttpResponse(kind_template(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
    return response

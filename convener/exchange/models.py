"""Imports left to the background worker."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convener.core.roles import Role, has_role


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every import; a manager the imports they asked for; nobody else any."""
        if user.is_authenticated and user.is_staff:
            return self
        if has_role(user, Role.MANAGER):
            return self.filter(requested_by=user)
        return self.none()


class ImportJob(models.Model):
    """An import run by the worker (``convener worker``), not inside a web request: a large
    file from the upload page, or ``convener import --queue``. The file is kept in the
    database until it has been read (the processes keep nothing on local disk); the progress
    is written as the import goes; the report stays when it is done. The import itself is
    the one all-or-nothing import of ``convener.exchange.importer``."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    file_name = models.CharField(max_length=255)
    content = models.BinaryField(null=True, editable=False)
    dry_run = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # the last sign of life of the worker importing it (taken, progress written): a job
    # running with no sign for IMPORT_JOB_TIMEOUT was left by a worker that died
    alive_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    report = models.JSONField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"import of {self.file_name} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def ok(self) -> bool:
        return self.state == self.State.DONE and bool(self.report and self.report.get("ok"))

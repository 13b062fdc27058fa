"""What every registry admin shares: changes go through the domain operations, and a rule
that only the locked re-check in ``save()`` catches comes back as a message, not a 500."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """A record's history, read in the admin and never replayed. django-simple-history's
    "revert" saves every field of the old version, those the form shows read-only included:
    a call in review went back to "open", a candidacy's outcome could be undone, each
    without the operation that makes that change. Every admin with a history uses this."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied("An old version is shown here, never restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True  # no "Revert" button on the page of an old version


class DomainAdminMixin:
    """Bulk "delete selected" deletes one row at a time through the model's own ``delete()``
    (terms renumbered, the registry version bumped, so cached pages refresh); a
    ``ValidationError`` raised while saving is shown on the form's page."""

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                obj.delete()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # a concurrent change got in between the form's checks and the locked save
            for message in error.messages:
                self.message_user(request, message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

"""Calls are changed through their workflow pages; the admin shows them, and edits only
what no rule depends on."""

from django.contrib import admin

from convener.core.admin import HistoryAdmin

from .models import Call, CallEvent, Candidacy


class CallEventInline(admin.TabularInline):
    model = CallEvent
    extra = 0
    can_delete = False
    readonly_fields = ("from_state", "to_state", "by", "at", "reason")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Call)
class CallAdmin(HistoryAdmin):
    list_display = ("title", "position", "state", "opens_at", "closes_at")
    list_filter = ("state",)
    list_select_related = ("position",)
    search_fields = ("title", "position__title")
    readonly_fields = (
        "position",
        "state",
        "mandate",
        "requirements",
        "opens_at",
        "closes_at",
        "committee",
        "published_at",
        "rationale",
        "decided_at",
        "decided_by",
        "decider_no_conflict",
        "decider_disclosure",
        "created_by",
        "seats",
        "eligibility",
    )
    fields = ("title", *readonly_fields)
    inlines = [CallEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False  # calls are created on /calls/new/, through the workflow

    def has_delete_permission(self, request, obj=None):
        return False  # a call's record, with its history, is kept; cancel it instead


@admin.register(Candidacy)
class CandidacyAdmin(HistoryAdmin):
    list_display = ("nominee", "call", "state", "self_nominated")
    list_filter = ("state",)
    list_select_related = ("nominee", "call")
    search_fields = ("nominee__name", "call__title")
    readonly_fields = [f.name for f in Candidacy._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

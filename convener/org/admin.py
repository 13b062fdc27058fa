from django.contrib import admin

from convener.core.admin import DomainAdminMixin, HistoryAdmin
from convener.people.picker import PersonPickerAdminMixin

from .models import Appointment, OrgUnit, Position, SeatPeriod

PERIOD = ("start", "start_precision", "end", "end_precision")


class SeatPeriodInline(admin.TabularInline):
    model = SeatPeriod
    extra = 0
    fields = ("seats", *PERIOD, "end_kind", "note")


@admin.register(OrgUnit)
class OrgUnitAdmin(DomainAdminMixin, HistoryAdmin):
    list_display = ("name", "order", "kind", "level", "parent", "start", "end")
    list_filter = ("kind", "level")
    list_select_related = ("parent",)
    search_fields = ("name", "short_name")
    autocomplete_fields = ["parent"]
    readonly_fields = ("slug",)
    fields = (
        "name",
        "short_name",
        "slug",
        "parent",
        "kind",
        "level",
        "order",
        "description",
        *PERIOD,
        "external_id",
    )


@admin.register(Position)
class PositionAdmin(DomainAdminMixin, HistoryAdmin):
    list_display = (
        "title",
        "unit",
        "level",
        "role",
        "seats",
        "function",
        "term_months",
        "term_limit",
    )
    list_filter = ("level", "role", "function", "filled_by")
    list_select_related = ("unit",)
    search_fields = ("title", "unit__name")
    autocomplete_fields = ["unit", "deputizes_for"]
    readonly_fields = ("slug",)
    fieldsets = [
        (None, {"fields": ("title", "slug", "unit", "level", "role", "seats", "deputizes_for")}),
        ("Mandate", {"fields": ("mandate", "requirements", "function")}),
        (
            "Terms",
            {
                "fields": (
                    "term_months",
                    "term_limit",
                    "acting_counts_as_term",
                    "holdover_allowed",
                    "filled_by",
                )
            },
        ),
        ("Existence", {"fields": (*PERIOD, "external_id")}),
    ]
    inlines = [SeatPeriodInline]

    def save_formset(self, request, form, formset, change):
        # each seat period through its own save(): validated against the holders, under a lock
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            obj.save()
        formset.save_m2m()


@admin.register(Appointment)
class AppointmentAdmin(PersonPickerAdminMixin, DomainAdminMixin, HistoryAdmin):
    list_display = ("person", "position", "start", "end", "term_number", "capacity")
    list_filter = ("capacity", "method", "start_precision", "end_precision", "position__level")
    list_select_related = ("person", "position")
    search_fields = ("person__name", "position__title")
    autocomplete_fields = ["person", "position", "appointed_by"]
    readonly_fields = ("term_number",)
    fields = (
        "person",
        "position",
        *PERIOD,
        "end_kind",
        "capacity",
        "method",
        "appointed_by",
        "end_reason",
        "term_number",
        "exception_justification",
        "exception_approved_by",
        "source",
        "note",
        "external_id",
    )
    date_hierarchy = "start"

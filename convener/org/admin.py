from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from convener.people.picker import PersonPickerAdminMixin

from .models import Appointment, OrgUnit, Position

PERIOD = ("start", "start_precision", "end", "end_precision")


@admin.register(OrgUnit)
class OrgUnitAdmin(SimpleHistoryAdmin):
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
class PositionAdmin(SimpleHistoryAdmin):
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


@admin.register(Appointment)
class AppointmentAdmin(PersonPickerAdminMixin, SimpleHistoryAdmin):
    list_display = ("person", "position", "start", "end", "term_number", "capacity")
    list_filter = ("capacity", "method", "position__level")
    list_select_related = ("person", "position")
    search_fields = ("person__name", "position__title")
    autocomplete_fields = ["person", "position", "appointed_by"]
    readonly_fields = ("term_number",)
    fields = (
        "person",
        "position",
        *PERIOD,
        "capacity",
        "method",
        "appointed_by",
        "end_reason",
        "term_number",
        "exception_justification",
        "exception_approved_by",
        "note",
        "external_id",
    )
    date_hierarchy = "start"

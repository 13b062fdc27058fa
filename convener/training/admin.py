from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from convener.people.picker import PersonPickerAdminMixin

from .models import Completion, Course, Requirement


@admin.register(Course)
class CourseAdmin(SimpleHistoryAdmin):
    list_display = ("title", "provider", "validity_months")
    search_fields = ("title", "provider")


@admin.register(Requirement)
class RequirementAdmin(SimpleHistoryAdmin):
    list_display = ("course", "level", "role", "within_months")
    list_select_related = ("course",)


@admin.register(Completion)
class CompletionAdmin(PersonPickerAdminMixin, SimpleHistoryAdmin):
    list_display = ("person", "course", "completed_on", "source")
    list_select_related = ("person", "course")
    search_fields = ("person__name", "course__title")
    autocomplete_fields = ["person"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

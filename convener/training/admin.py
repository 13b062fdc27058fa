from django.contrib import admin

from convener.core.admin import HistoryAdmin
from convener.people.picker import PersonPickerAdminMixin

from .models import Completion, Course, Requirement


@admin.register(Course)
class CourseAdmin(HistoryAdmin):
    list_display = ("title", "provider", "validity_months")
    search_fields = ("title", "provider")


@admin.register(Requirement)
class RequirementAdmin(HistoryAdmin):
    list_display = ("course", "level", "role", "within_months")
    list_select_related = ("course",)


@admin.register(Completion)
class CompletionAdmin(PersonPickerAdminMixin, HistoryAdmin):
    list_display = ("person", "course", "completed_on", "source")
    list_select_related = ("person", "course")
    search_fields = ("person__name", "course__title")
    autocomplete_fields = ["person"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        # a completion is a dated fact: a wrong one is deleted and the right one added
        return False

    def save_model(self, request, obj, form, change):
        """A new completion is recorded by the one operation every path uses."""
        from .services import record_completion

        saved = record_completion(obj.person, obj.course, obj.completed_on, obj.source)
        obj.pk = saved.pk

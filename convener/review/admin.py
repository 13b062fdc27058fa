"""Questions and the consent text are configured here. Answers are not in the admin at all:
nobody but the person who gave them can read them."""

from django.contrib import admin

from .models import ConsentText, Goal, Option, Question, ReviewLevel, ReviewYear


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("key", "text", "kind", "invisible", "active", "order")
    inlines = [OptionInline]


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """A new wording is a new version. A version is never edited or deleted: people gave
    their consent to that very text, and their answers keep its version."""

    list_display = ("version", "created_at")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    """Read only: a goal is recorded on the published review's goals page
    (``lifecycle.record_goal``), which checks it against that review, keeps the published
    share as its baseline and records who set it. Nothing here could do all three."""

    list_display = ("year", "level", "question", "option", "target", "resource_allocating_only")
    list_filter = ("year", "level", "resource_allocating_only")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewLevel)
class ReviewLevelAdmin(admin.ModelAdmin):
    list_display = ("order", "key", "name", "position_levels")


@admin.register(ReviewYear)
class ReviewYearAdmin(admin.ModelAdmin):
    list_display = ("year", "reference_date")

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
    list_display = ("version", "created_at")


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("year", "level", "question", "option", "target", "resource_allocating_only")
    list_filter = ("year", "level", "resource_allocating_only")


@admin.register(ReviewLevel)
class ReviewLevelAdmin(admin.ModelAdmin):
    list_display = ("order", "key", "name", "position_levels")


@admin.register(ReviewYear)
class ReviewYearAdmin(admin.ModelAdmin):
    list_display = ("year", "reference_date")

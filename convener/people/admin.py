from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from convener.core.admin import DomainAdminMixin, HistoryAdmin

from .models import Affiliation, CareerStage, Institution, Membership, MergedPerson, Person

PERIOD = ("start", "start_precision", "end", "end_precision")


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["institution"]
    fields = ("institution", *PERIOD)


class CareerStageInline(admin.TabularInline):
    model = CareerStage
    extra = 0
    fields = ("stage", *PERIOD)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = PERIOD


@admin.register(Person)
class PersonAdmin(DomainAdminMixin, HistoryAdmin):
    list_display = ("name", "sort_name", "orcid", "pronouns")
    search_fields = ("name", "sort_name", "orcid", "email")
    readonly_fields = ("slug", "possible_duplicates")
    fields = (
        "name",
        "sort_name",
        "possible_duplicates",
        "slug",
        "pronouns",
        "orcid",
        "email",
        "user",
        "contact_opt_in",
        "photo_url",
        "website",
        "external_id",
    )
    raw_id_fields = ("user",)
    inlines = [MembershipInline, AffiliationInline, CareerStageInline]
    # a profile link typed without a scheme is read as https (Django 6's default)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="possible duplicates")
    def possible_duplicates(self, person):
        others = list(person.likely_duplicates()[:10]) if person.pk else []
        if not others:
            return "none found"
        return format_html_join(
            "; ",
            '<a href="{}">{}</a> (<a href="{}?other={}">merge it into this record</a>)',
            (
                (
                    reverse("admin:people_person_change", args=[o.pk]),
                    o.name,
                    reverse("people:merge", args=[person.slug]),
                    o.slug,
                )
                for o in others
            ),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        others = list(obj.likely_duplicates()[:5])
        if others:
            self.message_user(
                request,
                format_html(
                    "{} may already be recorded: {}. Check, and merge the records if so.",
                    obj.name,
                    format_html_join(
                        ", ",
                        '<a href="{}">{}</a>',
                        (
                            (reverse("admin:people_person_change", args=[o.pk]), o.name)
                            for o in others
                        ),
                    ),
                ),
                level=messages.WARNING,
            )


@admin.register(MergedPerson)
class MergedPersonAdmin(admin.ModelAdmin):
    list_display = ("name", "into", "merged_at", "merged_by")
    list_select_related = ("into",)
    search_fields = ("name", "slug", "external_id")
    readonly_fields = ("into", "name", "slug", "external_id", "orcid", "merged_at", "merged_by")

    def has_add_permission(self, request):
        return False


@admin.register(Institution)
class InstitutionAdmin(DomainAdminMixin, HistoryAdmin):
    list_display = ("name", "short_name", "country", "ror")
    list_filter = ("country",)
    search_fields = ("name", "short_name", "ror", "city")
    readonly_fields = ("slug",)

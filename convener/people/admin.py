from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from .models import Affiliation, CareerStage, Institution, Membership, Person

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
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("name", "orcid", "pronouns")
    search_fields = ("name", "sort_name", "orcid", "email")
    readonly_fields = ("slug",)
    fields = (
        "name",
        "sort_name",
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


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    list_display = ("name", "short_name", "country", "ror")
    list_filter = ("country",)
    search_fields = ("name", "short_name", "ror", "city")
    readonly_fields = ("slug",)

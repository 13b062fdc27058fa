from django.contrib import admin

from .models import SingleSignOn


@admin.register(SingleSignOn)
class SingleSignOnAdmin(admin.ModelAdmin):
    list_display = ["user", "subject", "first_seen", "last_seen"]
    search_fields = ["user__username", "subject"]
    readonly_fields = ["first_seen", "last_seen"]

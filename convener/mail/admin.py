from django.contrib import admin

from .models import MailPreference, Notice, OutgoingMail


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = ("kind", "to", "subject", "created_at", "sent_at", "attempts")
    list_filter = ("kind",)
    readonly_fields = [f.name for f in OutgoingMail._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("kind", "key", "created_at")
    list_filter = ("kind",)
    readonly_fields = [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(MailPreference)
class MailPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "weekly_digest")
    list_select_related = ("user",)
    raw_id_fields = ("user",)

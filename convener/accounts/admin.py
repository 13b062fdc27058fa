from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm

from convener.review.services import seal_for_account

from .models import SingleSignOn

User = get_user_model()


class SealingPasswordChangeForm(AdminPasswordChangeForm):
    """Staff setting someone's password could then sign in as them: the answers bound to that
    account are sealed until the person confirms them through their own address."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        seal_for_account(user, "its password was set by an administrator")
        return user


class ConvenerUserAdmin(UserAdmin):
    change_password_form = SealingPasswordChangeForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "email" in form.changed_data:
            # a password reset would now go to the new address
            seal_for_account(obj, "its e-mail address was changed by an administrator")


admin.site.unregister(User)
admin.site.register(User, ConvenerUserAdmin)


@admin.register(SingleSignOn)
class SingleSignOnAdmin(admin.ModelAdmin):
    list_display = ["user", "subject", "first_seen", "last_seen"]
    search_fields = ["user__username", "subject"]
    readonly_fields = ["first_seen", "last_seen"]

    def get_readonly_fields(self, request, obj=None):
        # repointing an existing link would let someone else's identity open the account
        if obj is not None:
            return ["user", "subject", *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            seal_for_account(obj.user, "a single sign-on identity was attached by an administrator")

    def delete_model(self, request, obj):
        seal_for_account(obj.user, "its single sign-on link was removed by an administrator")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for link in queryset.select_related("user"):
            seal_for_account(link.user, "its single sign-on link was removed by an administrator")
        super().delete_queryset(request, queryset)

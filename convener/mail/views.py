"""A person's choice of periodic mail."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from convener.core.permissions import role_required
from convener.core.roles import Role

from .models import MailPreference


@role_required(*Role.values)
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Turn the weekly digest on or off (it is on until turned off)."""
    preference = MailPreference.objects.filter(user=request.user).first()
    if request.method == "POST":
        wanted = request.POST.get("weekly_digest") == "on"
        MailPreference.objects.update_or_create(
            user=request.user, defaults={"weekly_digest": wanted}
        )
        messages.success(
            request,
            "You will get a weekly digest of your tasks."
            if wanted
            else "You will no longer get the weekly digest.",
        )
        return redirect("mail:preferences")
    return render(
        request,
        "mail/preferences.html",
        {"weekly_digest": preference.weekly_digest if preference else True},
    )

"""Failed sign-ins: django-axes locks an account from one address after five failures; this
handler also locks an address that fails too often across any usernames (password spraying).
Both count per client address as ``core.net.client_address`` reads it behind the proxy."""

from __future__ import annotations

import datetime as dt

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def failures_from_address(address: str) -> int:
    """Failed sign-ins from ``address`` within the cool-off, whatever the usernames."""
    since = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0


class ThrottleHandler(AxesDatabaseHandler):
    """Axes' lockout per username and address, plus a limit per address across usernames."""

    @staticmethod
    def address_locked(request) -> bool:
        address = get_client_ip_address(request) if request is not None else None
        return bool(address) and (
            failures_from_address(address) >= settings.LOGIN_FAILURES_PER_ADDRESS
        )

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # axes answers with its lockout page (429) when this flag is set
        if request is not None and self.address_locked(request):
            request.axes_locked_out = True

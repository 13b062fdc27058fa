"""The weekly digest: once per ISO week, each account that has something waiting and has not
turned the digest off gets one mail listing its tasks (the same list as "Your tasks")."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from convener.mail import jobs
from convener.mail.models import MailPreference
from convener.mail.services import queue_mail

from .tasks import tasks_for


def send_weekly_digests(today: dt.date | None = None) -> int:
    """Queue this week's digest for every active account with tasks and an address, unless
    the person opted out; returns how many were queued. Safe to run as often as wanted."""
    today = today or timezone.localdate()
    year, week, _ = today.isocalendar()
    opted_out = set(
        MailPreference.objects.filter(weekly_digest=False).values_list("user_id", flat=True)
    )
    queued = 0
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(pk__in=opted_out)
        .select_related("person")
        .prefetch_related("groups")
    )
    for user in users:
        person = getattr(user, "person", None)
        address = (person.email if person is not None else "") or user.email
        if not address:
            continue
        user._convener_roles = {g.name for g in user.groups.all()}  # prefetched
        tasks = tasks_for(user, today)
        if not tasks.count:
            continue
        with transaction.atomic():
            if not jobs.once("weekly_digest", f"{user.pk}:{year}-W{week:02d}"):
                continue
            name = person.name if person is not None else user.get_username()
            queue_mail("weekly_digest", address, {"tasks": tasks, "name": name, "today": today})
            queued += 1
    return queued

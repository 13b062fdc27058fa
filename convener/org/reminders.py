"""Term-ending reminders: the holder and the manager responsible for the post hear, months
ahead (``CONVENER_TERM_REMINDER_MONTHS``), that a term ends, so a call can open in time."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from convener.core.dates import add_months
from convener.core.roles import Role
from convener.mail import jobs
from convener.mail.services import queue_mail
from convener.people.models import Person

from . import succession
from .models import Appointment, Position


def _email(person: Person) -> str:
    return person.email or (person.user.email if person.user_id else "")


def responsible_for(position: Position, today: dt.date) -> list[Person]:
    """Who answers for filling ``position``: the current holders of the lead posts of the
    unit above it (for a deputy post, of the lead it deputizes for)."""
    if position.deputizes_for_id:
        posts = Position.objects.filter(pk=position.deputizes_for_id)
    else:
        posts = Position.objects.filter(
            unit_id=position.unit.parent_id, role__in=succession.LEAD_ROLES
        )
    return list(
        Person.objects.filter(
            appointments__in=Appointment.objects.surely_on(today).filter(position__in=posts)
        )
        .select_related("user")
        .distinct()
    )


def send_term_reminders(today: dt.date | None = None) -> int:
    """Queue one mail to the holder and one to each responsible manager for every current
    term that ends within the configured months and has no call under way; each term is
    announced once. When nobody holds the post above, the managers' accounts are told."""
    today = today or timezone.localdate()
    horizon = add_months(today, settings.TERM_REMINDER_MONTHS)
    queued = 0
    for term in succession.current_terms(today):
        if term.term_end is None or not today <= term.term_end <= horizon or term.call:
            continue
        a = term.appointment
        with transaction.atomic():
            if not jobs.once("term_ending", f"{a.pk}:{term.term_end.isoformat()}"):
                continue
            context = {"term": term, "appointment": a, "position": a.position, "today": today}
            queue_mail("term_ending", _email(a.person), {**context, "person": a.person})
            managers = [(p.name, _email(p)) for p in responsible_for(a.position, today)]
            if not managers:
                managers = [
                    (u.get_full_name() or u.get_username(), u.email)
                    for u in get_user_model().objects.filter(groups__name=Role.MANAGER)
                ]
            for name, address in managers:
                queue_mail("term_ending_manager", address, {**context, "name": name})
            queued += 1
    return queued

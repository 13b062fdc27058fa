"""Queue mail with the action that causes it; send it later from the worker."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import OutgoingMail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def queue_mail(kind: str, to: str, context: dict) -> OutgoingMail | None:
    """Render ``templates/emails/<kind>.txt`` (first line is the subject) and queue it."""
    if not to:
        return None
    text = render_to_string(f"emails/{kind}.txt", context).strip()
    subject, _, body = text.partition("\n")
    return OutgoingMail.objects.create(
        to=to,
        subject=subject.strip()[:250],
        body=body.strip() + "\n",
        kind=kind,
        send_after=timezone.now(),
    )


def send_pending(limit: int = 100) -> tuple[int, int]:
    """Send what is due; returns (sent, failed). A failure is retried later with back-off."""
    sent = failed = 0
    now = timezone.now()
    with transaction.atomic():
        batch = list(
            OutgoingMail.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, send_after__lte=now, attempts__lt=MAX_ATTEMPTS)
            .order_by("send_after", "id")[:limit]
        )
        for mail in batch:
            mail.attempts += 1
            try:
                send_mail(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.to])
            except Exception as exc:  # any transport error: keep the mail, try again later
                failed += 1
                mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                mail.send_after = now + dt.timedelta(minutes=2**mail.attempts)
                log.warning("mail %s to %s failed (attempt %d)", mail.pk, mail.to, mail.attempts)
            else:
                sent += 1
                mail.sent_at = now
                mail.last_error = ""
            mail.save(update_fields=["attempts", "last_error", "send_after", "sent_at"])
    return sent, failed

"""Outgoing mail, queued in the database in the same transaction as the action it reports.

A transactional outbox rather than a task queue: a rolled-back nomination never sends mail,
a committed one always does (the worker retries until the mail server takes it), and no page
waits on the mail server.
"""

from django.db import models


class OutgoingMail(models.Model):
    to = models.EmailField()
    subject = models.CharField(max_length=250)
    body = models.TextField()
    kind = models.CharField(max_length=40, help_text="Which notification this is")
    created_at = models.DateTimeField(auto_now_add=True)
    send_after = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "outgoing mail"

    def __str__(self):
        return f"{self.kind} to {self.to}"


class Notice(models.Model):
    """A periodic mail already queued (a term-ending reminder, a week's digest), so that the
    worker, however often it runs, queues each one once."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=120, help_text="What it was about, e.g. appointment and date")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="one_notice_each")]

    def __str__(self):
        return f"{self.kind} {self.key}"


class MailPreference(models.Model):
    """What periodic mail an account wants. Without a row: the weekly digest is on."""

    user = models.OneToOneField(
        "auth.User", on_delete=models.CASCADE, related_name="mail_preference"
    )
    weekly_digest = models.BooleanField("send me a weekly digest of my tasks", default=True)

    def __str__(self):
        return f"{self.user}: digest {'on' if self.weekly_digest else 'off'}"

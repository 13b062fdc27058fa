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

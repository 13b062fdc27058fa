"""Which account a person of the collaboration's identity provider signs in to."""

from django.conf import settings
from django.db import models


class SingleSignOn(models.Model):
    """The link between the provider's stable subject identifier (`sub`) and a local account.
    E-mail addresses change and get reused; the subject does not."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="single_sign_on"
    )
    subject = models.CharField(max_length=255, unique=True)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "single sign-on identity"

    def __str__(self):
        return f"{self.user} ← {self.subject}"

from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "convener.mail"
    verbose_name = "Outgoing mail"

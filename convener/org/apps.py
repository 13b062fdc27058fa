from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "convener.org"
    verbose_name = "Organization and leadership"

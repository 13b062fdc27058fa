from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "convener.site"
    verbose_name = "Public site"

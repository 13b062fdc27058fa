from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "convener.core"
    verbose_name = "Core"

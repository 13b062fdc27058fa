from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "convener.core"
    verbose_name = "Core"

    def ready(self):
        from . import menu  # noqa: F401 - connects the sign-in receiver

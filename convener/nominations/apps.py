from django.apps import AppConfig


class NominationsConfig(AppConfig):
    name = "convener.nominations"
    verbose_name = "Calls for nominations"

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "convener.api"
    verbose_name = "REST API"

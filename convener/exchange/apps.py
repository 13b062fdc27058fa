from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "convener.exchange"
    verbose_name = "Import, export and publication"

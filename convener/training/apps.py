from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "convener.training"
    verbose_name = "Leadership training"

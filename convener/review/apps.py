from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "convener.review"
    verbose_name = "Self-identification and the annual review"

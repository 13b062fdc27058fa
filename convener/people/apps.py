from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "convener.people"
    verbose_name = "People and institutions"

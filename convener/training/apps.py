from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "convener.training"
    verbose_name = "Leadership training"

    def ready(self):
        from django.utils import timezone

        from convener.mail import jobs

        from . import services

        jobs.register("training_reminders", lambda: services.send_reminders(timezone.localdate()))

from django.apps import AppConfig


class NominationsConfig(AppConfig):
    name = "convener.nominations"
    verbose_name = "Calls for nominations"

    def ready(self):
        from convener.mail import jobs

        from . import services

        jobs.register("calls", services.run_periodic_jobs)

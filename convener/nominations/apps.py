from django.apps import AppConfig


class NominationsConfig(AppConfig):
    name = "convener.nominations"
    verbose_name = "Calls for nominations"

    def ready(self):
        from convener.mail import jobs
        from convener.org import succession

        from . import services

        jobs.register("calls", services.run_periodic_jobs)
        succession.register_calls_under_way(services.calls_under_way)

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "convener.exchange"
    verbose_name = "Import, export and publication"

    def ready(self):
        from convener.mail import jobs as worker

        from . import jobs

        # a large upload or `convener import --queue`: the worker runs it in the background
        worker.register("imports", jobs.run_queued)

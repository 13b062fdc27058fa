from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "convener.review"
    verbose_name = "Self-identification and the annual review"

    def ready(self):
        from convener.mail import jobs

        from . import lifecycle

        # the officer asks for a review; the worker prepares it in the background
        jobs.register("reviews_prepared", lifecycle.run_queued)

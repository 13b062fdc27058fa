from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "convener.review"
    verbose_name = "Self-identification and the annual review"

    def ready(self):
        from convener.mail import jobs
        from convener.people.signals import person_relinked

        from . import lifecycle

        # the officer asks for a review; the worker prepares it in the background
        jobs.register("reviews_prepared", lifecycle.run_queued)
        person_relinked.connect(_relinked, dispatch_uid="review.account_relinked")


def _relinked(sender, person, previous_user_id, **kwargs):
    from . import services

    services.account_relinked(person, previous_user_id)

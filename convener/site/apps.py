from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "convener.site"
    verbose_name = "Public site"

    def ready(self):
        from convener.mail import jobs

        from . import digest

        jobs.register("weekly_digest", digest.send_weekly_digests)

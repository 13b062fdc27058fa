from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "convener.org"
    verbose_name = "Organization and leadership"

    def ready(self):
        from convener.mail import jobs

        from . import reminders

        jobs.register("term_reminders", reminders.send_term_reminders)

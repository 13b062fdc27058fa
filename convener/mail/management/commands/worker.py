import time

from django.core.management.base import BaseCommand

from convener.mail.services import send_pending


class Command(BaseCommand):
    help = (
        "The background worker: sends queued mail (retrying failures with back-off) and runs "
        "the periodic jobs (closing calls whose deadline passed, closing-soon reminders) and "
        "prepares the proportionality reviews that were asked for. "
        "With --loop it keeps running, waking every --interval seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running")
        parser.add_argument("--interval", type=float, default=10.0)

    def handle(self, *args, **options):
        from django.utils import timezone

        from convener.nominations.services import run_periodic_jobs
        from convener.review.lifecycle import run_queued
        from convener.training.services import send_reminders

        while True:
            jobs = run_periodic_jobs()
            jobs["training_reminders"] = send_reminders(timezone.localdate())
            jobs["reviews_prepared"] = run_queued()
            sent, failed = send_pending()
            if options["verbosity"] > 1 or sent or failed or any(jobs.values()):
                self.stdout.write(f"sent {sent}, failed {failed}, jobs {jobs}")
            if not options["loop"]:
                return
            time.sleep(options["interval"])

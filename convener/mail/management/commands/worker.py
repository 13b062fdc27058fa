import time

from django.core.management.base import BaseCommand

from convener.mail import jobs
from convener.mail.services import send_pending


class Command(BaseCommand):
    help = (
        "The background worker: runs the periodic jobs the domains register (closing calls "
        "whose deadline passed, closing-soon, training and term-ending reminders, the weekly "
        "digest of each person's tasks, the proportionality reviews the officer asked for) "
        "and sends queued mail, retrying failures with back-off. With --loop it keeps "
        "running, waking every --interval seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running")
        parser.add_argument("--interval", type=float, default=10.0)

    def handle(self, *args, **options):
        while True:
            done = jobs.run_all()
            sent, failed = send_pending()
            if options["verbosity"] > 1 or sent or failed or any(done.values()):
                self.stdout.write(f"sent {sent}, failed {failed}, jobs {done}")
            if not options["loop"]:
                return
            time.sleep(options["interval"])

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from convener.people.models import Person
from convener.synth.demo import create_demo_accounts


class Command(BaseCommand):
    help = (
        "Run the demo: migrate the configured database, fill it with a synthetic "
        "collaboration of 6000 people over 30 years when it is empty, create one demo "
        "account per role, publish last year's proportionality review (once), and serve "
        "the site with gunicorn at http://127.0.0.1:8000."
    )

    def _published_review(self):
        """Last year's review, prepared and published by the demo's diversity officer, so
        that members have one to read and the officer one to correct."""
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from convener.review import lifecycle
        from convener.review.models import Review

        if Review.objects.exists():
            return
        officer = get_user_model().objects.filter(username="officer").first()
        self.stdout.write("Preparing and publishing last year's proportionality review...")
        review = lifecycle.request_preparation(timezone.localdate().year - 1, officer)
        review = lifecycle.prepare(review)
        if review.state == Review.State.DRAFT:
            lifecycle.publish(review, officer)

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=6000)
        parser.add_argument("--years", type=int, default=30)
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="prepare, but do not serve")

    def handle(self, *args, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", verbosity=0, interactive=False)
        if not Person.objects.exists():
            self.stdout.write("Creating the synthetic collaboration...")
            call_command("synth", people=options["people"], years=options["years"], seed=1)
        accounts = create_demo_accounts()
        self._published_review()
        url = f"http://{options['bind']}/"
        self.stdout.write(self.style.SUCCESS(f"\nConvener demo: {url}"))
        self.stdout.write("Demo logins (sign in at /accounts/login/; admin at /admin/):")
        for username, password, label in accounts:
            self.stdout.write(f"  {username:<10} {password:<16} {label}")
        sys.stdout.flush()
        if not options["no_serve"]:
            os.environ["CONVENER_DEBUG"] = os.environ.get("CONVENER_DEBUG", "1")
            # the background worker sends the mail (to this console) and closes due calls;
            # it shares the terminal's process group, so Ctrl-C stops it with the server
            subprocess.Popen([sys.executable, "-m", "convener.cli", "worker", "--loop"])
            call_command("serve", bind=options["bind"])

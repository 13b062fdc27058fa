import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Serve Convener with gunicorn (the production server). Static files are served by "
        "WhiteNoise; run `convener collectstatic` first when CONVENER_DEBUG is off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port to listen on")
        parser.add_argument("--workers", type=int, default=2, help="worker processes (2)")
        parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")

    def handle(self, *args, **options):
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "convener.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
        ]
        os.execv(sys.executable, argv)

from pathlib import Path

from django.core.management.base import BaseCommand

from convener.exchange.exporter import export_csv, export_popolo


class Command(BaseCommand):
    help = (
        "Export the public registry as open data: `convener export popolo --out FILE.json` "
        "(Popolo JSON: persons, organizations, posts, memberships) or `convener export csv "
        "--out DIR` (one CSV per public kind, in the columns `convener import` reads). No "
        "e-mail, nominations, reviews, training records or demographics leave."
    )

    def add_arguments(self, parser):
        parser.add_argument("format", choices=["popolo", "csv"])
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args, **options):
        if options["format"] == "popolo":
            counts = export_popolo(options["out"])
        else:
            counts = export_csv(options["out"])
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        self.stdout.write(f"Wrote {summary} to {options['out']}.")

import gzip
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction

EXCLUDE = ["contenttypes", "auth.permission", "sessions", "axes"]


class Command(BaseCommand):
    help = (
        "Write a consistent snapshot of all data (PostgreSQL or SQLite) to FILE (gzipped YAML "
        "when FILE ends in .gz): `convener backup --out convener.yaml.gz`. Content types and "
        "permissions are left out (migrations recreate them); self-identification answers stay "
        "encrypted. Restore with `convener restore FILE` into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args, **options):
        out: Path = options["out"]
        opener = gzip.open if out.suffix == ".gz" else open
        with transaction.atomic():
            if connection.vendor == "postgresql":  # one snapshot for every table
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            with opener(out, "wt", encoding="utf-8") as stream:
                call_command(
                    # YAML keeps datetimes to the microsecond (Django's JSON stops at the
                    # millisecond, which would change the data on a round trip)
                    "dumpdata",
                    exclude=EXCLUDE,
                    natural_foreign=True,
                    format="yaml",
                    stdout=stream,
                    verbosity=0,
                )
        self.stdout.write(f"Wrote {out} ({out.stat().st_size // 1024} KiB).")

import io
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from convener.core import backups


class Command(BaseCommand):
    help = (
        "Write a consistent snapshot of all data (PostgreSQL or SQLite) to FILE, readable by "
        "its owner only (mode 0600): `convener backup --out convener.yaml.gz.age`. It is "
        "gzipped YAML encrypted with age to the public keys in CONVENER_BACKUP_RECIPIENTS; "
        "without them, pass --unencrypted to write it in the clear. API tokens, sessions, "
        "sign-in throttling records, content types and permissions are left out; "
        "self-identification answers stay encrypted with CONVENER_DEMOGRAPHICS_KEYS. See "
        "convener/core/backups.py for what it holds. Restore with `convener restore FILE "
        "--identity KEYFILE` into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument(
            "--unencrypted",
            action="store_true",
            help="write the snapshot in the clear (only when no recipient is configured)",
        )

    def handle(self, *args, **options):
        out: Path = options["out"]
        keys = backups.recipients()
        if not keys and not options["unencrypted"]:
            raise CommandError(
                "No CONVENER_BACKUP_RECIPIENTS: set the age public key(s) to encrypt the "
                "backup to (age-keygen makes a pair), or pass --unencrypted."
            )
        with transaction.atomic():
            if connection.vendor == "postgresql":  # one snapshot for every table
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            stream = io.StringIO()
            call_command(
                # YAML keeps datetimes to the microsecond (Django's JSON stops at the
                # millisecond, which would change the data on a round trip)
                "dumpdata",
                exclude=backups.EXCLUDED,
                natural_foreign=True,
                format="yaml",
                stdout=stream,
                verbosity=0,
            )
        backups.write_private(out, backups.seal(stream.getvalue(), keys or None))
        how = "encrypted" if keys else "NOT encrypted"
        self.stdout.write(f"Wrote {out} ({out.stat().st_size // 1024} KiB, {how}, mode 0600).")

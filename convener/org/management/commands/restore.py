"""`convener restore`: the registry's snapshot (written by `convener backup`) loaded back into an
empty database. It lives with the registry, which knows what "empty" means here (no people,
no units); the sealing and unsealing are the core's (``convener.core.backups``)."""

import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from convener.core import backups
from convener.org.models import OrgUnit
from convener.people.models import Person


class Command(BaseCommand):
    help = (
        "Restore a snapshot written by `convener backup` into an empty, migrated database, "
        "all-or-nothing: `convener restore FILE --identity KEYFILE` (the age identity file "
        "holding the private key, needed for an encrypted backup). Refuses a database that "
        "already holds people or units. API tokens are not in backups: recreate them with "
        "`convener drf_create_token USERNAME`."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--identity", type=Path, help="age identity file (private key)")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        identity = options["identity"]
        if identity is not None and not identity.is_file():
            raise CommandError(f"{identity}: no such identity file")
        try:
            text = backups.unseal(path.read_bytes(), identity)
        except ValueError as error:
            raise CommandError(f"{path}: {error}") from None
        call_command("migrate", verbosity=0, interactive=False)
        if Person.objects.exists() or OrgUnit.objects.exists():
            raise CommandError("The database is not empty; restore only into an empty one.")
        with tempfile.TemporaryDirectory() as folder:  # private to us (mode 0700)
            plain = Path(folder) / "backup.yaml"
            backups.write_private(plain, text.encode("utf-8"))
            with transaction.atomic():
                # the role groups made by migrations come back from the snapshot itself
                from django.contrib.auth.models import Group

                Group.objects.all().delete()
                call_command("loaddata", str(plain), verbosity=0)
        self.stdout.write(f"Restored {path}.")

import gzip
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from convener.org.models import OrgUnit
from convener.people.models import Person


class Command(BaseCommand):
    help = (
        "Restore a snapshot written by `convener backup` into an empty, migrated database, "
        "all-or-nothing. Refuses a database that already holds people or units."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        call_command("migrate", verbosity=0, interactive=False)
        if Person.objects.exists() or OrgUnit.objects.exists():
            raise CommandError("The database is not empty; restore only into an empty one.")
        with tempfile.TemporaryDirectory() as folder:
            plain = Path(folder) / "backup.yaml"
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rt", encoding="utf-8") as source:
                plain.write_text(source.read(), encoding="utf-8")
            with transaction.atomic():
                # the role groups made by migrations come back from the snapshot itself
                from django.contrib.auth.models import Group

                Group.objects.all().delete()
                call_command("loaddata", str(plain), verbosity=0)
        self.stdout.write(f"Restored {path}.")

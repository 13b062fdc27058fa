from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from convener.core import limits
from convener.training.services import import_completions


class Command(BaseCommand):
    help = (
        "Import training completions from a CSV file with the columns person (ORCID iD, "
        "e-mail or external id), course (title) and completed_on (YYYY-MM-DD). Every row is "
        "checked first; with any problem nothing is written and each problem is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check only")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            too_large = limits.size_problem(path.name, path.stat().st_size)
            if too_large:
                raise CommandError(too_large)
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text") from None
        try:
            written, problems = import_completions(text, dry_run=options["dry_run"], name=path.name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if problems:
            listed, more = limits.summarize(problems, key=lambda p: f"{p.column}: {p.problem}")
            for p in listed:
                self.stderr.write(f"row {p.row}, column {p.column}: {p.value!r}: {p.problem}")
            for what, n in more:
                self.stderr.write(f"... and {n} more: {what}")
            raise CommandError(f"{len(problems)} problem(s); nothing was written.")
        self.stdout.write(
            f"{written} completion(s) written."
            if not options["dry_run"]
            else "No problem found (dry run; nothing written)."
        )

import time
import tracemalloc

from django.core.management.base import BaseCommand, CommandError

from convener.exchange.importer import ImportFileError, import_path
from convener.exchange.kinds import DESCRIPTIONS, KINDS


class Command(BaseCommand):
    help = (
        "Import people, institutions, memberships, affiliations, career stages, units, "
        "positions, appointments and training completions from a CSV named after its kind "
        "(people.csv), a folder of such CSVs, or an XLSX workbook with one sheet per kind. "
        "Every row is checked first; with any problem nothing is written and every problem "
        "is listed by kind, row, column and value. Rows are matched by id (or ORCID iD, ROR "
        "id), so importing the same file twice changes nothing. --template KIND prints the "
        "columns of a kind. --jekyll SITE --mapping FILE reads a Jekyll site's own people and "
        "organization YAML instead, as the mapping file says (docs/jekyll.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="a .csv, a folder of .csv, or an .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="check only")
        parser.add_argument("--template", choices=list(KINDS), help="print a kind's columns")
        parser.add_argument("--measure", action="store_true", help="report time and memory")
        parser.add_argument("--jekyll", metavar="SITE", help="a Jekyll site's folder to read")
        parser.add_argument("--mapping", metavar="FILE", help="with --jekyll: the mapping file")

    def handle(self, *args, **options):
        if options["template"]:
            columns = KINDS[options["template"]]
            self.stdout.write(",".join(columns))
            for c in columns:
                if c in DESCRIPTIONS:
                    self.stderr.write(f"  {c}: {DESCRIPTIONS[c]}")
            return
        if options["jekyll"]:
            return self.from_site(options)
        if not options["file"]:
            raise CommandError("Name the file to import (or use --template KIND).")
        if options["measure"]:
            tracemalloc.start()
        started = time.perf_counter()
        try:
            report = import_path(
                options["file"], dry_run=options["dry_run"], progress=options["verbosity"] > 0
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        if not report.ok:
            for problem in report.problems[:500]:
                self.stderr.write(str(problem))
            more = len(report.problems) - 500
            if more > 0:
                self.stderr.write(f"... and {more} more")
            raise CommandError(f"{len(report.problems)} problem(s); nothing was written.")
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(f"{verb}: {report.summary()}.")
        if options["measure"]:
            _, peak = tracemalloc.get_traced_memory()
            self.stdout.write(
                f"{time.perf_counter() - started:.1f} s, peak Python memory {peak / 2**20:.0f} MiB"
            )

    def from_site(self, options):
        from convener.exchange.jekyll import NotAJekyllSite
        from convener.exchange.jekyll.site_import import MappingError, import_site

        if not options["mapping"]:
            raise CommandError(
                "--jekyll needs --mapping FILE: which of the site's fields is which."
            )
        try:
            report = import_site(options["jekyll"], options["mapping"], dry_run=options["dry_run"])
        except (NotAJekyllSite, MappingError) as exc:
            raise CommandError(str(exc)) from None
        for note in report.notes:
            self.stdout.write(f"Note: {note}")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(report.problems)} problem(s); nothing was written.")
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(f"{verb}: {report.summary()}.")

import sys
import time
import tracemalloc
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from convener.exchange.importer import ImportFileError, import_path
from convener.exchange.kinds import DESCRIPTIONS, KINDS, REQUIRED, template


class Command(BaseCommand):
    help = (
        "Import people, institutions, memberships, affiliations, career stages, units, "
        "positions, appointments and training completions from a CSV named after its kind "
        "(people.csv), a folder of such CSVs, or an XLSX workbook with one sheet per kind. "
        "Every row is checked first; with any problem nothing is written and every problem "
        "is listed by kind, row, column and value. Rows are matched by id (or ORCID iD, ROR "
        "id), so importing the same file twice changes nothing. Popolo JSON (as written by "
        "`convener export popolo`) is read too. --template KIND writes a CSV to fill in: its "
        "header marks required columns with * and lists allowed values, and a commented-out "
        "row shows an example (rows whose first cell starts with # are not imported). "
        "--jekyll SITE --mapping FILE reads a Jekyll site's own people and organization YAML "
        "instead, as the mapping file says (docs/jekyll.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="a .csv, a folder of .csv, or an .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="check only")
        parser.add_argument(
            "--template", choices=list(KINDS), help="write an example CSV of a kind to fill in"
        )
        parser.add_argument("--out", help="with --template: write to this file, not stdout")
        parser.add_argument("--measure", action="store_true", help="report time and memory")
        parser.add_argument("--jekyll", metavar="SITE", help="a Jekyll site's folder to read")
        parser.add_argument("--mapping", metavar="FILE", help="with --jekyll: the mapping file")

    def handle(self, *args, **options):
        if options["template"]:
            kind = options["template"]
            text = template(kind)
            if options["out"]:
                Path(options["out"]).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text, ending="")
            for c in KINDS[kind]:
                required = " (required)" if c in REQUIRED[kind] else ""
                if c in DESCRIPTIONS or required:
                    self.stderr.write(f"  {c}{required}: {DESCRIPTIONS.get(c, '')}")
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
                options["file"],
                dry_run=options["dry_run"],
                # progress bars only where someone watches them
                progress=options["verbosity"] > 0 and sys.stderr.isatty(),
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
        for warning in report.warnings[:200]:
            self.stderr.write(f"warning: {warning}")
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

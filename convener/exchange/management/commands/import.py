import sys
import time
import tracemalloc
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

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
        "instead, as the mapping file says (docs/jekyll.md). "
        "Limits: a file of at most CONVENER_IMPORT_MAX_MB (25) MB, at most "
        "CONVENER_IMPORT_MAX_ROWS (100,000) rows of each kind. The import runs here, with "
        "progress bars; --queue leaves it to the background worker (`convener worker`) and "
        "--follow JOB shows the progress of such an import until it is done."
    )

    # a data command: the system checks are `convener check`'s (and the server's) business
    requires_system_checks = []

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
        parser.add_argument(
            "--queue", action="store_true", help="leave the import to the background worker"
        )
        parser.add_argument(
            "--follow", type=int, metavar="JOB", help="show a queued import's progress and report"
        )

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
        if options["follow"]:
            return self.follow(options["follow"], options)
        if not options["file"]:
            raise CommandError("Name the file to import (or use --template KIND).")
        if options["queue"]:
            return self.queue(Path(options["file"]), options)
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

    def queue(self, path: Path, options):
        from convener.exchange.jobs import queue_import

        if not path.is_file():
            raise CommandError(f"{path}: --queue takes one file (a .csv, .xlsx or .json)")
        try:
            job = queue_import(path.name, path.read_bytes(), dry_run=options["dry_run"])
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Queued import {job.pk} of {path.name}; the worker runs it. Follow it with "
            f"`convener import --follow {job.pk}`."
        )

    def follow(self, pk: int, options):
        """Show a queued import's progress as a bar until it is over, then its report."""
        from convener.exchange.jobs import progress_of
        from convener.exchange.models import ImportJob

        job = ImportJob.objects.defer("content").filter(pk=pk).first()
        if job is None:
            raise CommandError(f"No import job {pk}.")
        with tqdm(total=100, unit="%", disable=options["verbosity"] < 1) as bar:
            while not job.finished:
                percent, note = progress_of(job)
                bar.set_description(f"{job.get_state_display()}: {note}"[:60])
                bar.update(max(0, percent - bar.n))
                time.sleep(1)
                job.refresh_from_db(fields=["state", "progress", "progress_note"])
            bar.update(100 - bar.n)
        job.refresh_from_db()
        if job.state == ImportJob.State.FAILED:
            raise CommandError(f"The import failed ({job.error}); nothing was written.")
        report = job.report or {}
        if report.get("file_error"):
            raise CommandError(report["file_error"])
        for warning in report.get("warnings", []):
            self.stderr.write(f"warning: {warning['text']}")
        if not report.get("ok"):
            for problem in report.get("problems", []):
                self.stderr.write(problem["text"])
            more = report.get("problem_count", 0) - len(report.get("problems", []))
            if more > 0:
                self.stderr.write(f"... and {more} more")
            raise CommandError(f"{report.get('problem_count')} problem(s); nothing was written.")
        verb = "Would import" if job.dry_run else "Imported"
        self.stdout.write(f"{verb}: {report.get('summary')}.")

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
        for warning in report.warnings:
            self.stderr.write(f"Warning: {warning}")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(report.problems)} problem(s); nothing was written.")
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(f"{verb}: {report.summary()}.")

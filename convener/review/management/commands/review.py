import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils import timezone

from convener.core import spreadsheet
from convener.review.report import OFFICER, PUBLISHED, build, first_year, rows_for_csv


class Command(BaseCommand):
    help = (
        "Write the annual proportionality review: `convener review --year 2025 --audience "
        "officer|published --format html|pdf|csv --out PATH`. The officer version has exact "
        "(still k-protected) counts; the published one follows every disclosure rule. The "
        "CSV holds the aggregate tables exactly as shown."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=timezone.localdate().year)
        parser.add_argument("--audience", choices=[OFFICER, PUBLISHED], default=PUBLISHED)
        parser.add_argument("--format", choices=["html", "pdf", "csv"], default="html")
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--strict", action="store_true", help="11 answers at least")

    def handle(self, *args, **options):
        this_year = timezone.localdate().year
        first = min(first_year() or this_year, this_year)  # the year the data begins
        if not first <= options["year"] <= this_year:
            raise CommandError(f"--year must be between {first} and {this_year}")
        started = time.perf_counter()
        review = build(options["year"], options["audience"], strict=options["strict"])
        out = options["out"]
        if options["format"] == "csv":
            with out.open("w", newline="", encoding="utf-8") as f:
                spreadsheet.writer(f).writerows(rows_for_csv(review))
        else:
            from convener.core.charts import bar_chart

            for attr in review["attributes"]:
                attr.chart = bar_chart(
                    f"chart-{attr.question}-{attr.option}",
                    f"{attr.label}: share by level",
                    "Bars: each level's share; tick: the pool's share.",
                    [
                        (r.level.short, r.share, r.comparison.pool_share if r.comparison else None)
                        for r in attr.rows
                    ],
                )
            html = render_to_string("review/report_document.html", {"review": review})
            if options["format"] == "html":
                out.write_text(html, encoding="utf-8")
            else:
                from weasyprint import HTML

                HTML(string=html, base_url=str(Path.cwd())).write_pdf(out)
        self.stdout.write(
            f"Wrote the {options['audience']} review of {options['year']} to "
            f"{out} in {time.perf_counter() - started:.1f} s."
        )

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from convener.review import lifecycle
from convener.review.models import Review


class Command(BaseCommand):
    help = (
        "The annual proportionality review as a signed-off record.\n"
        "  convener review prepare --year 2025 [--reason TEXT] [--queue]: compute a version "
        "now, with progress (or leave it to the worker with --queue); a year already "
        "published needs --reason, and the new version is a correction.\n"
        "  convener review status: every version and its state.\n"
        "  convener review publish --id N [--user NAME]: freeze a draft as published.\n"
        "  convener review write --year 2025 --audience officer|published --format "
        "html|pdf|csv --out PATH: write a stored review (the latest published version, or "
        "for the officer the latest prepared one)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("prepare")
        p.add_argument("--year", type=int, required=True)
        p.add_argument("--reason", default="")
        p.add_argument("--strict", action="store_true", help="11 answers at least")
        p.add_argument("--queue", action="store_true", help="leave it to the worker")
        p.add_argument("--user", default=None, help="who asks (a username)")
        sub.add_parser("status")
        p = sub.add_parser("publish")
        p.add_argument("--id", type=int, required=True)
        p.add_argument("--user", default=None)
        p = sub.add_parser("write")
        p.add_argument("--year", type=int, required=True)
        p.add_argument("--audience", choices=["officer", "published"], default="published")
        p.add_argument("--format", choices=["html", "pdf", "csv"], default="html")
        p.add_argument("--out", type=Path, required=True)

    def _user(self, name):
        if not name:
            return None
        try:
            return get_user_model().objects.get(username=name)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {name!r}") from None

    def handle(self, *args, **options):
        try:
            getattr(self, options["action"])(options)
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            ) from None

    def prepare(self, options):
        review = lifecycle.request_preparation(
            options["year"],
            self._user(options["user"]),
            reason=options["reason"],
            strict=options["strict"],
        )
        if options["queue"]:
            self.stdout.write(f"Queued version {review.version} of {review.year} (id {review.pk}).")
            return
        started = time.perf_counter()
        review = lifecycle.start(review)
        if review is None:  # the worker took it first
            raise CommandError("The worker is preparing this review; see `convener review status`.")
        with tqdm(total=100, unit="%", disable=options["verbosity"] < 1) as bar:

            def progress(percent, note):
                bar.set_description(note[:50])
                bar.update(max(0, percent - bar.n))

            review = lifecycle.prepare(review, progress)
        if review.state == Review.State.FAILED:
            raise CommandError(f"The preparation failed: {review.error}")
        self.stdout.write(
            f"Prepared version {review.version} of {review.year} (id {review.pk}) in "
            f"{time.perf_counter() - started:.1f} s; publish it with "
            f"`convener review publish --id {review.pk}`."
        )

    def status(self, options):
        for r in Review.objects.order_by("-year", "-version"):
            extra = f" {r.progress}% {r.progress_note}" if r.state == Review.State.RUNNING else ""
            self.stdout.write(
                f"{r.pk:>5}  {r.year} v{r.version}  {r.get_state_display()}{extra}"
                + (f"  corrects v{r.corrects.version}: {r.reason}" if r.corrects_id else "")
            )

    def publish(self, options):
        review = Review.objects.filter(pk=options["id"]).first()
        if review is None:
            raise CommandError(f"No review with id {options['id']}")
        review = lifecycle.publish(review, self._user(options["user"]))
        self.stdout.write(f"Published version {review.version} of {review.year}.")

    def write(self, options):
        from django.template.loader import render_to_string

        from convener.review.views import render_pdf

        states = [Review.State.PUBLISHED]
        if options["audience"] == "officer":
            states.append(Review.State.DRAFT)
        review = (
            Review.objects.filter(year=options["year"], state__in=states)
            .order_by("-version")
            .first()
        )
        if review is None:
            raise CommandError(f"No stored {options['audience']} review of {options['year']}.")
        if options["audience"] == "officer":
            stored = lifecycle.pages(review, "officer", files=True)
            stored["commentary"] = review.commentary
        else:
            stored = review.snapshot
        out = options["out"]
        if options["format"] == "csv":
            out.write_text(stored["csv"], encoding="utf-8")
        elif options["format"] == "html":
            out.write_text(
                render_to_string("review/report_document.html", {"stored": stored}),
                encoding="utf-8",
            )
        else:
            out.write_bytes(render_pdf(stored))
        self.stdout.write(f"Wrote {out}.")

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from convener.exchange.jekyll import NotAJekyllSite, SiteConfigError, publish


class Command(BaseCommand):
    help = (
        "Publish the registry into the collaboration's Jekyll site: `convener publish jekyll "
        "--site DIR` writes data files (_data/convener/: units, positions, people, calls, "
        "history), ready includes (_includes/convener/: org_chart, position, person_card, "
        "calls), a stylesheet (assets/convener/) and pages under /leadership/, as the site's "
        "own settings ask (a convener: block in _config.yml or _data/convener/config.yml; see "
        "docs/jekyll.md). Only files whose content changed are written; a file without the "
        "line 'generator: convener' is the site's own and is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", choices=["jekyll"])
        parser.add_argument("--site", required=True, type=Path)

    def handle(self, *args, **options):
        try:
            outcome = publish(options["site"])
        except (NotAJekyllSite, SiteConfigError) as exc:
            raise CommandError(str(exc)) from None
        counts = outcome.counts()
        self.stdout.write(
            f"{counts['written']} file(s) written, {counts['unchanged']} unchanged, "
            f"{counts['removed']} removed."
        )
        for path in outcome.kept:
            self.stdout.write(f"Kept the site's own version of {path} (no generator line).")

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from convener.exchange.jekyll import NotAJekyllSite, publish


class Command(BaseCommand):
    help = (
        "Publish the structure, positions (mandates, requirements, holders), open calls and "
        "the leadership history into a Jekyll site: `convener publish jekyll --site DIR` "
        "writes _data/convener/*.yml and pages under leadership/, changing only files whose "
        "content changed and nothing else in the site."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", choices=["jekyll"])
        parser.add_argument("--site", required=True, type=Path)

    def handle(self, *args, **options):
        try:
            counts = publish(options["site"])
        except NotAJekyllSite as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{counts['written']} file(s) written, {counts['unchanged']} "
            f"unchanged, {counts['removed']} removed."
        )

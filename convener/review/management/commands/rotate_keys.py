from django.core.management.base import BaseCommand

from convener.review.services import rotate_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every self-identification record with the newest key. Put the new key "
        "first in CONVENER_DEMOGRAPHICS_KEYS (keep the old ones after it), run this, then "
        "drop the old keys."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{rotate_keys()} record(s) re-encrypted with the newest key.")

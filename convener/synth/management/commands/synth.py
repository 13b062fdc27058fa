import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from convener.core.batch import refresh_statistics
from convener.people.models import Person
from convener.synth.generator import Synthesizer, check_registry


class Command(BaseCommand):
    help = (
        "Fill the configured database with a synthetic collaboration: institutions in many "
        "countries, members with careers, the L1/L2/L3 structure with boards and committees, "
        "and Y years of appointments (deputies, re-appointments, acting holders, vacancies, "
        "retired units). The same seed always gives the same collaboration. Refuses to run "
        "on a database that already has people."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=6000, help="members (default 6000)")
        parser.add_argument("--years", type=int, default=30, help="years of history (30)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="the last day of the history, YYYY-MM-DD (default: today)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="afterwards, verify every registry rule on the stored data",
        )

    def handle(self, *args, **options):
        existing = Person.objects.count()
        if existing:
            raise CommandError(
                f"The database already has {existing} people; synth only fills an empty one."
            )
        started = time.perf_counter()
        try:
            synth = Synthesizer(
                options["people"],
                options["years"],
                options["seed"],
                today=options["today"],
                progress=options["verbosity"] > 0,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        summary = synth.run()
        refresh_statistics()  # tens of thousands of rows: the planner's statistics anew
        elapsed = time.perf_counter() - started
        if options["verbosity"]:
            parts = ", ".join(f"{v} {k}" for k, v in summary.items())
            self.stdout.write(self.style.SUCCESS(f"Created {parts} in {elapsed:.1f} s."))
        if options["check"]:
            problems = check_registry()
            if problems:
                raise CommandError("Registry rules broken:\n" + "\n".join(problems[:20]))
            self.stdout.write("Every registry rule holds.")

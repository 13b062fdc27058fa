import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from convener.org.models import Appointment, OrgUnit, Position
from convener.people.models import Institution, Person
from convener.synth.generator import Synthesizer, check_registry

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)


def _fingerprint():
    return (
        list(Person.objects.order_by("id").values_list("name", "orcid")),
        list(
            Appointment.objects.order_by("id").values_list(
                "person__slug", "position__slug", "start", "start_precision", "end", "term_number"
            )
        ),
    )


def test_the_synthetic_collaboration_obeys_every_registry_rule():
    summary = Synthesizer(400, 20, seed=3, today=TODAY, progress=False).run()
    assert check_registry() == []
    assert summary["people"] == Person.objects.count() == 400
    assert Appointment.objects.filter(capacity="acting").exists()
    assert Appointment.objects.filter(end__isnull=True).exists()
    assert OrgUnit.objects.filter(end__isnull=False).exists()  # retired units
    assert Position.objects.filter(deputizes_for__isnull=False).exists()
    assert Appointment.objects.filter(end_reason="moved_on").exists()  # deputies promoted
    assert Appointment.objects.filter(term_number__gte=2).exists()  # re-appointments
    assert set(Appointment.objects.values_list("start_precision", flat=True)) == {
        "year",
        "month",
        "day",
    }
    for person in Person.objects.all()[:50]:
        person.full_clean()  # ORCID iDs are valid
    for inst in Institution.objects.all()[:50]:
        inst.full_clean()  # ROR ids are valid


def test_the_same_seed_gives_the_same_collaboration():
    from django.db import transaction

    fingerprints = []
    for _ in range(2):
        with transaction.atomic():
            Synthesizer(200, 10, seed=7, today=TODAY, progress=False).run()
            fingerprints.append(_fingerprint())
            transaction.set_rollback(True)
    assert fingerprints[0] == fingerprints[1]
    assert len(fingerprints[0][1]) > 50


def test_another_seed_gives_another_collaboration():
    from django.db import transaction

    fingerprints = []
    for seed in (1, 2):
        with transaction.atomic():
            Synthesizer(200, 10, seed=seed, today=TODAY, progress=False).run()
            fingerprints.append(_fingerprint())
            transaction.set_rollback(True)
    assert fingerprints[0] != fingerprints[1]


def test_the_scale_matches_a_large_collaboration():
    summary = Synthesizer(6000, 5, seed=1, today=TODAY, progress=False).run()
    assert 230 <= summary["institutions"] <= 270
    assert 40 <= summary["countries"] <= 50
    assert 5 <= OrgUnit.objects.filter(level=1).count() <= 6
    current_l2 = OrgUnit.objects.filter(level=2).current().count()
    current_l3 = OrgUnit.objects.filter(level=3).current().count()
    assert 25 <= current_l2 <= 40 and 120 <= current_l3 <= 200


def test_synth_refuses_a_database_that_has_people():
    Person.objects.create(name="Already Here")
    with pytest.raises(CommandError, match="already has 1 people"):
        call_command("synth", people=100, years=5, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_synth_leaves_the_planner_statistics_of_what_it_made():
    """A server without autovacuum would plan every query on empty statistics after a bulk
    load (a picker search then reads every person instead of its index): synth gathers them.
    137 people: a count no earlier statistics of the test database can hold by chance."""
    from django.db import connection

    call_command("synth", people=137, years=3, verbosity=0)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'people_person'")
            assert cursor.fetchone()[0] == 137
        else:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'people_person'")
            assert any(row[0].split()[0] == "137" for row in cursor.fetchall())

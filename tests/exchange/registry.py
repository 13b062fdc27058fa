"""Emptying the registry between an export and its re-import, in dependency order."""

from convener.nominations.models import Call
from convener.org.models import Appointment, OrgUnit, Position, SeatPeriod
from convener.people.models import Affiliation, Institution, Person
from convener.training.models import Completion


def empty_the_registry() -> None:
    Completion.objects.all().delete()
    for call in Call.objects.all():
        call.candidacies.all().delete()
    Call.objects.all().delete()
    Appointment.objects.all().delete()
    SeatPeriod.objects.all().delete()
    Position.objects.filter(deputizes_for__isnull=False).delete()
    Position.objects.all().delete()
    while OrgUnit.objects.exists():
        OrgUnit.objects.filter(children__isnull=True).delete()
    Affiliation.objects.all().delete()
    Person.objects.all().delete()
    Institution.objects.all().delete()

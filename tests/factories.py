"""Test data built in code: factories for every registry model."""

import datetime as dt

import factory
from django.contrib.auth.models import Group, User

from convener.org.models import Appointment, OrgUnit, Position
from convener.people.models import Affiliation, CareerStage, Institution, Membership, Person


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get_or_create(name=name)[0])
        if create:
            self.save()


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"University of Testville {n}")
    country = "US"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person Number{n}")
    email = factory.LazyAttribute(lambda p: f"{p.name.replace(' ', '.').lower()}@example.org")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    start = dt.date(2000, 1, 1)


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    person = factory.SubFactory(PersonFactory)
    institution = factory.SubFactory(InstitutionFactory)
    start = dt.date(2000, 1, 1)


class CareerStageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareerStage

    person = factory.SubFactory(PersonFactory)
    stage = CareerStage.Stage.POSTDOC
    start = dt.date(2000, 1, 1)


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = OrgUnit.Kind.AREA
    level = 2
    start = dt.date(1990, 1, 1)


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    unit = factory.SubFactory(OrgUnitFactory)
    title = factory.Sequence(lambda n: f"Manager {n}")
    level = Position.Level.L2
    role = Position.Role.LEAD
    function = Position.Function.RESOURCES
    filled_by = Position.FilledBy.CALL
    seats = 1
    term_months = 24
    term_limit = 2
    start = dt.date(1990, 1, 1)


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    person = factory.SubFactory(PersonFactory)
    position = factory.SubFactory(PositionFactory)
    start = dt.date(2010, 1, 1)

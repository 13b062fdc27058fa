"""The admin is for staff, and enforces the same rules as every other path."""

import datetime as dt

import pytest
from django.urls import reverse

from convener.org.models import Appointment
from tests.conftest import ROLES
from tests.factories import AppointmentFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_reach_the_admin(client, login, role):
    login(role)
    response = client.get(reverse("admin:org_appointment_changelist"))
    assert response.status_code == (200 if role == "staff" else 302)


def test_a_seat_overflow_entered_in_the_admin_is_refused_with_a_message(client, login):
    login("staff")
    existing = AppointmentFactory(start=dt.date(2010, 1, 1))
    newcomer = PersonFactory()
    response = client.post(
        reverse("admin:org_appointment_add"),
        {
            "person": newcomer.pk,
            "position": existing.position.pk,
            "start": "2011-01-01",
            "start_precision": "day",
            "end_precision": "day",
            "capacity": "regular",
            "method": "call",
            "end_kind": "left",
        },
    )
    assert response.status_code == 200
    assert "no free seat" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_an_appointment_added_in_the_admin_is_saved_with_its_history(client, login):
    user = login("staff")
    existing = AppointmentFactory(start=dt.date(2010, 1, 1), end=dt.date(2012, 1, 1))
    response = client.post(
        reverse("admin:org_appointment_add"),
        {
            "person": PersonFactory().pk,
            "position": existing.position.pk,
            "start": "2012",
            "start_precision": "year",
            "end_precision": "day",
            "capacity": "regular",
            "method": "call",
            "end_kind": "left",
        },
    )
    # "2012" is not a date the admin's date field reads: the field is named in the error
    assert response.status_code == 200 and "Enter a valid date" in response.content.decode()
    response = client.post(
        reverse("admin:org_appointment_add"),
        {
            "person": PersonFactory().pk,
            "position": existing.position.pk,
            "start": "2012-01-01",
            "start_precision": "year",
            "end_precision": "day",
            "capacity": "regular",
            "method": "call",
            "end_kind": "left",
        },
    )
    assert response.status_code == 302
    added = Appointment.objects.latest("id")
    assert added.history.first().history_user == user
    history = client.get(reverse("admin:org_appointment_history", args=[added.pk]))
    assert history.status_code == 200


def test_the_admin_lists_take_a_fixed_number_of_queries(client, login, django_assert_num_queries):
    login("staff")
    AppointmentFactory()
    url = reverse("admin:org_appointment_changelist")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for year in range(1990, 2000):
        AppointmentFactory(start=dt.date(year, 1, 1), end=dt.date(year + 1, 1, 1))
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


def test_an_invalid_orcid_in_the_admin_is_named_and_nothing_is_saved(client, login):
    from convener.people.models import Person

    login("staff")
    response = client.post(
        reverse("admin:people_person_add"),
        {
            "name": "Ada Lovelace",
            "orcid": "0000-0002-1825-0098",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
            "affiliations-TOTAL_FORMS": 0,
            "affiliations-INITIAL_FORMS": 0,
            "career_stages-TOTAL_FORMS": 0,
            "career_stages-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "check digit is wrong" in response.content.decode()
    assert not Person.objects.exists()


def test_an_invalid_ror_in_the_admin_is_named_and_nothing_is_saved(client, login):
    from convener.people.models import Institution

    login("staff")
    response = client.post(
        reverse("admin:people_institution_add"),
        {
            "name": "Nowhere University",
            "country": "US",
            "ror": "01ggx4158",
        },
    )
    assert response.status_code == 200
    assert "check digits are wrong" in response.content.decode()
    assert not Institution.objects.exists()

"""Odd input gets a clear 400 naming what is wrong, never a 500, and no date outside
1900–2199 gets in on any path (issue 15, item 11)."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from convener.core.dates import PartialDate, parse_day
from convener.core.roles import Role
from convener.exchange.importer import import_path
from convener.org.models import Appointment
from convener.training.services import import_completions
from tests.factories import (
    MembershipFactory,
    OrgUnitFactory,
    PersonFactory,
    PositionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_api():
    client = APIClient(raise_request_exception=False)
    token = Token.objects.create(user=UserFactory(roles=[Role.MANAGER]))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def open_post():
    """A position that exists on every day from 1990 on, with 20-year terms."""
    unit = OrgUnitFactory(name="Calorimetry", level=1)
    return PositionFactory(unit=unit, title="Calorimetry Lead", level="L1", term_months=240)


@pytest.mark.parametrize("year", ["²", "２０２４", "1e3", "-1", " "])
def test_a_year_that_is_not_ascii_digits_is_a_400_naming_the_year(client, login, year):
    login(Role.DIVERSITY_OFFICER)
    # the published reviews, asked for a year
    response = client.get(reverse("review:published"), {"year": year})
    assert response.status_code == 400
    assert "year" in response.content.decode()
    # the officer asking for a year's review to be prepared
    response = client.post(reverse("review:prepare"), {"year": year})
    assert response.status_code == 400
    assert "year" in response.content.decode()


def test_a_review_year_before_the_data_begins_is_a_400_that_says_where_it_begins(client, login):
    # the earliest membership starts in 2000: the review can cover 2000 at the earliest
    MembershipFactory(person=PersonFactory(name="Early Member"), start=dt.date(2000, 3, 1))
    login(Role.DIVERSITY_OFFICER)
    response = client.post(reverse("review:prepare"), {"year": "1999"})
    assert response.status_code == 400
    assert "between 2000 and" in response.content.decode()
    assert client.post(reverse("review:prepare"), {"year": "2000"}).status_code == 302


def test_an_appointment_in_the_year_9999_is_refused_by_the_api_naming_the_start(
    manager_api, open_post, client
):
    person = PersonFactory(name="Far Future")
    for start in ("9999", "9999-12-01", "1899-12-31", "2200-01"):
        response = manager_api.post(
            "/api/appointments/",
            {"person": person.slug, "position": open_post.slug, "start": start},
            format="json",
        )
        assert response.status_code == 400, start
        assert "outside the dates Convener keeps (1900–2199)" in response.json()["start"][0]
    assert not Appointment.objects.exists()
    response = client.get(reverse("site:org"), {"on": "9999-12-31"})
    assert response.status_code == 400
    assert "9999-12-31 is outside the dates Convener keeps" in response.content.decode()


def test_the_latest_date_kept_still_has_its_term_end_computed(manager_api, open_post, client):
    # 2199-12-31 plus a 240-month term is 2219-12-31: a real date, unlike 9999 + 20 years
    person = PersonFactory(name="Last Holder")
    response = manager_api.post(
        "/api/appointments/",
        {"person": person.slug, "position": open_post.slug, "start": "2199"},
        format="json",
    )
    assert response.status_code == 201
    page = client.get(reverse("site:org"), {"on": "2199-12-31"})
    assert page.status_code == 200 and "Last Holder" in page.content.decode()


def test_the_api_date_filter_refuses_a_day_outside_the_range(manager_api):
    response = manager_api.get("/api/appointments/", {"on": "9999-12-31"})
    assert response.status_code == 400 and "on" in response.json()


def test_a_deeply_nested_json_body_is_a_400(manager_api):
    body = "[" * 100_000 + "]" * 100_000
    response = manager_api.post("/api/people/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_the_admin_refuses_an_appointment_in_9999_on_the_start_field(client, open_post):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    person = PersonFactory(name="Admin Typo")
    response = client.post(
        "/admin/org/appointment/add/",
        {
            "person": person.pk,
            "position": open_post.pk,
            "start": "9999-01-01",
            "start_precision": "day",
            "end_precision": "day",
            "capacity": "regular",
            "method": "call",
        },
    )
    assert response.status_code == 200  # the form again, with the error on the field
    assert response.context["adminform"].form.errors["start"] == [
        "9999-01-01 is outside the dates Convener keeps (1900–2199)."
    ]
    assert not Appointment.objects.exists()


def test_the_importer_refuses_a_date_outside_the_range_by_row_and_column(tmp_path, open_post):
    person = PersonFactory(name="Imported Holder", external_id="p-1")
    path = tmp_path / "appointments.csv"
    path.write_text(f"id,person,position,start\na-1,{person.external_id},{open_post.slug},9999\n")
    report = import_path(path)
    assert [(p.row, p.column) for p in report.problems] == [(2, "start")]
    assert "outside the dates Convener keeps" in report.problems[0].problem
    assert not Appointment.objects.exists()


def test_the_training_import_refuses_a_completion_before_1900():
    from convener.training.models import Completion, Course

    Course.objects.create(title="Running effective meetings")
    PersonFactory(name="Old Timer", orcid="0000-0002-1825-0097")
    written, problems = import_completions(
        "person,course,completed_on\n0000-0002-1825-0097,Running effective meetings,1066-10-14\n"
    )
    assert written == 0
    assert [(p.row, p.column) for p in problems] == [(2, "completed_on")]
    assert not Completion.objects.exists()


def test_a_save_that_skips_validation_still_cannot_store_a_date_outside_the_range(open_post):
    with pytest.raises(ValidationError) as error:
        Appointment.objects.create(
            person=PersonFactory(name="Shortcut"), position=open_post, start=dt.date(1066, 10, 14)
        )
    assert "start" in error.value.message_dict
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    "text,ok",
    [("1900", True), ("2199-12", True), ("1899", False), ("2200", False), ("9999-12-31", False)],
)
def test_partial_dates_are_kept_between_1900_and_2199(text, ok):
    if ok:
        assert PartialDate.parse(text)
    else:
        with pytest.raises(ValueError, match="outside the dates Convener keeps"):
            PartialDate.parse(text)


@pytest.mark.parametrize("text", ["２０２４-01-01", "2024-1-1", "0000-00-00", "9999-12-31"])
def test_a_day_parameter_is_ascii_iso_and_within_the_range(text):
    with pytest.raises(ValueError):
        parse_day(text)


def test_an_api_body_that_is_json_but_not_an_object_is_a_400(manager_api):
    response = manager_api.post(
        "/api/people/", json.dumps([[[["Ada"]]]]), content_type="application/json"
    )
    assert response.status_code == 400

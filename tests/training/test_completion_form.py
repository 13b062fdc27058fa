"""Recording a completion by hand: the person chosen by type-ahead; a problem is named in
plain words at the field and in a summary, what was typed stays, nothing is written."""

import datetime as dt

import pytest
from django.urls import reverse

from convener.core.roles import Role
from convener.org import services
from convener.training.models import Completion, Course
from tests.factories import PersonFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(UserFactory(roles=[Role.MANAGER]))
    return client


def test_a_name_that_matches_no_holder_is_refused_and_the_form_keeps_it(manager_client):
    course = Course.objects.create(title="Running meetings", provider="CMS")
    response = manager_client.post(
        reverse("training:add"),
        {
            "person": "Zelda Nobody",
            "person_id": "",
            "course": course.pk,
            "completed_on": "2026-01-15",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-error-summary" in html
    assert "Person: Nobody here matches “Zelda Nobody”" in html
    assert 'value="Zelda Nobody"' in html and 'value="2026-01-15"' in html
    assert "['" not in html  # never a Python list
    assert not Completion.objects.exists()


def test_a_holder_typed_by_name_is_enough(manager_client):
    course = Course.objects.create(title="Running meetings", provider="CMS")
    holder = PersonFactory(name="Hana Holder")
    services.appoint(holder, PositionFactory(), dt.date(2024, 1, 1))
    response = manager_client.post(
        reverse("training:add"),
        {
            "person": "hana holder",
            "person_id": "",
            "course": course.pk,
            "completed_on": "2026-01-15",
        },
    )
    assert response.status_code == 302
    assert Completion.objects.get().person == holder

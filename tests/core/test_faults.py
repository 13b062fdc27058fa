"""Faults: the database going away mid-request gives a clear 503 and no partial write."""

import pytest
from django.db import OperationalError
from django.urls import reverse

from convener.org.models import Appointment
from tests.factories import PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db


def test_a_lost_database_gives_a_503_page(client, monkeypatch):
    from convener.org import services

    def gone(day):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "org_chart", gone)
    response = client.get(reverse("site:org"))
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "temporarily unavailable" in response.content.decode()


def test_a_failure_in_the_middle_of_a_write_leaves_nothing_written(client, login, monkeypatch):
    """The connection drops after the appointment row is written but before the terms are
    renumbered: the whole change is rolled back."""
    from rest_framework.authtoken.models import Token

    from convener.org import models

    position = PositionFactory()
    person = PersonFactory()
    user = login("manager")
    token = Token.objects.create(user=user)

    def drop(person_id, position):
        raise OperationalError("connection lost")

    monkeypatch.setattr(models, "renumber_terms", drop)
    response = client.post(
        "/api/appointments/",
        {"person": person.slug, "position": position.slug, "start": "2024-01-01"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 503
    assert not Appointment.objects.filter(position=position).exists()

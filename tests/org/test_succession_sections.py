"""The succession dashboard's sections that read the registry alone (holdovers, the bench,
lead posts without a deputy, vacancies, exceptions) are drawn once per registry version and
shared: what a manager reads there must still follow every change at once, and each filter."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from convener.org import services
from tests.factories import PersonFactory, PositionFactory
from tests.site import collab

pytestmark = pytest.mark.django_db


def _section(html: str, heading_id: str, next_id: str) -> str:
    return html.split(f'id="{heading_id}"', 1)[1].split(f'id="{next_id}"', 1)[0]


def test_a_new_holder_leaves_the_vacancies_at_once_and_filters_draw_their_own(client, login):
    world = collab.build(groups=1)
    login("manager")
    url = reverse("org:succession")
    liaison = PositionFactory(unit=world["l2"], title="Pixels Liaison", level="L2")

    def vacancies(query=""):
        return _section(client.get(url + query).content.decode(), "vac-h", "exc-h")

    assert "Pixels Liaison" in vacancies()
    assert "Pixels Liaison" not in vacancies("?level=L3")  # another filter, its own sections
    assert "Pixels Liaison" in vacancies("?level=L2")
    services.appoint(PersonFactory(), liaison, timezone.localdate() - dt.timedelta(days=30))
    assert "Pixels Liaison" not in vacancies()
    assert "Pixels Liaison" not in vacancies("?level=L2")

"""The collaboration's own order of units (e.g. WBS numbers), kept in the registry: the chart
follows it, number by number, and a malformed order is refused by name on every path."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from convener.core.roles import Role
from convener.org import services
from convener.org.models import OrgUnit
from tests.factories import OrgUnitFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_siblings_follow_their_numbers_not_the_alphabet_nor_string_order():
    root = OrgUnitFactory(name="Root", kind=OrgUnit.Kind.COLLABORATION, level=0)
    for name, order in [
        ("Alpha", "1.10"),
        ("Beta", "1.9"),
        ("Gamma", "1.2"),
        ("Delta", ""),  # no order: after the numbered ones
        ("Epsilon", "1.2a"),
        ("Zeta", "1.1"),
    ]:
        OrgUnitFactory(name=name, parent=root, order=order, level=1)
    chart = services.org_chart(dt.date(2024, 1, 1))
    assert [n.unit.name for n in chart[0].children] == [
        "Zeta",
        "Gamma",
        "Epsilon",
        "Beta",
        "Alpha",
        "Delta",
    ]


@pytest.mark.parametrize("order", ["1..2", ".1", "1.", "<b>1</b>", "1/2"])
def test_a_malformed_order_is_refused_with_the_field_named(order):
    unit = OrgUnitFactory.build(name="Tracker", order=order, level=1)
    with pytest.raises(ValidationError) as error:
        unit.full_clean()
    assert "order" in error.value.message_dict


def test_the_api_sets_an_order_and_refuses_a_bad_one_by_name():
    unit = OrgUnitFactory(name="Tracker", level=1)
    client = APIClient()
    token = Token.objects.create(user=UserFactory(roles=[Role.MANAGER]))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    ok = client.patch(f"/api/units/{unit.slug}/", {"order": "2.1"}, format="json")
    assert ok.status_code == 200 and ok.json()["order"] == "2.1"
    bad = client.patch(f"/api/units/{unit.slug}/", {"order": "2..1"}, format="json")
    assert bad.status_code == 400 and "order" in bad.json()
    unit.refresh_from_db()
    assert unit.order == "2.1"


def test_public_profile_links_must_be_web_addresses():
    person = PersonFactory(name="Ada Example")
    person.photo_url = "javascript:alert(1)"
    person.website = "ftp://files.example.org/ada"
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert set(error.value.message_dict) == {"photo_url", "website"}

"""Free text has a length limit, set once for every model (insider finding 8a): 20,000
characters are accepted, 20,001 are refused with a message naming the field, on the form,
the admin, the API and a service that saves without a form; nothing is written."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from convener.core.roles import Role
from convener.mail.models import OutgoingMail
from convener.nominations import services
from convener.nominations.models import Candidacy, Nomination
from convener.org.models import OrgUnit
from tests.factories import OrgUnitFactory, UserFactory
from tests.nominations import world as w

pytestmark = pytest.mark.django_db

TOO_LONG = "This text has 20,001 characters; at most 20,000 are accepted."


def test_a_nomination_statement_of_two_million_characters_is_refused_on_the_form(client):
    world = w.build()
    client.force_login(world["alice"].user)
    response = client.post(
        reverse("nominations:nominate", args=[world["call"].pk]),
        {"nominee": world["bob"].pk, "statement": "B" * 2_000_000},
    )
    assert response.status_code == 400
    assert "This text has 2,000,000 characters; at most 20,000 are accepted." in " ".join(
        response.context["form"].errors["statement"]
    )
    assert not Candidacy.objects.exists() and not Nomination.objects.exists()
    assert not OutgoingMail.objects.filter(kind="consent_requested").exists()


@pytest.mark.expects_mail
def test_twenty_thousand_characters_are_accepted_and_one_more_is_refused_by_the_service():
    world = w.build()
    services.nominate(world["call"], world["bob"], world["alice"], "b" * 20_000)
    with pytest.raises(ValidationError) as info:
        services.nominate(world["call"], world["carol"], world["alice"], "c" * 20_001)
    assert info.value.message_dict["statement"][0].startswith(TOO_LONG)
    assert list(Candidacy.objects.values_list("nominee__name", flat=True)) == ["Bob Baker"]


def test_the_api_refuses_a_description_too_long_and_names_the_field():
    api = APIClient()
    token = Token.objects.create(user=UserFactory(roles=[Role.MANAGER]))
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    unit = OrgUnitFactory(name="Pixels", kind=OrgUnit.Kind.GROUP)
    response = api.patch(f"/api/units/{unit.slug}/", {"description": "d" * 20_001}, format="json")
    assert response.status_code == 400
    assert response.json()["description"][0].startswith(TOO_LONG)
    unit.refresh_from_db()
    assert unit.description == ""


def test_the_admin_refuses_a_mandate_too_long_on_the_field(client):
    from tests.factories import PositionFactory

    position = PositionFactory(title="Pixel Lead")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/org/position/{position.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "unit": position.unit_id,
            "start": "1990-01-01",
            "mandate": "m" * 20_001,
            "appointments-TOTAL_FORMS": 0,
            "appointments-INITIAL_FORMS": 0,
            "seat_periods-TOTAL_FORMS": 0,
            "seat_periods-INITIAL_FORMS": 0,
        }
    )
    data = {k: v for k, v in data.items() if not k.startswith(("sure_", "maybe_"))}
    response = client.post(url, data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["mandate"])
    assert errors.startswith(TOO_LONG)
    position.refresh_from_db()
    assert position.mandate != "m" * 20_001

"""The REST API: public reads, manager writes, the registry's rules, and no private data."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from convener.core.roles import Role
from convener.nominations import services as call_services
from convener.org.models import Appointment
from tests.conftest import ROLES
from tests.factories import UserFactory
from tests.nominations import world as w
from tests.site import collab

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def manager_api():
    client = APIClient()
    user = UserFactory(roles=[Role.MANAGER])
    token = Token.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_anyone_reads_the_registry_with_dates_as_given(api):
    world = collab.build(groups=1)
    response = api.get("/api/appointments/", {"position": world["groups"][0]["lead"].slug})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["person"], r["start"], r["end"]) for r in rows] == [
        ("leader-0-0", "1995", "2005"),
        ("leader-0-1", "2010-01-01", "2020-01-01"),
        ("leader-0-2", "2020-01-01", None),
    ]


def test_filters_by_date_level_and_unit(api):
    world = collab.build(groups=2)
    on = api.get("/api/appointments/", {"on": "2007-01-01", "level": "L3"}).json()
    assert {r["person"] for r in on["results"]} == {"leader-0-1", "leader-1-1"}
    unit = world["groups"][1]["unit"].slug
    positions = api.get("/api/positions/", {"unit": unit}).json()["results"]
    assert {p["title"] for p in positions} == {"Group 1 Convener", "Group 1 Deputy Convener"}
    bad = api.get("/api/appointments/", {"on": "2007-13-01"})
    assert bad.status_code == 400 and "on" in bad.json()


def test_email_is_never_readable(api, manager_api):
    response = manager_api.post(
        "/api/people/", {"name": "Eve Private", "email": "eve@example.org"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert "email" not in response.json()
    for client in (api, manager_api):
        body = client.get("/api/people/", {"name": "Eve"}).content.decode()
        assert "eve@example.org" not in body and "Eve Private" in body


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_and_staff_write(login, client, role):
    collab.build(groups=1)
    login(role)
    response = client.post("/api/people/", {"name": "New Person"}, content_type="application/json")
    expected = 201 if role in {Role.MANAGER, "staff"} else 403
    assert response.status_code == expected


def test_writes_obey_the_registry_rules_and_name_the_field(manager_api):
    world = collab.build(groups=1)
    lead = world["groups"][0]["lead"]
    bad_orcid = manager_api.post(
        "/api/people/", {"name": "X", "orcid": "0000-0002-1825-0098"}, format="json"
    )
    assert bad_orcid.status_code == 400 and "orcid" in bad_orcid.json()
    new = manager_api.post("/api/people/", {"name": "Newcomer"}, format="json").json()
    overflow = manager_api.post(
        "/api/appointments/",
        {"person": new["id"], "position": lead.slug, "start": "2021-03"},
        format="json",
    )
    assert overflow.status_code == 400 and "start" in overflow.json()
    backwards = manager_api.post(
        "/api/appointments/",
        {"person": new["id"], "position": lead.slug, "start": "2021", "end": "2019"},
        format="json",
    )
    assert backwards.status_code == 400 and "end" in backwards.json()
    bad_date = manager_api.post(
        "/api/appointments/",
        {"person": new["id"], "position": lead.slug, "start": "2021-02-30"},
        format="json",
    )
    assert bad_date.status_code == 400 and "start" in bad_date.json()
    assert Appointment.objects.filter(person__slug=new["id"]).count() == 0
    current = Appointment.objects.get(position=lead, end__isnull=True)
    ended = manager_api.patch(
        f"/api/appointments/{current.pk}/",
        {"end": "2022-06", "end_reason": "resigned"},
        format="json",
    )
    assert ended.status_code == 200 and ended.json()["end"] == "2022-06"
    made = manager_api.post(
        "/api/appointments/",
        {"person": new["id"], "position": lead.slug, "start": "2022-07-01"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["term_number"] == 1


def test_calls_show_only_what_the_public_may_see(api, manager_api):
    world = w.build()
    call = world["call"]
    secret = call_services.nominate(call, world["bob"], world["alice"], "Bob")
    call_services.nominate(call, world["carol"], world["carol"], "Me")
    body = api.get("/api/calls/").content.decode()
    assert "Bob Baker" not in body and "Carol Chen" not in body and "Alice" not in body
    draft = manager_api.post(
        "/api/calls/",
        {
            "position": world["position"].slug,
            "committee": world["committee"].slug,
            "opens_at": "2026-01-01T00:00:00Z",
            "closes_at": "2025-01-01T00:00:00Z",
        },
        format="json",
    )
    assert draft.status_code == 400 and "closes_at" in draft.json()
    moved = manager_api.post(
        f"/api/calls/{call.pk}/transition/", {"to_state": "decided"}, format="json"
    )
    assert moved.status_code == 400 and "state" in moved.json()
    moved = manager_api.post(
        f"/api/calls/{call.pk}/transition/",
        {"to_state": "cancelled", "reason": "Merged"},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["state"] == "cancelled"
    assert secret.pk


def test_the_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"openapi: 3" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()


@pytest.mark.parametrize(
    "url",
    [
        "/api/people/",
        "/api/positions/",
        "/api/appointments/",
        "/api/units/",
        "/api/calls/",
        "/api/institutions/",
    ],
)
def test_api_lists_take_a_fixed_number_of_queries(api, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    collab.build(groups=2)
    w.build()
    with CaptureQueriesContext(connection) as small:
        assert api.get(url).status_code == 200
    collab.build(groups=6)
    with CaptureQueriesContext(connection) as large:
        assert api.get(url).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries) <= 4

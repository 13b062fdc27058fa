"""Confidential fields never leave through the API to someone who may not read them: a
canary planted in every one of them is searched for in every API answer, read as anonymous,
as a member and as a committee member (issue 15, item 6)."""

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from convener.core.permissions import CONFIDENTIAL_FIELDS
from convener.core.roles import Role
from convener.org import services
from tests.factories import PersonFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db
D = dt.date

# written here by hand, not read from the rule: removing one from the rule fails this test
CONFIDENTIAL = {
    ("org.Appointment", "exception_justification"): "Canary-justification-Q7",
    ("org.Appointment", "exception_approved_by"): "Canary-approver-Q7",
    ("org.Appointment", "note"): "Canary-note-Q7",
    ("people.Person", "email"): "canary-address-q7@example.org",
}
READERS = {
    "manager": True,
    "officer": True,
    "anonymous": False,
    "member": False,
    "committee": False,
}


@pytest.fixture
def planted():
    """A third term over a limit of two, with its exception recorded."""
    post = PositionFactory(title="Tracker Lead", term_months=24, term_limit=2)
    person = PersonFactory(name="Long Server", email=CONFIDENTIAL[("people.Person", "email")])
    services.appoint(person, post, D(2010, 1, 1), end=D(2012, 1, 1))
    services.appoint(person, post, D(2012, 1, 1), end=D(2014, 1, 1))
    third = services.appoint(
        person,
        post,
        D(2014, 1, 1),
        note=CONFIDENTIAL[("org.Appointment", "note")],
        exception_justification=CONFIDENTIAL[("org.Appointment", "exception_justification")],
        exception_approved_by=CONFIDENTIAL[("org.Appointment", "exception_approved_by")],
    )
    return third


def client_for(who: str) -> APIClient:
    client = APIClient()
    roles = {
        "member": [Role.MEMBER],
        "committee": [Role.MEMBER, Role.COMMITTEE_MEMBER],
        "manager": [Role.MANAGER],
        "officer": [Role.MEMBER, Role.DIVERSITY_OFFICER],
    }
    if who == "manager":  # managers use the API with a token
        token = Token.objects.create(user=UserFactory(roles=roles[who]))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    elif who != "anonymous":
        client.force_login(UserFactory(roles=roles[who]))
    return client


def test_the_rule_lists_every_confidential_field():
    listed = {(model, field) for model, fields in CONFIDENTIAL_FIELDS.items() for field in fields}
    assert set(CONFIDENTIAL) <= listed


@pytest.mark.parametrize("who", list(READERS))
def test_confidential_fields_reach_only_their_readers_through_the_api(planted, who):
    client = client_for(who)
    pages = [
        "/api/appointments/",
        f"/api/appointments/{planted.pk}/",
        f"/api/appointments/?person={planted.person.slug}",
        "/api/people/",
        f"/api/people/{planted.person.slug}/",
        "/api/positions/",
        "/api/calls/",
        "/api/units/",
        "/api/institutions/",
    ]
    bodies = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.content.decode()
    everything = "".join(bodies.values())
    appointment = client.get(f"/api/appointments/{planted.pk}/").json()
    justification = CONFIDENTIAL[("org.Appointment", "exception_justification")]
    if READERS[who]:
        assert appointment["exception_justification"] == justification
        assert appointment["exception_approved_by"] == "Canary-approver-Q7"
    else:
        assert "exception_justification" not in appointment
        assert "exception_approved_by" not in appointment
        assert justification not in everything and "Canary-approver-Q7" not in everything
    # nobody reads these back through the API
    assert "Canary-note-Q7" not in everything
    assert "canary-address-q7" not in everything


def test_the_anonymous_reader_sees_the_public_fields_of_the_same_appointment(planted):
    appointment = client_for("anonymous").get(f"/api/appointments/{planted.pk}/").json()
    assert (appointment["person"], appointment["start"], appointment["term_number"]) == (
        "long-server",
        "2014-01-01",
        3,
    )

"""Self-identification: voluntary, encrypted, readable by the person alone, really erased,
and never anywhere else: canaries planted in answers are searched for everywhere."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from convener.review import crypto, services
from convener.review.models import SelfIdentification, SelfIdEvent
from tests.nominations import world as w
from tests.site import collab

pytestmark = pytest.mark.django_db
CANARY = "Canary-zq81-Xylophone"


def answer(client, person, **extra):
    client.force_login(person.user)
    data = {
        "gender": ["self_described"],
        "describe_gender": CANARY,
        "disability": ["yes"],
        "consent": "1",
        **extra,
    }
    return client.post(reverse("review:self_id"), data)


def test_a_member_answers_and_reads_back_only_their_own_answers(client):
    world = w.build()
    response = answer(client, world["alice"])
    assert response.status_code == 302
    page = client.get(reverse("review:self_id")).content.decode()
    assert CANARY in page and 'value="self_described" id="gender-self_described" checked' in page
    client.force_login(world["bob"].user)
    assert CANARY not in client.get(reverse("review:self_id")).content.decode()
    event = SelfIdEvent.objects.get(person=world["alice"])
    assert (event.kind, event.consent_version) == ("consented", 1)


def test_answers_need_consent_and_valid_choices(client):
    world = w.build()
    client.force_login(world["alice"].user)
    response = client.post(reverse("review:self_id"), {"gender": ["woman"]})
    assert response.status_code == 400 and "consent text" in response.content.decode()
    response = client.post(
        reverse("review:self_id"), {"gender": ["woman", "prefer_not"], "consent": "1"}
    )
    assert response.status_code == 400 and "cannot be combined" in response.content.decode()
    response = client.post(reverse("review:self_id"), {"disability": ["maybe"], "consent": "1"})
    assert response.status_code == 400
    assert not SelfIdentification.objects.exists()


def test_answers_are_encrypted_in_the_database(client):
    world = w.build()
    answer(client, world["alice"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT ciphertext FROM review_selfidentification")
        (stored,) = cursor.fetchone()
    assert CANARY not in stored and "self_described" not in stored
    assert CANARY in crypto.decrypt(stored)["described"]["gender"]


def test_erasure_is_a_real_delete_and_the_audit_keeps_only_the_fact(client):
    world = w.build()
    answer(client, world["alice"])
    client.post(reverse("review:erase"))
    assert not SelfIdentification.objects.exists()
    assert list(SelfIdEvent.objects.values_list("kind", flat=True)) == ["consented", "erased"]
    assert services.read(world["alice"]) is None


def test_keys_can_be_rotated(client, settings):
    from cryptography.fernet import Fernet

    world = w.build()
    answer(client, world["alice"])
    old_key = crypto.keys()[0]
    new_key = Fernet.generate_key().decode()
    settings.DEMOGRAPHICS_KEYS = [new_key, old_key]
    assert services.rotate_keys() == 1
    settings.DEMOGRAPHICS_KEYS = [new_key]
    assert CANARY in services.read(world["alice"])["described"]["gender"]


@pytest.mark.parametrize("role", [None, "member", "committee_member", "manager"])
def test_only_members_reach_the_page(client, login, role):
    login(role)
    status = client.get(reverse("review:self_id")).status_code
    assert status == {None: 302, "member": 200}.get(role, 403)


def test_canaries_appear_nowhere_but_the_persons_own_page(client, caplog, tmp_path, login):
    """Plant a canary answer, then read every page, feed, export, API response and log."""
    from convener.exchange.exporter import export_csv, popolo
    from convener.exchange.jekyll import publish

    caplog.set_level(logging.DEBUG)
    org = collab.build(groups=1)
    world = w.build()
    person = world["alice"]
    answer(client, person)
    client.logout()
    urls = [
        "/",
        "/org/",
        "/calls/",
        "/calls/feed.ics",
        "/calls/feed.atom",
        "/leaders/",
        "/leaders/?format=csv",
        person.get_absolute_url(),
        "/search/?q=Alice",
        org["inst"].get_absolute_url(),
        "/api/people/",
        f"/api/people/{person.slug}/",
        "/api/appointments/",
        "/api/schema/",
    ]
    bodies = [client.get(u).content.decode() for u in urls]
    staff = login("staff")
    assert staff is not None
    for url in [
        "/admin/",
        f"/admin/people/person/{person.pk}/change/",
        f"/admin/people/person/{person.pk}/history/",
        "/admin/review/question/",
        "/succession/",
        "/training/",
        "/admin/mail/outgoingmail/",
    ]:
        bodies.append(client.get(url).content.decode())
    export_csv(tmp_path / "csv")
    bodies += [p.read_text() for p in (tmp_path / "csv").iterdir()]
    bodies.append(str(popolo()))
    site = tmp_path / "site"
    site.mkdir()
    (site / "_config.yml").write_text("title: x\n")
    publish(site)
    bodies += [p.read_text() for p in site.rglob("*") if p.is_file()]
    bodies.append(caplog.text)
    leaks = [i for i, body in enumerate(bodies) if CANARY in body]
    assert leaks == []


def test_a_self_described_term_needs_its_option_ticked(client):
    """Finding 5: gender "man" with the term "genderfluid" was saved and shown back. The
    form says why, naming the field, and keeps nothing."""
    world = w.build()
    response = answer(client, world["alice"], gender=["man"], describe_gender="genderfluid")
    assert response.status_code == 400
    assert "self-describe answer ticked" in response.content.decode()
    assert services.read(world["alice"]) is None
    with pytest.raises(ValidationError) as error:
        services.validate_answers({"gender": ["man"]}, {"gender": "genderfluid"})
    assert "gender" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.validate_answers({"disability": ["yes"]}, {"disability": "some"})
    assert "disability" in error.value.message_dict
    # ticked, it is kept; an empty term beside another answer is fine
    assert services.validate_answers({"gender": ["self_described"]}, {"gender": "genderfluid"})[
        "described"
    ] == {"gender": "genderfluid"}
    assert services.validate_answers({"gender": ["man"]}, {"gender": ""})["described"] == {}

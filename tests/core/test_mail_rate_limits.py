"""Actions that make Convener send mail can be repeated only so often: asking a previous
holder, nominating, asking for a password reset (issue 15, item 12)."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from convener.mail.models import OutgoingMail
from convener.org import services
from tests.factories import PersonFactory, UserFactory
from tests.nominations import world as w

pytestmark = pytest.mark.django_db


def test_a_member_may_ask_previous_holders_five_times_an_hour(client):
    world = w.build()
    holder = PersonFactory(name="Former Lead", contact_opt_in=True)
    services.appoint(holder, world["position"], dt.date(2015, 1, 1), end=dt.date(2017, 1, 1))
    url = reverse("org:ask", args=[world["position"].slug, holder.slug])
    client.force_login(world["alice"].user)
    statuses = [client.post(url, {"message": f"Question {i}"}).status_code for i in range(7)]
    assert statuses == [302] * 5 + [429] * 2
    assert OutgoingMail.objects.filter(kind="ask_previous_holder").count() == 5
    refused = client.post(url, {"message": "Once more"})
    assert "Nothing was sent" in refused.content.decode() and int(refused["Retry-After"]) > 0
    # the limit is the asker's, not everyone's
    client.force_login(world["bob"].user)
    assert client.post(url, {"message": "From Bob"}).status_code == 302


def test_a_member_may_post_twenty_nominations_an_hour(client):
    world = w.build()
    client.force_login(world["alice"].user)
    url = reverse("nominations:nominate", args=[world["call"].pk])
    for _ in range(20):  # refused for lack of a statement, but each one counts
        assert client.post(url, {"nominee": world["bob"].pk, "statement": ""}).status_code == 400
    response = client.post(url, {"nominee": world["bob"].pk, "statement": "Bob leads well."})
    assert response.status_code == 429
    assert not OutgoingMail.objects.filter(kind__in=["consent_requested"]).exists()


@pytest.mark.expects_mail
def test_password_reset_mail_is_limited_per_client_address_behind_the_proxy(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    UserFactory(username="ada", email="ada@example.org")
    url = reverse("password_reset")
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    one = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    other = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    statuses = [client.post(url, {"email": "ada@example.org"}, **one).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    assert len(mail.outbox) == 5
    # a client writing its own X-Forwarded-For to the left does not escape the count
    spoofed = {**proxy, "HTTP_X_FORWARDED_FOR": "192.0.2.1, 203.0.113.7"}
    assert client.post(url, {"email": "ada@example.org"}, **spoofed).status_code == 429
    # another colleague behind the same proxy is not affected
    assert client.post(url, {"email": "ada@example.org"}, **other).status_code == 302

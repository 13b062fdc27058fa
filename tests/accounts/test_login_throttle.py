"""Sign-in throttling behind the reverse proxy: the client's address comes from
X-Forwarded-For only when the connection is from a trusted proxy; an account is locked per
client address, and one address that fails across many usernames is locked too
(issue 15, item 10)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from convener.core.net import client_address
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PROXY = {"REMOTE_ADDR": "10.0.0.5"}


@pytest.mark.parametrize(
    "trusted,remote,forwarded,expected",
    [
        ([], "10.0.0.5", "203.0.113.7", "10.0.0.5"),  # no proxy configured: header ignored
        (["10.0.0.5"], "10.0.0.5", "203.0.113.7", "203.0.113.7"),
        (["10.0.0.5"], "10.0.0.5", "192.0.2.1, 203.0.113.7", "203.0.113.7"),  # spoof on left
        (["10.0.0.0/24"], "10.0.0.5", "203.0.113.7, 10.0.0.6", "203.0.113.7"),  # two proxies
        (["10.0.0.5"], "198.51.100.9", "203.0.113.7", "198.51.100.9"),  # not from the proxy
        (["10.0.0.5"], "10.0.0.5", "", "10.0.0.5"),
        (["10.0.0.5"], "10.0.0.5", "not-an-address", "10.0.0.5"),
        (["2001:db8::1"], "2001:db8::1", "2001:db8:ffff::7", "2001:db8:ffff::7"),
    ],
)
def test_the_client_address_is_read_behind_trusted_proxies_only(
    settings, trusted, remote, forwarded, expected
):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def sign_in(client, username, password, address):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        **PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def test_someone_failing_for_an_account_does_not_lock_its_owner_out_behind_the_proxy(
    client, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    UserFactory(username="ada")
    for _ in range(5):
        sign_in(client, "ada", "guess", "192.0.2.66")
    assert sign_in(client, "ada", "pw", "192.0.2.66").status_code == 429
    # Ada, at her own address behind the same proxy, still signs in
    response = sign_in(client, "ada", "pw", "203.0.113.7")
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_spraying_one_password_across_usernames_locks_the_address(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    UserFactory(username="bo")
    statuses = [  # 20 accounts, one try each: no single account reaches five
        sign_in(client, f"user-{n}", "Summer2025!", "192.0.2.66").status_code for n in range(20)
    ]
    assert statuses == [200] * 19 + [429]
    assert sign_in(client, "bo", "pw", "192.0.2.66").status_code == 429
    assert "_auth_user_id" not in client.session
    # the same account from another address is not locked
    assert sign_in(client, "bo", "pw", "203.0.113.7").status_code == 302


def test_nineteen_failures_across_usernames_do_not_lock_the_address(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    UserFactory(username="cy")
    for n in range(19):
        sign_in(client, f"user-{n}", "wrong", "192.0.2.66")
    assert sign_in(client, "cy", "pw", "192.0.2.66").status_code == 302

"""Failed sign-ins are throttled; every page carries a policy that forbids inline script."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_five_failed_sign_ins_lock_the_account_even_with_the_right_password(client):
    UserFactory(username="ada")
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "ada", "password": "wrong"})
        assert response.status_code in {200, 429}
    locked = client.post(reverse("login"), {"username": "ada", "password": "pw"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_right_password_signs_in_before_the_limit(client):
    UserFactory(username="bo")
    client.post(reverse("login"), {"username": "bo", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "bo", "password": "pw"})
    assert response.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.parametrize("url", ["/", "/org/", "/calls/", "/api/docs/", "/accounts/login/"])
def test_every_page_forbids_inline_script(client, url):
    policy = client.get(url)["Content-Security-Policy"]
    script = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script and "unsafe-inline" not in script
    assert "frame-ancestors 'none'" in policy

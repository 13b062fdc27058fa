"""Nothing confidential stays in a cache: every page behind a role, and every answer to a
signed-in person or an API token, says `Cache-Control: no-store` (issue 15, item 12)."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from convener.core.roles import Role
from tests.factories import UserFactory
from tests.test_permission_matrix import MATRIX, ROLES, _url, url_names, world  # noqa: F401

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_every_page_a_signed_in_person_gets_is_never_stored(client, world, role):  # noqa: F811
    client.force_login(world["people"][role])
    stored = [name for name in url_names() if not no_store(client.get(_url(name, world)))]
    assert stored == []


def test_the_confidential_pages_named_in_the_issue_are_never_stored(client, world):  # noqa: F811
    pages = {
        "self-identification": ("member", reverse("review:self_id")),
        "my nominations": ("member", reverse("nominations:mine")),
        "a call's review": (
            "committee",
            reverse("nominations:review", args=[world["world"]["call"].pk]),
        ),
        "the officer's review": ("officer", reverse("review:officer")),
        "succession": ("manager", reverse("org:succession")),
    }
    for what, (role, url) in pages.items():
        client.force_login(world["people"][role])
        response = client.get(url)
        assert response.status_code == 200, what
        assert no_store(response) and "private" in response["Cache-Control"], what


def test_a_page_behind_a_role_is_not_stored_even_for_an_anonymous_visitor(client):
    response = client.get(reverse("review:self_id"))
    assert response.status_code == 302 and no_store(response)


def test_public_pages_for_anonymous_visitors_stay_cacheable(client):
    response = client.get(reverse("site:org"))
    assert response.status_code == 200 and not no_store(response)


def test_an_api_answer_to_a_token_is_never_stored():
    api = APIClient()
    token = Token.objects.create(user=UserFactory(roles=[Role.MANAGER]))
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert no_store(api.get("/api/appointments/"))
    assert not no_store(APIClient().get("/api/appointments/"))

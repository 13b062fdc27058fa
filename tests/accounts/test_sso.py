"""Single sign-on through a real OpenID Connect exchange with a provider on loopback: the
browser leg through Django's test client, the back channel (token, userinfo, JWKS) over
HTTP, exactly as with a Keycloak-style provider."""

import os
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.models import User

from convener.accounts.models import SingleSignOn
from convener.core.roles import Role, has_role
from tests.factories import PersonFactory, UserFactory

from .provider import Provider

pytestmark = pytest.mark.django_db
BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "convener.accounts.backends.ConvenerOIDCBackend",
]


@pytest.fixture
def provider(monkeypatch, settings):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with Provider() as op:
        for name, value in {**op.settings(), "AUTHENTICATION_BACKENDS": BACKENDS}.items():
            setattr(settings, name, value)
        yield op


def sign_in(client, provider, claims, next_url="/calls/"):
    """The whole round trip; returns the callback's response."""
    provider.login_as = claims
    start = client.get("/oidc/authenticate/", {"next": next_url})
    assert start.status_code == 302
    assert start["Location"].startswith(provider.url + "/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    back = urlparse(at_provider.headers["Location"])
    return client.get(back.path, parse_qs(back.query))


def signed_in_user(client):
    return User.objects.get(pk=client.session["_auth_user_id"])


def test_a_first_sign_in_creates_the_account_with_its_roles_and_person(client, provider):
    person = PersonFactory(email="ada@lab.example")
    response = sign_in(
        client,
        provider,
        {
            "sub": "f4c3-0001",
            "email": "Ada@lab.example",
            "email_verified": True,
            "preferred_username": "ada",
            "given_name": "Ada",
            "family_name": "Byron",
            "groups": ["member", "committee_member", "unrelated-group"],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/calls/"
    user = signed_in_user(client)
    assert (user.username, user.first_name, user.email) == ("ada", "Ada", "Ada@lab.example")
    assert not user.has_usable_password()
    assert SingleSignOn.objects.get(user=user).subject == "f4c3-0001"
    assert set(user.groups.values_list("name", flat=True)) == {"member", "committee_member"}
    person.refresh_from_db()
    assert person.user == user
    # the roles work at once: a member's page opens, a manager's does not
    assert client.get("/me/self-identification/").status_code == 200
    assert client.get("/succession/").status_code == 403


def test_the_provider_decides_the_roles_at_every_sign_in(client, provider):
    claims = {"sub": "f4c3-0002", "email": "bo@lab.example", "groups": "member"}
    sign_in(client, provider, claims)
    first = signed_in_user(client)
    client.logout()
    # a new address and new groups (as a space-separated string): the same account
    sign_in(client, provider, {**claims, "email": "bo@new.example", "groups": "manager"})
    again = signed_in_user(client)
    assert again == first
    again = User.objects.get(pk=again.pk)
    assert has_role(again, Role.MANAGER) and not has_role(again, Role.MEMBER)
    assert again.email == "bo@new.example"
    assert client.get("/succession/").status_code == 200
    assert User.objects.count() == 1


def test_roles_can_be_mapped_from_the_providers_own_group_names(client, provider, settings):
    settings.OIDC_ROLE_GROUPS = {**settings.OIDC_ROLE_GROUPS, "manager": "/cms/management"}
    sign_in(client, provider, {"sub": "x1", "groups": ["/cms/management", "manager"]})
    user = signed_in_user(client)
    assert list(user.groups.values_list("name", flat=True)) == ["manager"]


def test_groups_in_the_id_token_count_as_well(client, provider):
    provider.id_token_claims = {"sub", "groups"}
    provider_claims = {"sub": "x2", "groups": ["member"]}
    sign_in(client, provider, provider_claims)
    assert has_role(signed_in_user(client), Role.MEMBER)


def test_other_groups_of_the_account_are_kept(client, provider):
    from django.contrib.auth.models import Group

    user = UserFactory(email="cy@lab.example", roles=[Role.MANAGER])
    user.groups.add(Group.objects.create(name="editors"))
    sign_in(client, provider, {"sub": "x3", "email": "cy@lab.example", "email_verified": True})
    assert signed_in_user(client) == user
    assert list(user.groups.values_list("name", flat=True)) == ["editors"]


def test_an_existing_local_account_moves_to_sso_only_on_a_verified_address(client, provider):
    local = UserFactory(email="di@lab.example")
    sign_in(client, provider, {"sub": "x4", "email": "di@lab.example", "email_verified": False})
    stranger = signed_in_user(client)
    assert stranger != local  # an unverified address takes over no one
    client.logout()
    sign_in(client, provider, {"sub": "x5", "email": "di@lab.example", "email_verified": True})
    assert signed_in_user(client) == local
    assert SingleSignOn.objects.get(subject="x5").user == local


def test_a_token_signed_by_another_key_signs_no_one_in(client, provider):
    provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = sign_in(client, provider, {"sub": "x6", "groups": ["manager"]})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()


def test_a_forged_state_signs_no_one_in(client, provider):
    provider.login_as = {"sub": "x7"}
    start = client.get("/oidc/authenticate/")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    back = urlparse(at_provider.headers["Location"])
    query = {**parse_qs(back.query), "state": "forged"}
    assert client.get(back.path, query).status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_refusal_at_the_provider_comes_back_as_a_clear_message(client, provider):
    response = client.get("/oidc/callback/", {"error": "access_denied"}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?sso=failed"
    assert "Single sign-on did not complete" in response.content.decode()


def test_the_sign_in_page_offers_single_sign_on_when_configured(client, provider, settings):
    settings.OIDC_PROVIDER_NAME = "CERN SSO"
    page = client.get("/accounts/login/", {"next": "/calls/"}).content.decode()
    assert "Sign in with CERN SSO" in page
    assert "/oidc/authenticate/?next=/calls/" in page


def test_without_configuration_there_is_no_single_sign_on(client):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/").status_code == 404
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()


@pytest.mark.parametrize(
    "env,message",
    [
        (
            {"CONVENER_OIDC_CLIENT_ID": "c", "CONVENER_OIDC_CLIENT_SECRET": "s"},
            "CONVENER_OIDC_AUTHORIZATION_ENDPOINT, CONVENER_OIDC_TOKEN_ENDPOINT",
        ),
        ({"CONVENER_OIDC_ROLES": "boss=/cms/management"}, "'boss=/cms/management' is not"),
    ],
)
def test_incomplete_configuration_is_refused_by_name(env, message):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CONVENER_")}
    result = subprocess.run(
        [sys.executable, "-m", "convener.cli", "check"],
        env={**clean, "CONVENER_DEBUG": "1", **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert message in result.stderr

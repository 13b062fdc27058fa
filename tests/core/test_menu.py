"""The header: the signed-in person's name, and a menu of what their roles can use."""

import pytest
from django.urls import reverse

from convener.core.roles import Role
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def _menu(client, user):
    client.force_login(user)
    html = client.get(reverse("site:org")).content.decode()
    start = html.index('aria-label="Your pages"')
    return html[start : html.index("</nav>", start)], html


def test_the_header_shows_the_persons_name_not_the_login(client):
    user = UserFactory(username="jdoe42", roles=[Role.MEMBER])
    PersonFactory(name="Jane Doe", user=user)
    _, html = _menu(client, user)
    assert "Signed in as <strong>Jane Doe</strong>" in html
    assert "jdoe42" not in html


@pytest.mark.parametrize(
    "roles, shown, hidden",
    [
        (
            [Role.MEMBER],
            ["My nominations", "Training", "Self-identification", "Contact by successors"],
            ["Succession", "New call", "Import", "Annual review", "Administration"],
        ),
        (
            [Role.MEMBER, Role.MANAGER],
            ["Succession", "New call", "Import", "Training", "My nominations"],
            ["Annual review", "Administration"],
        ),
        (
            [Role.MEMBER, Role.DIVERSITY_OFFICER],
            ["Succession", "Annual review", "Published review"],
            ["New call", "Import", "Administration"],
        ),
        ([Role.MEMBER, Role.COMMITTEE_MEMBER], ["My nominations"], ["Succession", "Import"]),
    ],
)
def test_the_menu_shows_what_the_roles_can_use(client, roles, shown, hidden):
    menu, _ = _menu(client, UserFactory(roles=roles))
    for label in shown:
        assert f">{label}</a>" in menu
    for label in hidden:
        assert f">{label}</a>" not in menu


def test_every_menu_link_opens_for_the_role_that_sees_it(client):
    for roles in ([Role.MEMBER], [Role.MEMBER, Role.MANAGER], [Role.DIVERSITY_OFFICER]):
        client.logout()
        menu, _ = _menu(client, UserFactory(roles=roles))
        for href in [part.split('"')[0] for part in menu.split('href="')[1:]]:
            assert client.get(href).status_code == 200, (roles, href)


def test_staff_see_the_administration(client):
    menu, _ = _menu(client, UserFactory(is_staff=True, is_superuser=True))
    assert ">Administration</a>" in menu


def test_the_header_costs_no_query_once_signed_in(client, django_assert_num_queries):
    user = UserFactory(roles=[Role.MEMBER])
    PersonFactory(name="Jane Doe", user=user)
    client.force_login(user)
    client.get(reverse("site:search"))
    # session and user only; the search itself needs no query for an empty query
    with django_assert_num_queries(2):
        html = client.get(reverse("site:search")).content.decode()
    assert "Jane Doe" in html and ">My nominations</a>" in html

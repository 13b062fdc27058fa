"""Every page in each role's menu reflows to 320 px (WCAG 1.4.10) with the menu open too:
the header is where a narrow screen ran out of room (the search box's default width made it
1 px wider than the screen), so each page is looked at with the folded menu unfolded."""

import pytest
from django.urls import reverse

from convener.core.roles import Role
from tests.factories import PersonFactory, UserFactory
from tests.nominations import world as w
from tests.site import collab

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
WIDE = """() => Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth)
    .slice(0, 4).map(e => e.tagName + '.' + e.className)"""


@pytest.fixture
def people():
    world = w.build()
    collab.build(groups=2)
    officer = UserFactory(username="olga", roles=[Role.MEMBER, Role.DIVERSITY_OFFICER])
    PersonFactory(name="Olga Officer", user=officer)
    # staff with every role: the longest menu, and a long name beside "Sign out"
    admin = UserFactory(username="ada", is_staff=True, is_superuser=True, roles=list(Role))
    PersonFactory(name="Maximiliane Oberhauser-Schwarzenberger", user=admin)
    w.close_and_review(world)
    return {
        "anonymous": None,
        "member": world["bob"].user.username,
        "manager": world["manager"].username,
        "officer": "olga",
        "committee": world["reviewers"][0].user.username,
        "admin": "ada",
    }


def _menu_pages(page) -> list[str]:
    """The pages a person can reach from the menu (the admin site is Django's own)."""
    links = page.eval_on_selector_all("#site-menu nav a", "as => as.map(a => a.pathname)")
    return list(dict.fromkeys(["/", reverse("site:search") + "?q=a", *links]))


@pytest.mark.parametrize(
    "role", ["anonymous", "member", "manager", "officer", "committee", "admin"]
)
def test_every_menu_page_fits_320_px_with_the_menu_open(browser, live_server, people, role):
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    if people[role]:
        sign_in(page, live_server, people[role])
    page.goto(live_server.url + "/")
    failures = []
    for url in _menu_pages(page):
        if url.startswith("/admin/"):
            continue
        page.goto(live_server.url + url)
        closed = page.evaluate(OVERFLOW)
        page.get_by_role("button", name="Menu").click()
        assert page.get_by_role("navigation", name="Main").is_visible()
        opened = page.evaluate(OVERFLOW)
        if closed > 0 or opened > 0:
            failures.append((url, closed, opened, page.evaluate(WIDE)))
    context.close()
    assert failures == []

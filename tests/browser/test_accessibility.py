"""Every main page, in a real browser, has no WCAG 2.1 AA violation that axe-core detects;
the nomination form by keyboard: see test_everyday.py."""

import pytest
from django.urls import reverse

from convener.core.roles import Role
from tests.factories import UserFactory
from tests.nominations import world as w
from tests.site import collab

from .conftest import axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data():
    world = w.build()
    org = collab.build(groups=2)
    return {"world": world, "org": org}


def _public_pages(data):
    world, org = data["world"], data["org"]
    return [
        reverse("site:home"),
        reverse("site:org"),
        reverse("site:org") + "?on=2007-01-01",
        org["groups"][0]["lead"].get_absolute_url(),
        org["groups"][0]["people"][1].get_absolute_url(),
        org["inst"].get_absolute_url(),
        reverse("site:search") + "?q=group",
        reverse("site:search") + "?q=a",
        reverse("site:org") + "?on=nonsense",
        reverse("nominations:calls"),
        world["call"].get_absolute_url(),
        reverse("login"),
        reverse("org:leaders"),
    ]


def test_public_pages_have_no_axe_violations(page, live_server, data):
    failures = {}
    for url in _public_pages(data):
        page.goto(live_server.url + url)
        found = axe_violations(page)
        if found:
            failures[url] = found
    assert failures == {}


def test_signed_in_pages_have_no_axe_violations(page, live_server, data):
    from convener.nominations import services

    world = data["world"]
    candidacy = services.nominate(world["call"], world["bob"], world["alice"], "Bob.")
    services.nominate(world["call"], world["carol"], world["carol"], "Me.")
    failures = {}
    sign_in(page, live_server, world["bob"].user.username)
    for url in [
        reverse("nominations:mine"),
        reverse("nominations:nominate", args=[world["call"].pk]),
        reverse("training:dashboard"),
        reverse("org:contact"),
        reverse("review:self_id"),
    ]:
        page.goto(live_server.url + url)
        if found := axe_violations(page):
            failures[url] = found
    assert candidacy.pk
    w.close_and_review(world)
    page.context.clear_cookies()
    sign_in(page, live_server, world["reviewers"][0].user.username)
    url = reverse("nominations:review", args=[world["call"].pk])
    page.goto(live_server.url + url)
    if found := axe_violations(page):
        failures[url] = found
    page.context.clear_cookies()
    sign_in(page, live_server, world["manager"].username)
    for url in [
        reverse("nominations:manage", args=[world["call"].pk]),
        reverse("nominations:call_new"),
        reverse("org:succession"),
        reverse("org:timeline"),
        reverse("org:junior"),
        reverse("training:dashboard"),
        reverse("training:import"),
        reverse("review:published"),
    ]:
        page.goto(live_server.url + url)
        if found := axe_violations(page):
            failures[url] = found
    page.context.clear_cookies()
    sign_in(page, live_server, UserFactory(roles=[Role.DIVERSITY_OFFICER]).username)
    url = reverse("review:officer")
    page.goto(live_server.url + url)
    if found := axe_violations(page):
        failures[url] = found
    assert failures == {}


def test_the_sign_in_page_with_single_sign_on_has_no_axe_violations(page, live_server, settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "CERN SSO"
    page.goto(live_server.url + reverse("login") + "?sso=failed")
    assert page.get_by_role("link", name="Sign in with CERN SSO").is_visible()
    assert axe_violations(page) == []


# The nomination made with the keyboard alone, through the person picker, is in
# test_everyday.py.


def test_no_page_breaks_the_content_security_policy(browser, live_server, data):
    """With the policy enforced, the browser reports no blocked script or style."""
    context = browser.new_context()
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    for url in [*_public_pages(data), "/api/docs/"]:
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
    context.close()
    assert violations == []


def test_the_review_pages_have_no_axe_violations(page, live_server):
    """The officer's draft (confidential tables, commentary forms, publish), what it would
    publish, the published snapshot, and management's goals page."""
    import importlib

    from django.apps import apps

    from convener.review import lifecycle
    from convener.review.models import Question
    from tests.review import world as small

    if not Question.objects.exists():  # a transactional test starts without migration data
        importlib.import_module("convener.review.migrations.0002_default_questions").create(
            apps, None
        )
    small.build()
    officer = UserFactory(roles=[Role.MEMBER, Role.DIVERSITY_OFFICER, Role.MANAGER])
    first = lifecycle.request_preparation(2024, officer)
    lifecycle.run_queued()
    lifecycle.publish(first, officer)
    draft = lifecycle.request_preparation(2025, officer)
    lifecycle.run_queued()
    failures = {}
    sign_in(page, live_server, officer.username)
    for url in [
        reverse("review:officer"),
        reverse("review:edition", args=[draft.pk]),
        reverse("review:edition", args=[draft.pk]) + "?view=published",
        reverse("review:published_year", args=[2024]),
        reverse("review:goals", args=[2024, 1]),
    ]:
        page.goto(live_server.url + url)
        if found := axe_violations(page):
            failures[url] = found
    assert failures == {}

"""Each role's main task in a real browser, on a desktop (1280 px) and a phone (390 px): no
WCAG 2.1 AA violation axe can find, nothing wider than the screen at 320 px; the org chart
and its downloads; the nomination made with the keyboard alone through the person picker."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from convener.core.roles import Role
from convener.nominations import services as calls
from convener.nominations.models import Candidacy
from convener.org import services
from convener.org.models import OrgUnit
from tests.factories import PersonFactory, UserFactory
from tests.nominations import world as w
from tests.site import collab

from .conftest import axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [1280, 390]


@pytest.fixture
def data():
    world = w.build()
    org = collab.build(groups=3)
    calls.nominate(world["call"], world["bob"], world["alice"], "Bob runs the meetings well.")
    officer = UserFactory(username="olga", roles=[Role.MEMBER, Role.DIVERSITY_OFFICER])
    PersonFactory(name="Olga Officer", user=officer)
    return {"world": world, "org": org, "officer": officer}


def _overflow(page) -> int:
    """How far the page is wider than the window (0 when it reflows)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _check(page, url, failures):
    """axe at the current width; then the same page at 320 px must not scroll sideways."""
    width = page.viewport_size["width"]
    page.goto(url)
    if found := axe_violations(page):
        failures.append((url, width, found))
    page.set_viewport_size({"width": 320, "height": 800})
    # let the page lay itself out again at the new width (two frames)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    if (extra := _overflow(page)) > 0:
        wide = page.evaluate(
            """() => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth)
            .slice(0, 5).map(e => e.tagName + "." + e.className)"""
        )
        failures.append((url, 320, f"{extra}px wider than the screen", wide))
    page.set_viewport_size({"width": width, "height": 900})


@pytest.mark.parametrize("width", WIDTHS)
def test_each_roles_main_pages_pass_axe_and_reflow_to_320_px(browser, live_server, data, width):
    world = data["world"]
    base = live_server.url
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    failures = []
    # the public: the org chart, today and in the past, a position, a person
    for url in [
        reverse("site:org"),
        reverse("site:org") + "?on=2007-06-30",
        data["org"]["groups"][0]["lead"].get_absolute_url(),
        data["org"]["groups"][0]["people"][1].get_absolute_url(),
        reverse("nominations:calls"),
    ]:
        _check(page, base + url, failures)
    # a member: their tasks, their nominations, the nomination form
    sign_in(page, live_server, world["bob"].user.username)
    for url in ["/", reverse("nominations:mine"), reverse("mail:preferences")]:
        _check(page, base + url, failures)
    page.context.clear_cookies()
    sign_in(page, live_server, world["alice"].user.username)
    _check(page, base + reverse("nominations:nominate", args=[world["call"].pk]), failures)
    # a manager: tasks, succession (filtered too), training
    page.context.clear_cookies()
    sign_in(page, live_server, world["manager"].username)
    for url in [
        "/",
        reverse("org:succession"),
        reverse("org:succession") + "?level=L3&sort=position",
        reverse("training:dashboard"),
    ]:
        _check(page, base + url, failures)
    # a committee member, once the call is in review
    w.close_and_review(world)
    page.context.clear_cookies()
    sign_in(page, live_server, world["reviewers"][0].user.username)
    for url in ["/", reverse("nominations:review", args=[world["call"].pk])]:
        _check(page, base + url, failures)
    # the diversity officer
    page.context.clear_cookies()
    sign_in(page, live_server, "olga")
    for url in ["/", reverse("org:succession")]:
        _check(page, base + url, failures)
    context.close()
    assert failures == [], "\n".join(map(str, failures))


def test_on_a_phone_the_menu_folds_behind_a_button(browser, live_server, data):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    sign_in(page, live_server, data["world"]["manager"].username)
    toggle = page.get_by_role("button", name="Menu")
    assert toggle.is_visible()
    assert not page.get_by_role("link", name="Succession").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.get_by_role("link", name="Succession").click()
    page.wait_for_url(re.compile(r"/succession/"))
    context.close()


def test_the_chart_draws_every_unit_and_folds_and_unfolds(page, live_server, data):
    org = data["org"]
    page.goto(live_server.url + reverse("site:org"))
    svg = page.locator(".chart-viewport svg.oc-chart")
    assert svg.is_visible()
    slugs = {org[k].slug for k in ("root", "l1", "l2")} | {g["unit"].slug for g in org["groups"]}
    drawn = set(page.eval_on_selector_all("svg .oc-unit", "gs => gs.map(g => g.dataset.unit)"))
    assert drawn == set(
        OrgUnit.objects.possibly_on(timezone.localdate()).values_list("slug", flat=True)
    )
    assert slugs <= drawn
    group = page.locator(f"#oc-{org['groups'][0]['unit'].slug}")
    assert group.is_visible()
    page.get_by_role("button", name="Collapse to L2").click()
    assert not group.is_visible()  # L3 groups folded under their L2 area
    page.get_by_role("button", name="Expand all").click()
    assert group.is_visible()
    page.locator(f"#oc-{org['l2'].slug} .oc-box").click()  # a click folds one unit
    assert not group.is_visible()
    page.locator(f"#oc-{org['l2'].slug} .oc-box").click()
    assert group.is_visible()
    scale = (
        "() => new DOMMatrix(getComputedStyle(document.querySelector('svg.oc-chart')).transform).a"
    )
    assert page.evaluate(scale) == 1
    page.get_by_role("button", name="Zoom in").click()
    page.wait_for_function(f"({scale})() > 1.1")  # after its short animation
    page.get_by_role("button", name="Actual size").click()
    page.wait_for_function(f"({scale})() === 1")
    # the list beside it has every unit as a heading
    for g in org["groups"]:
        assert page.get_by_role("heading", name=g["unit"].name).is_visible()


def test_the_downloads_open_in_the_browser(page, live_server, data):
    base = live_server.url + reverse("site:org_download", args=["svg"])[: -len("svg")]
    page.goto(base + "svg?on=2007-06-30")
    assert page.evaluate("document.documentElement.tagName") == "svg"
    assert (
        page.locator(".oc-unit").count()
        == OrgUnit.objects.possibly_on(dt.date(2007, 6, 30)).count()
    )
    page.goto(live_server.url + reverse("site:search"))  # an HTML page to put the image in
    page.set_content(f'<img id="chart" src="{base}png?on=2007-06-30" alt="">')
    page.wait_for_function("document.getElementById('chart').complete")
    assert page.evaluate("document.getElementById('chart').naturalWidth") > 600
    response = page.request.get(base + "pdf?on=2007-06-30")
    assert response.ok and response.body()[:5] == b"%PDF-"
    png = page.request.get(base + "png")
    assert Image.open(io.BytesIO(png.body())).format == "PNG"


def test_a_nomination_is_made_with_the_keyboard_alone_through_the_person_picker(
    page, live_server, data
):
    world = data["world"]
    sign_in(page, live_server, world["alice"].user.username)
    page.goto(live_server.url + reverse("nominations:nominate", args=[world["call"].pk]))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.keyboard.press("Enter")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_nominee":
            break
    assert page.evaluate("document.activeElement.getAttribute('role')") == "combobox"
    hint = page.evaluate(  # what a screen reader reads with the box: the field's help too
        "document.getElementById(document.activeElement.getAttribute('aria-describedby'))"
        ".textContent"
    )
    assert "current members of the collaboration" in hint
    page.keyboard.type("Chen")
    option = page.get_by_role("option", name=re.compile("Carol Chen"))
    option.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#id_nominee") == "Carol Chen"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_statement"
    page.keyboard.type("Carol chaired the upgrade reviews.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/nominations/mine/"))
    candidacy = Candidacy.objects.get(nominee=world["carol"])
    assert candidacy.nominations.get().statement == "Carol chaired the upgrade reviews."


def test_an_error_is_announced_first_and_the_typed_text_is_kept(page, live_server, data):
    world = data["world"]
    sign_in(page, live_server, world["alice"].user.username)
    page.goto(live_server.url + reverse("nominations:nominate", args=[world["call"].pk]))
    page.fill("#id_statement", "Dan would be a fine convener.")
    page.get_by_role("button", name="Send the nomination").click()
    page.wait_for_selector(".error-summary")
    page.wait_for_function("document.activeElement.classList.contains('error-summary')")
    summary = page.locator(".error-summary").inner_text()
    assert "Choose the person you nominate" in summary and "['" not in summary
    assert page.input_value("#id_statement") == "Dan would be a fine convener."
    assert axe_violations(page) == []


def test_an_incoming_appointee_shows_on_the_chart_and_the_dashboard(page, live_server, data):
    group = data["org"]["groups"][0]
    nadia = PersonFactory(name="Nadia Next")
    services.appoint(nadia, group["deputy"], timezone.localdate() + dt.timedelta(days=20))
    page.goto(live_server.url + reverse("site:org"))
    assert page.locator(".oc-badge-incoming").count() == 1
    sign_in(page, live_server, data["world"]["manager"].username)
    page.goto(live_server.url + reverse("org:succession"))
    row = page.locator("#vac-h ~ table tr", has_text=group["deputy"].title)
    assert "incoming" in row.inner_text() and "Nadia Next" in row.inner_text()

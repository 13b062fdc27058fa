"""The nomination pages in a real browser, at a desktop and a phone width: no axe violation,
no sideways scrolling, an error summary that takes the focus, and the committee's and the
manager's forms usable with the keyboard alone. Screenshots land in var/screenshots/."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from convener.nominations import services
from convener.nominations.models import Call, Score
from tests.nominations import world as w

from .conftest import axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "nominations"
WIDTHS = [1280, 390]


@pytest.fixture
def world():
    world = w.build()
    call = world["call"]
    world["c_bob"] = services.nominate(call, world["bob"], world["alice"], "Bob ran the beam.")
    services.consent(world["c_bob"], world["bob"], statement="Weekly meetings, open minutes.")
    world["c_carol"] = services.nominate(call, world["carol"], world["carol"], "I can lead.")
    world["c_dan"] = services.nominate(call, world["dan"], world["alice"], "Dan knows pixels.")
    return world


def _check(page, live_server, name, url, *, then=None) -> dict:
    """Load ``url`` at each width (running ``then`` after loading), screenshot it, and
    return what is wrong: axe violations and horizontal overflow, by width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    wrong = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + url)
        if then:
            then(page)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        if found := axe_violations(page):
            wrong[f"{name}@{width} axe"] = found
        # the page's own content; the site header's menu is laid out by the base template
        overflow = page.evaluate(
            """() => Math.max(0, ...[...document.querySelectorAll('main *')]
                .filter(e => !e.parentElement.closest('.scroll'))
                .map(e => e.getBoundingClientRect().right))
                - document.documentElement.clientWidth"""
        )
        if overflow > 0:
            wrong[f"{name}@{width} overflow"] = overflow
    return wrong


def _submit(label):
    def act(page):
        page.get_by_role("button", name=label).click()
        page.wait_for_load_state()

    return act


def test_the_members_pages_pass_axe_and_reflow(page, live_server, world):
    call = world["call"]
    wrong = {}
    sign_in(page, live_server, world["alice"].user.username)
    wrong |= _check(
        page,
        live_server,
        "nominate-error",
        reverse("nominations:nominate", args=[call.pk]),
        then=_submit("Send the nomination"),
    )
    assert page.evaluate("document.activeElement.className") == "error-summary"
    page.context.clear_cookies()
    sign_in(page, live_server, world["dan"].user.username)
    wrong |= _check(page, live_server, "mine", reverse("nominations:mine"))
    later = Call.objects.create(
        position=call.position,
        committee=call.committee,
        title="Call for the Tracker L2 Manager",
        state=Call.State.OPEN,
        opens_at=timezone.now() + dt.timedelta(days=5),
        closes_at=timezone.now() + dt.timedelta(days=40),
        published_at=timezone.now(),
    )
    wrong |= _check(page, live_server, "calls", reverse("nominations:calls"))
    wrong |= _check(page, live_server, "call-not-yet-open", later.get_absolute_url())
    wrong |= _check(
        page,
        live_server,
        "decline-confirm",
        reverse("nominations:mine"),
        then=_submit("Decline…"),
    )
    assert wrong == {}


def test_the_committee_and_manager_pages_pass_axe_and_reflow(page, live_server, world):
    call = world["call"]
    wrong = {}
    sign_in(page, live_server, world["manager"].username)
    manage = reverse("nominations:manage", args=[call.pk])
    wrong |= _check(page, live_server, "manage-open", manage)

    def close_early(page):
        page.get_by_label("Why close before the deadline?").fill("Seat merged.")
        _submit("Close nominations now…")(page)

    wrong |= _check(page, live_server, "close-confirm", manage, then=close_early)
    w.close_and_review(world)
    rita = world["reviewers"][0]
    for c in (world["c_bob"], world["c_carol"]):
        services.declare_conflict(c, rita, conflicted=False)
    page.context.clear_cookies()
    sign_in(page, live_server, rita.user.username)
    review = reverse("nominations:review", args=[call.pk])
    wrong |= _check(page, live_server, "review", review)
    wrong |= _check(
        page, live_server, "review-error", review, then=_submit("Save my scores for Bob Baker")
    )
    assert page.evaluate("document.activeElement.className") == "error-summary"
    page.context.clear_cookies()
    sign_in(page, live_server, world["manager"].username)
    wrong |= _check(page, live_server, "manage-review", manage)
    wrong |= _check(
        page, live_server, "decide-error", manage, then=_submit("Record the decision and appoint")
    )
    assert wrong == {}


def _tab_to(page, selector, limit=80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_reviewer_declares_scores_and_votes_with_the_keyboard_alone(page, live_server, world):
    call = w.close_and_review(world)
    rita = world["reviewers"][0]
    for c in (world["c_carol"],):
        services.declare_conflict(c, rita, conflicted=True, explanation="My student")
    sign_in(page, live_server, rita.user.username)
    page.goto(live_server.url + reverse("nominations:review", args=[call.pk]))
    _tab_to(page, f"#c{world['c_bob'].pk}-conflicted_0")
    page.keyboard.press("Space")  # "I have no conflict of interest"
    _tab_to(page, "main button")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Declaration recorded for Bob Baker.")
    _tab_to(page, f"#c{world['c_bob'].pk}-score_0")
    page.keyboard.type("4")
    _tab_to(page, f"#c{world['c_bob'].pk}-score_1")
    page.keyboard.type("2")
    _tab_to(page, "main button")
    assert page.evaluate("document.activeElement.textContent") == "Save my scores for Bob Baker"
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Your scores for Bob Baker are saved.")
    assert sorted(Score.objects.values_list("requirement", "score")) == [(0, 4), (1, 2)]
    _tab_to(page, f"#c{world['c_bob'].pk}-choice_0")
    page.keyboard.press("ArrowDown")  # within a radio group the arrows choose
    _tab_to(page, "main button")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Your vote on Bob Baker is recorded.")
    assert world["c_bob"].votes.get().choice == "shortlist"


def test_a_manager_closes_early_with_the_keyboard_alone(page, live_server, world):
    call = world["call"]
    sign_in(page, live_server, world["manager"].username)
    page.goto(live_server.url + reverse("nominations:manage", args=[call.pk]))
    _tab_to(page, "#closed-reason")
    page.keyboard.type("The seat was merged into the tracker group.")
    _tab_to(page, "main button")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Do you want to close nominations now?")
    _tab_to(page, "main button")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Done: close nominations now.")
    call.refresh_from_db()
    assert call.state == Call.State.CLOSED
    assert call.closes_at > timezone.now() - dt.timedelta(days=1)

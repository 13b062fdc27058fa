"""A call runs end to end in a real browser: each person signs in and clicks through."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from convener.nominations.models import Call
from convener.org.models import Appointment
from tests.nominations import world as w

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_open_nominate_consent_review_decide_in_the_browser(page, live_server):
    world = w.build(state="draft")
    call = world["call"]
    base = live_server.url

    def as_user(username):
        page.context.clear_cookies()
        sign_in(page, live_server, username)

    as_user(world["manager"].username)  # the manager opens the draft
    page.goto(base + reverse("nominations:manage", args=[call.pk]))
    page.get_by_role("button", name="Open the call for nominations").click()
    page.wait_for_selector("text=Done: open the call for nominations.")

    as_user(world["alice"].user.username)  # Alice nominates Bob
    page.goto(base + call.get_absolute_url())
    page.get_by_role("link", name="Nominate someone, or yourself").click()
    page.click("#id_nominee")  # the person picker: type, then choose
    page.keyboard.type("Baker")
    option = page.get_by_role("option", name=re.compile("Bob Baker"))
    option.wait_for()
    option.click()
    page.fill("#id_statement", "Bob has run the pixel meetings for years.")
    page.get_by_role("button", name="Send the nomination").click()
    page.wait_for_url(re.compile(r"/nominations/mine/"))

    as_user(world["bob"].user.username)  # Bob consents with a statement
    page.goto(base + reverse("nominations:mine"))
    page.fill("textarea[name=statement]", "I will mentor the deputies.")
    page.get_by_role("button", name="I consent to stand").click()
    page.wait_for_selector("text=You have consented")

    w.close_and_review(world)  # the deadline passes; the manager starts the review

    as_user(world["reviewers"][0].user.username)  # a reviewer declares, then scores
    page.goto(base + reverse("nominations:review", args=[call.pk]))
    page.check("input[name=conflicted][value=no]")
    page.get_by_role("button", name="Record my declaration").click()
    page.wait_for_selector("text=I will mentor the deputies.")
    page.get_by_label("Score for “Leads people”").select_option("5")
    page.get_by_label("Score for “Knows pixels”").select_option("4")
    page.get_by_role("button", name="Save my scores for Bob Baker").click()
    page.wait_for_selector("text=Your scores for Bob Baker are saved.")

    as_user(world["manager"].username)  # the manager decides
    page.goto(base + reverse("nominations:manage", args=[call.pk]))
    page.check("input[name=appointed]")
    page.fill("#id_start", "2026-12-01")
    page.fill("#id_rationale", "Strong record; recommended by the committee.")
    page.get_by_label("I have no conflict of interest with any candidate").check()
    page.get_by_role("button", name="Record the decision and appoint").click()
    page.wait_for_selector("text=Outcome")

    call.refresh_from_db()
    assert call.state == Call.State.DECIDED
    appointment = Appointment.objects.get(position=world["position"])
    assert appointment.person == world["bob"]
    page.goto(base + reverse("site:org") + "?on=2026-12-02")
    assert "Bob Baker" in page.content()
    page.goto(base + world["position"].get_absolute_url())
    assert "Bob Baker" in page.locator("#succession-h ~ table").inner_text()
    assert dt.date(2026, 12, 1) == appointment.start

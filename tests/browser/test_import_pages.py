"""A manager uploads a large file in Chromium: the page hands it to the worker and follows the
import with a progress bar until the report replaces it; both states pass axe at 1280 and
320 px. Screenshots land in var/screenshots/import/."""

from pathlib import Path

import pytest
from django.urls import reverse

from convener.core.roles import Role
from convener.exchange.jobs import run_queued
from convener.people.models import Person
from tests.factories import UserFactory

from .conftest import axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "import"


def test_a_large_upload_is_followed_on_its_page_until_its_report(page, live_server, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    manager = UserFactory(roles=[Role.MANAGER])
    big = tmp_path / "people.csv"
    big.write_text("id,name\n" + "".join(f"p{i},Person Number{i}\n" for i in range(2_500)))
    sign_in(page, live_server, manager.username)
    page.goto(live_server.url + reverse("exchange:upload"))
    page.set_input_files("#id_file", str(big))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/import/jobs/" in page.url
    assert page.locator("progress#progress").get_attribute("value") == "0"
    assert "Waiting for the worker" in page.inner_text("#progress-text")
    failures = {}
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"queued-{width}.png"), full_page=True)
        if found := axe_violations(page):
            failures[f"queued at {width}"] = found
    assert run_queued() == 1  # the worker's round, while the page keeps asking
    page.wait_for_selector("text=Imported: people: 2500 new", timeout=15_000)
    assert page.locator("progress").count() == 0
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"done-{width}.png"), full_page=True)
        if found := axe_violations(page):
            failures[f"done at {width}"] = found
    assert failures == {}
    assert Person.objects.count() == 2_500

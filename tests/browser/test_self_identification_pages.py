"""The pages of answers given from another account, in a real browser: no WCAG 2.1 AA
violation that axe-core detects, at desktop width and at 320 px, where the notice reflows."""

import pytest
from django.urls import reverse

from convener.review import services
from tests.factories import UserFactory
from tests.nominations import world as w

from .conftest import axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.expects_mail
@pytest.mark.parametrize("width", [1280, 320])
def test_answers_from_another_account_and_their_confirmation_are_accessible(
    page, live_server, width
):
    from convener.review.models import ConsentText

    # transactional tests start from empty tables: put back the consent text of the migrations
    ConsentText.objects.get_or_create(version=1, defaults={"text": "I consent."})
    person = w.member("Alice Able")
    services.save(person, {"disability": ["no"]}, {}, consent_version=1, account=person.user)
    person.user = UserFactory(username="newaccount", roles=["member"])
    person.save()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, "newaccount")
    page.goto(live_server.url + reverse("review:self_id"))
    assert page.get_by_role("heading", name="Answers given from another account").is_visible()
    found = {"self_id": axe_violations(page)}
    # the notice reflows (the site's header is another matter, in its own tests)
    box = page.locator("main section").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    page.get_by_role("button", name="Send me a confirmation link").click()
    page.goto(live_server.url + reverse("review:confirm", args=["a-token"]))
    found["confirm"] = axe_violations(page)
    assert found == {"self_id": [], "confirm": []}

"""On a phone (390 px) no word in a table is broken across two lines ("Candi date",
"sys te m", "201 5-09-29"): a table either becomes cards or scrolls in its own frame."""

import pytest
from django.urls import reverse

from convener.core.roles import Role
from tests.factories import UserFactory
from tests.nominations import world as w
from tests.site import collab

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# every word of every visible table cell, measured: a word drawn on two lines has two boxes
BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('main table td, main table th')) {
    // not shown, or the header row of a table turned into cards (kept for screen readers)
    const head = cell.closest('thead');
    if (!cell.offsetParent || (head && head.getBoundingClientRect().width <= 1)) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g;
      let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken.slice(0, 8);
}"""


def test_no_table_breaks_a_word_on_a_phone(browser, live_server):
    world = w.build()
    org = collab.build(groups=2)
    from convener.nominations import services

    services.nominate(world["call"], world["bob"], world["alice"], "Bob.")
    w.close_and_review(world)
    staff = UserFactory(is_staff=True, is_superuser=True, roles=list(Role))
    lead = org["groups"][0]["lead"]
    holder = lead.appointments.select_related("person").first().person
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, staff.username)
    failures = {}
    for url in [
        lead.get_absolute_url(),
        holder.get_absolute_url(),
        org["inst"].get_absolute_url(),
        reverse("nominations:manage", args=[world["call"].pk]),
        reverse("exchange:upload"),
        reverse("review:officer"),
    ]:
        page.goto(live_server.url + url)
        if broken := page.evaluate(BROKEN_WORDS):
            failures[url] = broken
    context.close()
    assert failures == {}

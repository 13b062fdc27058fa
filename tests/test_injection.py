"""Script injected into every free-text field stays inert on every page, feed and export."""

import datetime as dt

import pytest
from django.urls import reverse

from convener.exchange.exporter import export_csv, popolo
from convener.exchange.jekyll import publish
from convener.nominations import services as calls
from convener.org import services as org
from convener.training.models import Course
from tests.factories import InstitutionFactory, OrgUnitFactory, PositionFactory
from tests.nominations import world as w

pytestmark = pytest.mark.django_db
EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_injected_script_is_inert_everywhere(client, tmp_path, login):
    world = w.build()
    unit = OrgUnitFactory(name=f"Unit {EVIL}", description=EVIL, level=2)
    position = PositionFactory(
        unit=unit, title=f"Lead {EVIL}", mandate=EVIL, requirements=f"- {EVIL}"
    )
    person = world["carol"]
    person.name = f"Carol {EVIL}"
    person.pronouns = EVIL[:40]
    person.save()
    inst = InstitutionFactory(name=f"Inst {EVIL}")
    org.appoint(person, position, dt.date(2020, 1, 1), note=EVIL)
    call = world["call"]
    call.title = f"Call {EVIL}"
    call.save()
    candidacy = calls.nominate(call, world["bob"], world["alice"], EVIL)
    calls.consent(candidacy, world["bob"], statement=EVIL)
    Course.objects.create(title=f"Course {EVIL}", provider=EVIL)
    pages = [
        "/",
        "/org/",
        "/search/?q=Lead",
        position.get_absolute_url(),
        person.get_absolute_url(),
        inst.get_absolute_url(),
        "/calls/",
        call.get_absolute_url(),
        "/calls/feed.ics",
        "/calls/feed.atom",
        "/leaders/",
        "/leaders/?format=csv",
        "/api/positions/",
        "/api/people/",
        "/api/calls/",
        "/api/units/",
    ]
    bodies = {url: client.get(url).content.decode() for url in pages}
    login("staff")
    for url in [
        "/succession/",
        "/succession/timeline/",
        "/training/",
        reverse("nominations:manage", args=[call.pk]),
        "/nominations/mine/",
    ]:
        bodies[url] = client.get(url).content.decode()
    client.force_login(world["alice"].user)
    bodies["mine"] = client.get("/nominations/mine/").content.decode()
    export_csv(tmp_path / "csv")
    site = tmp_path / "site"
    site.mkdir()
    (site / "_config.yml").write_text("title: x\n")
    publish(site)
    import yaml

    positions = yaml.safe_load((site / "_data" / "convener" / "positions.yml").read_text())
    html = positions[position.slug]["mandate_html"] + positions[position.slug]["requirements_html"]
    assert "<script" not in html and "onerror" not in html  # titles stay data: pages escape
    chart = (site / "_includes" / "convener" / "org_chart.html").read_text()
    assert "{{ cvc_u.name | escape }}" in chart and "{{ cvc_p.title | escape }}" in chart
    # JSON, CSV and iCalendar carry the text as data; every HTML and Atom page must escape it
    html = {
        url: body
        for url, body in bodies.items()
        if not url.startswith("/api/") and "format=csv" not in url and not url.endswith(".ics")
    }
    live = {
        url: body[max(0, body.find("<script>alert") - 80) : body.find("<script>alert") + 40]
        for url, body in html.items()
        if "<script>alert" in body or "<img src=x" in body
    }
    assert live == {}
    assert "&lt;script&gt;alert" in html[position.get_absolute_url()]  # shown, as text
    assert EVIL in str(popolo())  # data exports carry the text as data, never as markup

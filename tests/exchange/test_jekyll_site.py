"""Publication into a collaboration's own Jekyll site, deliberately unlike Jekyll's defaults
(tests/exchange/fixture_site/): built for real with Debian's jekyll, then read as a visitor
reads it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.urls import Resolver404, resolve

from convener.exchange.jekyll import publish
from convener.org.models import Appointment, OrgUnit, Position
from tests.exchange import fixture, jekyll_world
from tests.exchange.jekyll_world import EXPECTED_CHART, EXPECTED_HOLDERS

pytestmark = [pytest.mark.django_db, fixture.needs_jekyll]

PREFIX = "/about/leadership/"  # the fixture's convener.url_prefix


@pytest.fixture
def built(tmp_path):
    world = jekyll_world.build()
    site = fixture.copy(tmp_path)
    publish(site)
    out = fixture.build(site, tmp_path / "_site")
    return {"world": world, "site": site, "out": out}


def _headings(soup: BeautifulSoup) -> list[tuple[int, str]]:
    main = soup.find("main")
    return [
        (int(h.name[1]), h.get_text(" ", strip=True)) for h in main.find_all(re.compile("^h[1-6]$"))
    ]


def _unit_name(box) -> str:
    heading = box.find(re.compile("^h[1-6]$"))
    order = heading.find(class_="convener-order")
    if order:
        order.extract()
    return heading.get_text(" ", strip=True)


def test_every_position_page_has_its_title_as_the_one_top_heading_and_no_empty_section(built):
    out = built["out"]
    positions = list(Position.objects.all())
    assert len(positions) == len(EXPECTED_HOLDERS)
    for position in positions:
        soup = fixture.page(out, f"{PREFIX}positions/{position.slug}/")
        headings = _headings(soup)
        assert headings[0] == (1, position.title), position.title
        assert [level for level, _ in headings].count(1) == 1
        for (before, _), (after, text) in zip(headings, headings[1:], strict=False):
            assert after <= before + 1, f"{position.title}: h{before} then h{after} ({text})"
        for h2 in soup.find("main").find_all("h2"):
            following = h2.find_next_sibling()
            assert following is not None and following.name not in {"h1", "h2"}, (
                f"{position.title}: the section {h2.get_text()} is empty"
            )
    titles = {p.title: p for p in positions}
    spokesperson = _headings(fixture.page(out, f"{PREFIX}positions/{titles['Spokesperson'].slug}/"))
    assert [t for _, t in spokesperson] == [
        "Spokesperson",
        "Current holder",
        "Deputies",
        "Mandate",
        "Requirements",
    ]
    # a position with no mandate and no requirements prints neither heading
    strips = _headings(fixture.page(out, f"{PREFIX}positions/{titles['Strips Convener'].slug}/"))
    assert [t for _, t in strips] == ["Strips Convener", "Current holder"]
    # the open call's position says so, with its nominate link
    computing = fixture.page(out, f"{PREFIX}positions/{titles['Computing Coordinator'].slug}/")
    assert [t for _, t in _headings(computing)] == [
        "Computing Coordinator",
        "Current holder",
        "Mandate",
        "Call for nominations",
    ]
    call = built["world"]["open_call"]
    nominate = computing.find("a", class_="convener-button")
    assert nominate["href"] == f"{fixture.CONVENER}/calls/{call.pk}/nominate/"


def test_a_holder_card_shows_institution_start_to_its_precision_term_and_acting(built):
    out = built["out"]
    spokesperson = built["world"]["positions"]["spokesperson"]
    card = fixture.page(out, f"{PREFIX}positions/{spokesperson.slug}/").find(class_="convener-card")
    text = card.get_text(" ", strip=True)
    assert "Ingrid Valdés" in text and "Testville Institute" in text
    assert "Since 2025-09 · term 2" in text  # started in a month known to the month
    assert card.find("img")["src"] == "https://www.example.org/collab/assets/img/ivaldes.svg"
    links = {a.get_text(" ", strip=True): a["href"] for a in card.find_all("a")}
    assert links == {
        "Ingrid Valdés": f"{fixture.CONVENER}/people/{built['world']['people']['ingrid'].slug}/",
        "Website of Ingrid Valdés": "https://www.example.org/~ivaldes/",
        "ORCID iD of Ingrid Valdés": "https://orcid.org/0000-0002-1825-0097",
    }
    acting = built["world"]["positions"]["physics_coordinator"]
    card = fixture.page(out, f"{PREFIX}positions/{acting.slug}/").find(class_="convener-card")
    assert "Since 2024-03-01 · acting" in card.get_text(" ", strip=True)


def test_the_chart_shows_every_unit_and_holder_in_the_collaborations_order_and_depth(built):
    soup = fixture.page(built["out"], PREFIX)
    boxes = soup.select(".convener-chart .convener-box")
    shown = [(_unit_name(b), int(b.find(re.compile("^h[1-6]$")).name[1])) for b in boxes]
    # the page title is h1: the top unit is h2, and each level below one deeper
    assert shown == [(name, 2 + depth) for name, depth in EXPECTED_CHART]
    holders = {}
    for item in soup.select(".convener-posts > li"):
        title = item.find("a").get_text(strip=True)
        names = []
        for holder in item.select(".convener-holder"):
            for note in holder.select(".convener-note"):
                note.extract()
            names.append(holder.get_text(strip=True))
        holders[title] = names
    assert holders == EXPECTED_HOLDERS
    # and against the registry itself: every unit once, every current holder somewhere
    assert sorted(n for n, _ in shown) == sorted(OrgUnit.objects.values_list("name", flat=True))
    current = Appointment.objects.filter(end__isnull=True).select_related("person", "position")
    for a in current:
        assert a.person.name in holders[a.position.title]
    # nesting follows the tree: Strips sits inside Tracker, inside Detector
    strips = next(b for b in boxes if _unit_name(b) == "Strips")
    ancestors = [_unit_name(li.find(class_="convener-box")) for li in strips.find_parents("li")]
    assert ancestors[1:] == ["Tracker", "Detector", "Example Neutrino Collaboration"]
    vacant = {
        b.find_parent("li").find("a").get_text()
        for b in soup.select(".convener-posts .convener-vacant")
    }
    assert vacant == {t for t, names in EXPECTED_HOLDERS.items() if not names} | {
        "Speakers Committee Member"  # two of five seats taken
    }


def test_the_include_dropped_into_the_sites_own_page_shows_the_chart_and_a_subtree(built):
    soup = fixture.page(built["out"], "/organization/")
    charts = soup.select(".convener-chart")
    assert len(charts) == 3
    full = [_unit_name(b) for b in charts[0].select(".convener-box")]
    assert full == [name for name, _ in EXPECTED_CHART]
    subtree = [
        (_unit_name(b), b.find(re.compile("^h[1-6]$")).name)
        for b in charts[1].select(".convener-box")
    ]
    assert subtree == [
        ("Detector", "h3"),
        ("Tracker", "h4"),
        ("Strips", "h5"),
        ("Pixel Modules", "h5"),
        ("Calorimeter", "h4"),
    ]
    # unit= takes an external id too; depth=0 shows that unit alone
    assert [_unit_name(b) for b in charts[2].select(".convener-box")] == ["Physics"]
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), "an id appears twice on the page"
    # the page keeps its own layout, navbar and kramdown headings
    assert soup.select_one("nav.navbar a.navbar-brand").get_text() == "ENC"
    assert soup.find("h2", id="how-we-are-organized") is not None
    assert len(soup.select('link[href="/collab/assets/convener/convener.css"]')) == 1


def test_every_link_of_the_built_site_resolves(built, client):
    out = built["out"]
    checked_convener, external = set(), set()
    for html in sorted(out.rglob("*.html")):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        where = str(html.relative_to(out))
        for tag, attr in (("a", "href"), ("link", "href"), ("img", "src")):
            for element in soup.find_all(tag):
                url = element.get(attr)
                if not url or url.startswith("#"):
                    continue
                if url.startswith(fixture.SITE_URL + fixture.BASEURL + "/"):
                    url = url[len(fixture.SITE_URL) :]
                if url.startswith(fixture.BASEURL + "/"):
                    path = url[len(fixture.BASEURL) :]
                    target = fixture.local_file(out, path)
                    assert target.is_file(), f"{where}: {url} leads nowhere"
                    fragment = urlsplit(url).fragment
                    if fragment:
                        page = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
                        assert page.find(id=fragment), f"{where}: no #{fragment} in {path}"
                elif url.startswith(fixture.CONVENER + "/"):
                    checked_convener.add(url[len(fixture.CONVENER) :])
                elif url.startswith(("https://orcid.org/", "https://www.example.org/~")):
                    external.add(url)
                else:
                    pytest.fail(f"{where}: unexpected link {url}")
    # the links into the Convener instance name real pages of this registry
    assert checked_convener
    for url in sorted(checked_convener):
        path = urlsplit(url).path
        try:
            match = resolve(path)
        except Resolver404:
            pytest.fail(f"{url} is not a page of the Convener instance")
        response = client.get(path)
        if match.url_name == "nominate":  # members only: a visitor is asked to sign in
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 200, url
            fragment = urlsplit(url).fragment
            if fragment:
                assert f'id="{fragment}"' in response.content.decode(), url
    assert external == {
        "https://orcid.org/0000-0002-1825-0097",
        "https://www.example.org/~ivaldes/",
    }


def test_a_second_publish_changes_no_file(tmp_path):
    jekyll_world.build()
    site = fixture.copy(tmp_path)
    first = publish(site)
    before = fixture.snapshot(site)
    second = publish(site)
    assert first.written and second.written == [] and second.removed == []
    assert fixture.snapshot(site) == before


def test_the_sites_own_people_page_finds_roles_by_its_own_short_names(built):
    soup = fixture.page(built["out"], "/people/")
    yuki = [a.get_text() for a in soup.select("#person-yandersen a")]
    assert yuki == ["Detector Coordinator", "Board Chair"]
    assert soup.select("#person-lwhite a") == []  # on the site, not in the registry


def test_the_calls_page_links_to_nominating_and_never_shows_a_draft(built):
    soup = fixture.page(built["out"], f"{PREFIX}calls/")
    text = soup.find("main").get_text(" ", strip=True)
    world = built["world"]
    assert world["open_call"].title in text
    assert world["draft_call"].title not in text
    assert [t for _, t in _headings(soup)] == ["Calls for nominations", "Open for nominations"]
    link = soup.select_one("a.convener-button")
    assert link["href"] == f"{fixture.CONVENER}/calls/{world['open_call'].pk}/nominate/"


def test_a_person_card_finds_someone_by_the_sites_own_short_name(built):
    card = fixture.page(built["out"], "/").select_one("main .convener-card")
    text = card.get_text(" ", strip=True)
    assert text.startswith("Ingrid Valdés Testville Institute")
    assert "Since" not in text  # a person, not a holder: no appointment dates


def test_markup_in_the_registry_is_shown_as_text_on_the_built_site(tmp_path):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    world = jekyll_world.build()
    person = world["people"]["olu"]
    person.name = f"Olu {evil}"
    person.save()
    unit = world["units"]["tracker"]
    unit.name = f"Tracker {evil}"
    unit.save()
    site = fixture.copy(tmp_path)
    publish(site)
    out = fixture.build(site, tmp_path / "_site")
    tracker = world["positions"]["tracker_leads"]
    for path in (PREFIX, f"{PREFIX}positions/{tracker.slug}/", "/organization/"):
        soup = fixture.page(out, path)
        assert soup.find_all("script") == [] and soup.find("img", src="x") is None, path
        assert evil in soup.get_text(), path

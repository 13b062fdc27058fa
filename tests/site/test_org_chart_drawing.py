"""The org chart drawn as SVG: checked against the registry as built by hand, for two dates;
and its downloads (SVG, PNG, PDF) open as what they say they are."""

import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from convener.org import services
from tests.factories import PersonFactory

from . import collab

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
HREF = "href"


def _chart(client, on: str, unit: str = "") -> ET.Element:
    params = {"on": on, **({"unit": unit} if unit else {})}
    response = client.get(reverse("site:org_download", args=["svg"]), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    return ET.fromstring(response.content)


def _units(svg):
    return {g.get("data-unit"): g for g in svg.iter(f"{SVG}g") if g.get("data-unit")}


def _positions(svg):
    """position slug -> (people linked in its lines, marked vacant?)"""
    found = {}
    for g in svg.iter(f"{SVG}g"):
        slug = g.get("data-position")
        if not slug:
            continue
        people = {
            a.get(HREF).rstrip("/").rsplit("/", 1)[-1]
            for a in g.iter(f"{SVG}a")
            if "/people/" in (a.get(HREF) or "")
        }
        vacant = any("oc-badge-vacant" in (b.get("class") or "") for b in g.iter(f"{SVG}g"))
        found[slug] = (people, vacant)
    return found


def test_the_chart_of_2007_shows_the_deputies_of_then_and_the_empty_convener_seats(client):
    world = collab.build(groups=2)
    svg = _chart(client, "2007-06-30")
    expected_units = {world[k].slug for k in ("root", "l1", "l2")} | {
        g["unit"].slug for g in world["groups"]
    }
    assert set(_units(svg)) == expected_units
    positions = _positions(svg)
    # worked out by hand from collab.build: in mid-2007 the first conveners (to 2005) had
    # gone, the second ones were deputies (2005-2010), nobody was spokesperson
    assert positions[world["spokesperson"].slug] == (set(), True)
    for g in world["groups"]:
        assert positions[g["lead"].slug] == (set(), True)
        assert positions[g["deputy"].slug] == ({g["people"][1].slug}, False)


def test_the_chart_of_today_shows_the_current_conveners_and_the_empty_deputy_seats(client):
    world = collab.build(groups=2)
    svg = _chart(client, dt.date.today().isoformat())
    positions = _positions(svg)
    for g in world["groups"]:
        assert positions[g["lead"].slug] == ({g["people"][2].slug}, False)
        assert positions[g["deputy"].slug] == (set(), True)
    assert len(_units(svg)) == 5


def test_a_subtree_download_has_that_unit_and_everything_under_it_only(client):
    world = collab.build(groups=2)
    svg = _chart(client, "2021-01-01", unit=world["l2"].slug)
    assert set(_units(svg)) == {world["l2"].slug} | {g["unit"].slug for g in world["groups"]}


def test_an_appointee_who_has_not_started_is_marked_incoming_on_todays_chart(client):
    world = collab.build(groups=1)
    successor = PersonFactory(name="Nadia Next")
    deputy = world["groups"][0]["deputy"]
    services.appoint(successor, deputy, dt.date.today() + dt.timedelta(days=30))
    svg = ET.tostring(_chart(client, dt.date.today().isoformat()), encoding="unicode")
    assert "Nadia Next" in svg and "oc-badge-incoming" in svg
    page = client.get(reverse("site:org")).content.decode()
    assert "incoming: <a" in page and "Nadia Next" in page  # the list says it too
    position_page = client.get(deputy.get_absolute_url()).content.decode()
    assert "incoming</span>" in position_page and "Nadia Next" in position_page


def test_the_png_download_is_an_image_of_the_drawing(client):
    collab.build(groups=2)
    svg = _chart(client, "2007-06-30")
    width = float(svg.get("width"))
    response = client.get(reverse("site:org_download", args=["png"]), {"on": "2007-06-30"})
    assert response["Content-Type"] == "image/png"
    assert "org-chart-2007-06-30.png" in response["Content-Disposition"]
    image = Image.open(io.BytesIO(response.content))
    image.verify()
    assert image.format == "PNG" and image.size[0] == round(width * 1.5)


def test_the_pdf_download_opens_and_names_every_unit_and_holder(client):
    world = collab.build(groups=1)
    response = client.get(reverse("site:org_download", args=["pdf"]), {"on": "2007-06-30"})
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for name in ("Collaboration", "Tracker", "Pixels", "Group 0", "Leader 0-1", "Vacant"):
        assert name in text
    assert world["groups"][0]["people"][2].name not in text  # convener only from 2020


def test_the_page_embeds_the_drawing_hidden_from_screen_readers_beside_the_list(client):
    world = collab.build(groups=1)
    html = client.get(reverse("site:org")).content.decode()
    assert 'class="oc-chart" aria-hidden="true"' in html
    assert 'tabindex="-1"' in html  # links in the drawing are for the mouse; the list has them
    # unit names are real headings in the list: h3 for the collaboration, down to h6
    assert f'<h3 id="unit-{world["root"].slug}-h"' in html
    assert f'<h6 id="unit-{world["groups"][0]["unit"].slug}-h"' in html


@pytest.mark.parametrize(
    "params, param",
    [({"on": "2015-02-30"}, "on"), ({"unit": "no-such-unit"}, "unit")],
)
def test_a_download_with_a_bad_date_or_unit_is_a_400_naming_it(client, params, param):
    collab.build(groups=1)
    response = client.get(reverse("site:org_download", args=["svg"]), params)
    assert response.status_code == 400
    assert param in response.content.decode()


def test_an_unknown_format_is_not_found(client):
    assert client.get("/org/chart.gif").status_code == 404

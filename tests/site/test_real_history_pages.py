"""What visitors and consumers see of real history: the position as it was on a day, seats of
that day on the chart, acting holders and sources on every page, feed and export."""

import csv
import datetime as dt
import io
import json

import pytest
import yaml
from rest_framework.test import APIClient

from convener.exchange.exporter import export_csv, popolo
from convener.org import services
from convener.org.models import Appointment
from tests.histories import LAST_DAY, observatory

pytestmark = pytest.mark.django_db
D = dt.date
BULLETIN = "https://bulletin.example.org/1994/07"


@pytest.fixture
def world():
    world = observatory()
    p, spokesperson = world["people"], world["spokesperson"]
    services.set_seat_period(
        spokesperson,
        D(2005, 1, 1),
        2,
        start_precision="year",
        end=D(2011, 1, 1),
        end_precision="year",
    )
    services.appoint(
        p["Halvard Unset"],
        spokesperson,
        D(1994, 9, 1),
        end=D(2006, 12, 31),
        end_kind=LAST_DAY,
        source=BULLETIN,
        method="election",
    )
    services.appoint(
        p["Mireille van der Hoek"],
        spokesperson,
        D(2006, 1, 1),
        end=D(2010, 6, 30),
        end_kind=LAST_DAY,
        source="Annual Report 2006, p. 4",
    )
    services.appoint(
        p["Kojo Anselm-Brie"],
        spokesperson,
        D(2007, 1, 1),
        end=D(2007, 12, 31),
        end_kind=LAST_DAY,
        capacity=Appointment.Capacity.INTERIM,
    )
    services.appoint(p["Tomasz Qirelli"], spokesperson, D(2012, 1, 1))
    return world


def test_the_position_page_for_a_day_shows_the_holders_and_seats_of_that_day(client, world):
    url = world["spokesperson"].get_absolute_url()
    body = client.get(url, {"on": "2007-06-30"}).content.decode()
    assert "As it stood on 30 June 2007" in body
    assert "Holders on 30 June 2007" in body
    current = body.split('id="current-h"')[1].split("</section>")[0]
    assert "Mireille van der Hoek" in current and "Kojo Anselm-Brie" in current
    assert "Tomasz Qirelli" not in current
    assert "<dd>2 on 30 June 2007" in body
    today = client.get(url).content.decode().split('id="current-h"')[1].split("</section>")[0]
    assert "Tomasz Qirelli" in today and "Kojo Anselm-Brie" not in today
    before = client.get(url, {"on": "1990-01-01"}).content.decode()
    assert "did not exist on that day" in before
    assert client.get(url, {"on": "2007-02-30"}).status_code == 400


def test_the_chart_of_a_day_shows_its_seats_and_links_positions_for_that_day(client, world):
    body = client.get("/org/", {"on": "2008-03-01"}).content.decode()
    assert f"{world['spokesperson'].get_absolute_url()}?on=2008-03-01" in body
    assert "(1 of 2 seats vacant)" in body  # Mireille alone in a two-seat year
    later = client.get("/org/", {"on": "2013-03-01"}).content.decode()
    assert "seats vacant" not in later.split("Spokesperson")[1].split("</li>")[0]


def test_acting_holders_and_sources_show_on_the_position_and_person_pages(client, world):
    position = client.get(world["spokesperson"].get_absolute_url()).content.decode()
    assert f'<a href="{BULLETIN}" rel="nofollow noopener">source</a>' in position
    assert "<cite>Annual Report 2006, p. 4</cite>" in position
    assert "<strong>Interim</strong>" in position
    assert "(last day)" in position
    kojo = world["people"]["Kojo Anselm-Brie"]
    person = client.get(kojo.get_absolute_url()).content.decode()
    assert "Spokesperson</a> (interim)" in person


def test_acting_holders_and_sources_reach_the_api_the_csv_popolo_and_jekyll(tmp_path, world):
    rows = APIClient().get("/api/appointments/", {"position": world["spokesperson"].slug})
    by_person = {r["person"]: r for r in rows.json()["results"]}
    kojo = by_person[world["people"]["Kojo Anselm-Brie"].slug]
    assert (kojo["capacity"], kojo["is_acting"], kojo["end_kind"]) == ("interim", True, LAST_DAY)
    assert by_person[world["people"]["Halvard Unset"].slug]["source"] == BULLETIN

    export_csv(tmp_path)
    table = list(csv.DictReader(io.StringIO((tmp_path / "appointments.csv").read_text())))
    assert {(r["capacity"], r["source"]) for r in table} >= {
        ("interim", ""),
        ("regular", BULLETIN),
        ("regular", "Annual Report 2006, p. 4"),
    }

    memberships = {m["convener"]["source"]: m for m in popolo()["memberships"] if "post_id" in m}
    assert memberships[BULLETIN]["sources"] == [{"url": BULLETIN}]
    assert "sources" not in memberships["Annual Report 2006, p. 4"]
    roles = sorted(m["role"] for m in popolo()["memberships"] if "post_id" in m)
    assert roles == ["Lead", "Lead", "Lead", "Lead (interim)"]

    from convener.exchange.jekyll import SiteConfig, render

    history = yaml.safe_load(render(SiteConfig())["_data/convener/history.yml"])
    acting = [h for h in history if h["acting"]]
    assert [(h["name"], h["source"]) for h in acting] == [("Kojo Anselm-Brie", None)]
    assert json.dumps(history).count(BULLETIN) == 1

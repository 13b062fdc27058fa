"""The data files a site's templates read, checked against the hand-built registry of
tests/exchange/jekyll_world.py with every expected value written out by hand."""

import pytest
import yaml

from convener.exchange.jekyll import publish
from convener.org.models import OrgUnit
from tests.exchange import jekyll_world
from tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db


def published(tmp_path, settings_block: str = "") -> dict:
    site = tmp_path / "site"
    (site / "_layouts").mkdir(parents=True)
    (site / "_layouts" / "default.html").write_text("{{ content }}\n")
    config = "title: x\n"
    if settings_block:
        config += "convener:\n" + "".join(f"  {line}\n" for line in settings_block.splitlines())
    (site / "_config.yml").write_text(config)
    publish(site)
    data = site / "_data" / "convener"
    return {p.stem: yaml.safe_load(p.read_text()) for p in data.glob("*.yml")}


def test_units_come_in_the_registrys_order_with_both_keys_parent_level_and_depth(tmp_path):
    jekyll_world.build()
    units = published(tmp_path)["units"]
    shown = [
        (u["name"], u["order"], u["depth"], u["level"], u["rank"], u["external_id"]) for u in units
    ]
    assert shown == [
        ("Example Neutrino Collaboration", None, 0, "top", 1, "enc"),
        ("Physics", "1", 1, "L1", 2, "wbs-1"),
        ("Oscillations", "1.1", 2, "L2", 3, None),
        ("Detector", "2", 1, "L1", 4, "wbs-2"),
        ("Tracker", "2.1", 2, "L2", 5, "wbs-2.1"),
        ("Strips", "2.1.1", 3, "L3", 6, None),
        ("Pixel Modules", "2.1.2", 3, "L3", 7, None),
        ("Calorimeter", "2.2", 2, "L2", 8, None),
        ("Computing", "10", 1, "L1", 9, "wbs-10"),
        ("Collaboration Board", None, 1, "board", 10, None),
        ("Speakers Committee", None, 1, "committee", 11, None),
    ]
    by_name = {u["name"]: u for u in units}
    assert by_name["Tracker"]["parent"] == by_name["Detector"]["id"] == "detector"
    assert by_name["Tracker"]["children"] == [
        by_name["Strips"]["id"],
        by_name["Pixel Modules"]["id"],
    ]
    assert by_name["Example Neutrino Collaboration"]["parent"] is None
    assert by_name["Detector"]["label"] == "L1 area"


def test_a_holder_carries_the_persons_external_id_institution_start_precision_term_and_acting(
    tmp_path,
):
    world = jekyll_world.build()
    data = published(tmp_path)
    spokesperson = data["positions"][world["positions"]["spokesperson"].slug]
    ingrid = world["people"]["ingrid"]
    assert spokesperson["holders"] == [
        {
            "person": ingrid.slug,
            "external_id": "ivaldes",
            "name": "Ingrid Valdés",
            "institution": {
                "id": ingrid.affiliations.get().institution.slug,
                "external_id": None,
                "name": "Testville Institute",
                "short_name": "TVI",
            },
            "start": "2025-09",
            "start_precision": "month",
            "term": 2,
            "acting": False,
            "capacity": "regular",
            "source": None,
            "certain": True,
            "holdover_since": None,
        }
    ]
    physics = data["positions"][world["positions"]["physics_coordinator"].slug]
    tomasz = physics["holders"][0]
    assert (tomasz["external_id"], tomasz["acting"], tomasz["capacity"], tomasz["term"]) == (
        "tbreuer",
        True,
        "acting",
        None,  # an acting appointment does not count as a term here
    )
    oscillations = next(
        p for p in data["positions"].values() if p["title"] == "Oscillations Convener"
    )
    dario = oscillations["holders"][0]
    assert (dario["external_id"], dario["start"], dario["start_precision"]) == (
        None,
        "2020",
        "year",
    )


def test_the_history_has_the_same_keys_as_the_holders_and_every_past_term(tmp_path):
    world = jekyll_world.build()
    data = published(tmp_path)
    slug = world["positions"]["spokesperson"].slug
    rows = [r for r in data["history"] if r["position"] == slug]
    assert [(r["name"], r["start"], r["end"], r["term"], r["external_id"]) for r in rows] == [
        ("Greta Holm", "2019-09", "2022-09-01", 1, "gholm"),
        ("Ingrid Valdés", "2022-09", "2025-09-01", 1, "ivaldes"),
        ("Ingrid Valdés", "2025-09", None, 2, "ivaldes"),
    ]
    holder_keys = set(data["positions"][slug]["holders"][0]) - {"certain", "holdover_since"}
    assert holder_keys <= set(rows[0])
    assert rows[0]["institution"]["name"] == "Testville Institute"
    assert {r["level"] for r in data["history"]} <= {"top", "L1", "L2", "L3"}  # the default


def test_profile_fields_are_published_only_when_the_site_asks_and_email_never(tmp_path):
    world = jekyll_world.build()
    slug = world["people"]["ingrid"].slug
    plain = published(tmp_path / "a")["people"][slug]
    assert "photo_url" not in plain and "website" not in plain and "orcid" not in plain
    chosen = published(tmp_path / "b", "profile_fields: [photo_url, website]")["people"][slug]
    assert chosen["photo_url"] == "https://www.example.org/collab/assets/img/ivaldes.svg"
    assert chosen["website"] == "https://www.example.org/~ivaldes/"
    assert "orcid" not in chosen
    assert world["people"]["ingrid"].email not in str(chosen)
    olu = published(tmp_path / "c", "profile_fields: [photo_url]")["people"][
        world["people"]["olu"].slug
    ]
    assert olu["photo_url"] is None  # nothing entered: published as empty, never made up


def test_only_the_chosen_levels_are_published_and_the_tree_stays_connected(tmp_path):
    world = jekyll_world.build()
    # an L1 area under a board that is not published moves up to the collaboration
    board = OrgUnit.objects.get(name="Collaboration Board")
    OrgUnitFactory(name="Outreach", parent=board, level=1, order="3")
    data = published(tmp_path, "levels: [top, L1]")
    assert [(u["name"], u["depth"], u["parent"]) for u in data["units"]] == [
        ("Example Neutrino Collaboration", 0, None),
        ("Physics", 1, "enc"),
        ("Detector", 1, "enc"),
        ("Computing", 1, "enc"),
        ("Outreach", 1, "enc"),
    ]
    assert {p["title"] for p in data["positions"].values()} == {
        "Spokesperson",
        "Deputy Spokesperson",
        "Physics Coordinator",
        "Detector Coordinator",
        "Computing Coordinator",
    }
    assert {r["level"] for r in data["history"]} == {"top", "L1"}
    assert world["people"]["phuong"].slug not in data["people"]  # an L3 convener only


def test_without_a_base_url_no_link_into_convener_is_published(tmp_path):
    world = jekyll_world.build()
    data = published(tmp_path)
    call = data["calls"][0]
    assert call["title"] == world["open_call"].title
    assert call["nominate_url"] is None and call["record_url"] is None
    assert all(p["record_url"] is None for p in data["positions"].values())
    with_base = published(tmp_path / "b", "base_url: https://convener.example.org/app")
    assert with_base["calls"][0]["nominate_url"] == (
        f"https://convener.example.org/app/calls/{world['open_call'].pk}/nominate/"
    )
    assert [c["title"] for c in with_base["calls"]] == [world["open_call"].title]  # no draft

"""Publication into a Jekyll site: what is written, what is left alone, what is removed."""

import pytest
import yaml
from django.core.management import CommandError, call_command

from convener.exchange.jekyll import NotAJekyllSite, publish
from tests.factories import OrgUnitFactory, PositionFactory
from tests.site import collab

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    (root / "_layouts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Collaboration\nmarkdown: kramdown\n")
    (root / "_layouts" / "default.html").write_text(
        '<!doctype html><html lang="en"><head><title>{{ page.title }}</title></head>'
        "<body><main>{{ content }}</main></body></html>\n"
    )
    (root / "index.md").write_text("---\nlayout: default\ntitle: Home\n---\nWelcome.\n")
    return root


def test_publishing_writes_data_includes_and_pages_and_a_second_run_writes_nothing(site):
    world = collab.build(groups=1)
    before = (site / "index.md").read_text()
    first = publish(site)
    assert first.unchanged == [] and first.kept == []
    for name in ("units", "positions", "people", "calls", "history", "publication"):
        assert f"_data/convener/{name}.yml" in first.written
    for name in ("org_chart", "position", "person_card", "calls"):
        assert f"_includes/convener/{name}.html" in first.written
    lead = world["groups"][0]["lead"]
    page = (site / "leadership" / "positions" / f"{lead.slug}.html").read_text()
    assert page.startswith("---\nlayout: default\n")
    assert f"permalink: /leadership/positions/{lead.slug}/" in page
    assert "<h1>{{ page.title | escape }}</h1>" in page  # the default layout prints no title
    second = publish(site)
    assert second.written == [] and sorted(second.unchanged) == sorted(first.written)
    assert (site / "index.md").read_text() == before


def test_a_folder_that_is_not_a_jekyll_site_is_refused(tmp_path):
    with pytest.raises(NotAJekyllSite, match="no _config.yml"):
        publish(tmp_path)
    with pytest.raises(CommandError, match="not a Jekyll site"):
        call_command("publish", "jekyll", site=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_mandates_are_sanitized_before_they_reach_the_site(site):
    world = collab.build(groups=1)
    lead = world["groups"][0]["lead"]
    lead.mandate = "Leads.<script>alert('x')</script>"
    lead.save()
    publish(site)
    data = (site / "_data" / "convener" / "positions.yml").read_text()
    assert "<script>" not in data and "Leads." in data


def test_an_include_the_site_edited_without_the_generator_line_is_kept(site, capsys):
    collab.build(groups=1)
    publish(site)
    own = site / "_includes" / "convener" / "person_card.html"
    own.write_text("<div class='our-card'>{{ include.holder.name }}</div>\n")
    outcome = publish(site)
    assert outcome.kept == ["_includes/convener/person_card.html"]
    assert own.read_text() == "<div class='our-card'>{{ include.holder.name }}</div>\n"
    call_command("publish", "jekyll", site=str(site))
    assert "Kept the site's own version of _includes/convener/person_card.html" in (
        capsys.readouterr().out
    )
    # an include still carrying the line is ours: an edit there is overwritten
    chart = site / "_includes" / "convener" / "org_chart.html"
    chart.write_text(chart.read_text() + "<p>edited</p>\n")
    publish(site)
    assert "<p>edited</p>" not in chart.read_text()


def test_files_written_earlier_and_no_longer_published_are_removed_and_nothing_else(site):
    world = collab.build(groups=1)
    retired = PositionFactory(unit=world["l1"], title="Retired Post", level="L1")
    publish(site)
    page = site / "leadership" / "positions" / f"{retired.slug}.html"
    assert page.is_file()
    # what an earlier version wrote: Markdown pages and a structure.yml without a marker
    old_page = site / "leadership" / "positions" / "old.md"
    old_page.write_text("---\nlayout: default\ngenerator: convener\n---\nold\n")
    (site / "_data" / "convener" / "structure.yml").write_text("- id: x\n")
    # the site's own files in the same folders
    own_page = site / "leadership" / "history.md"
    own_page.write_text("---\ntitle: Our history\n---\nWritten by hand.\n")
    config = site / "_data" / "convener" / "config.yml"
    config.write_text("heading_level: 2\n")
    retired.end = retired.start  # retired the day it was created: never on the chart today
    retired.save()
    outcome = publish(site)
    assert sorted(outcome.removed) == sorted(
        [
            "_data/convener/structure.yml",
            f"leadership/positions/{retired.slug}.html",
            "leadership/positions/old.md",
        ]
    )
    assert own_page.is_file() and config.read_text() == "heading_level: 2\n"


def test_data_files_name_people_and_units_by_both_keys(site):
    world = collab.build(groups=1)
    person = world["groups"][0]["people"][2]
    person.external_id = "leader02"
    person.save()
    OrgUnitFactory(name="Empty Area", parent=world["root"], level=1)
    publish(site)
    data = site / "_data" / "convener"
    people = yaml.safe_load((data / "people.yml").read_text())
    assert people[person.slug]["external_id"] == "leader02"
    assert people[person.slug]["institution"]["name"] == "Testville Institute"
    units = yaml.safe_load((data / "units.yml").read_text())
    assert "Empty Area" in [u["name"] for u in units]  # a unit with no position yet is shown
    assert (data / "units.yml").read_text().startswith("# generator: convener")


def test_the_publication_reads_the_registry_in_ten_queries_whatever_its_size(
    django_assert_num_queries,
):
    from convener.exchange.jekyll import SiteConfig, render

    # units, positions, seat periods, appointments and affiliations for the chart; calls; the
    # history and its affiliations; the people and their affiliations today
    collab.build(groups=1)
    with django_assert_num_queries(10):
        render(SiteConfig())
    collab.build(groups=6)
    with django_assert_num_queries(10):
        render(SiteConfig())

"""Publication into a Jekyll site, built for real with Debian's jekyll when it is installed."""

import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command

from convener.exchange.jekyll import NotAJekyllSite, publish
from tests.nominations import world as w
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


def test_publishing_writes_data_and_pages_and_a_second_run_writes_nothing(site):
    world = collab.build(groups=1)
    before = (site / "index.md").read_text()
    first = publish(site)
    assert first["written"] > 5 and first["unchanged"] == 0
    assert (site / "_data" / "convener" / "positions.yml").is_file()
    lead = world["groups"][0]["lead"]
    page = (site / "leadership" / "positions" / f"{lead.slug}.md").read_text()
    assert page.startswith("---\n") and "layout: default" in page
    assert f"permalink: /leadership/positions/{lead.slug}/" in page
    second = publish(site)
    assert second["written"] == 0 and second["unchanged"] == first["written"]
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


@pytest.mark.skipif(shutil.which("jekyll") is None, reason="Debian's jekyll is not installed")
def test_the_site_builds_with_jekyll_and_shows_holders_and_calls(site, tmp_path):
    world = collab.build(groups=1)
    calls = w.build()
    publish(site)
    out = tmp_path / "_site"
    result = subprocess.run(
        ["jekyll", "build", "--source", str(site), "--destination", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    chart = (out / "leadership" / "index.html").read_text()
    assert "Leader 0-2" in chart and "Pixels" in chart
    lead = world["groups"][0]["lead"]
    page = (out / "leadership" / "positions" / lead.slug / "index.html").read_text()
    assert "Current holders" in page and "Leader 0-2" in page
    open_calls = (out / "leadership" / "calls" / "index.html").read_text()
    assert calls["call"].title in open_calls
    assert (out / "index.html").is_file()  # the site's own page is still built

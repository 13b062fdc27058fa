"""The site's own settings for the publication: read from the site, refused with a message
naming the setting when they cannot be used, and applied to what is written."""

import pytest
import yaml
from django.core.management import CommandError, call_command

from convener.exchange.jekyll import SiteConfigError, publish, read_config
from tests.site import collab

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    (root / "_layouts").mkdir(parents=True)
    for name in ("default", "page", "profile"):
        (root / "_layouts" / f"{name}.html").write_text("{{ content }}\n")
    return root


def configure(site, block: str | None, data_file: str | None = None):
    config = "title: A site\n"
    if block is not None:
        config += "convener:\n" + "".join(f"  {line}\n" for line in block.splitlines())
    (site / "_config.yml").write_text(config)
    if data_file is not None:
        (site / "_data" / "convener").mkdir(parents=True, exist_ok=True)
        (site / "_data" / "convener" / "config.yml").write_text(data_file)


def test_a_site_without_settings_gets_the_defaults(site):
    configure(site, None)
    config = read_config(site)
    assert config.url_prefix == "/leadership/"
    assert config.layouts == {"chart": "default", "position": "default", "calls": "default"}
    assert config.print_title is True and config.heading_level == 2
    assert config.base_url is None and config.profile_fields == ()


def test_settings_are_read_from_the_config_block_or_from_the_data_file(site):
    configure(site, "url_prefix: about/people\nlayout: page\nlayouts:\n  position: profile")
    config = read_config(site)
    assert config.url_prefix == "/about/people/"
    assert config.layouts == {"chart": "page", "position": "profile", "calls": "page"}
    configure(site, None, "base_url: https://convener.example.org/\nprint_title: false\n")
    config = read_config(site)
    assert config.base_url == "https://convener.example.org"
    assert config.print_title is False and config.source == "_data/convener/config.yml"


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("heading_levels: 3", "unknown setting(s) heading_levels"),
        ("heading_level: 7", "heading_level: expected a whole number from 1 to 5"),
        ("heading_level: 1", "heading_level: is 1, but the pages print their own title"),
        ("print_title: yes please", "print_title: expected true or false"),
        ("base_url: convener.example.org", "base_url: 'convener.example.org' is not an http"),
        ("base_url: javascript:alert(1)", "is not an http(s) address"),
        ("url_prefix: /", "url_prefix: '/' is not a folder of the site"),
        ("url_prefix: /_data/", "is not a folder of the site"),
        ("url_prefix: /a/../b/", "is not a folder of the site"),
        ("layouts:\n  people: page", "layouts: unknown page kind 'people'"),
        ("layouts:\n  chart: wide", "layouts.chart: the site has no layout 'wide'"),
        ("levels: [L1, L4]", "levels: unknown value(s) L4"),
        ("levels: []", "levels: is empty"),
        ("profile_fields: [email]", "profile_fields: unknown value(s) email"),
        ("titles:\n  position: Post", "titles: expected a mapping with the keys chart, calls"),
    ],
)
def test_a_setting_that_cannot_be_used_is_refused_by_name_and_nothing_is_written(
    site, block, message
):
    collab.build(groups=1)
    configure(site, block)
    with pytest.raises(SiteConfigError) as error:
        publish(site)
    assert message in str(error.value)
    assert sorted(p.name for p in site.iterdir()) == ["_config.yml", "_layouts"]


def test_settings_given_in_both_places_are_refused(site):
    configure(site, "print_title: false", "print_title: true\n")
    with pytest.raises(SiteConfigError, match="configures the publication twice"):
        read_config(site)
    with pytest.raises(CommandError, match="configures the publication twice"):
        call_command("publish", "jekyll", site=str(site))


def test_a_layout_from_a_theme_is_not_looked_for_in_the_site(site):
    configure(site, "layout: post")
    (site / "_config.yml").write_text((site / "_config.yml").read_text() + "theme: minima\n")
    assert read_config(site).layouts["chart"] == "post"


def test_the_settings_shape_the_pages_written(site):
    world = collab.build(groups=1)
    configure(
        site,
        "url_prefix: /org/people/\n"
        "layouts:\n  position: profile\n"
        "print_title: false\n"
        "heading_level: 3\n"
        "titles:\n  chart: Our structure",
    )
    publish(site)
    lead = world["groups"][0]["lead"]
    page = (site / "org" / "people" / "positions" / f"{lead.slug}.html").read_text()
    front = yaml.safe_load(page.split("---\n")[1])
    assert front["layout"] == "profile"
    assert front["permalink"] == f"/org/people/positions/{lead.slug}/"
    assert "<h" not in page.split("---\n", 2)[2]  # the layout prints the title
    chart = yaml.safe_load((site / "org" / "people" / "index.html").read_text().split("---\n")[1])
    assert chart == {
        "layout": "default",
        "title": "Our structure",
        "permalink": "/org/people/",
        "generator": "convener",
    }
    publication = yaml.safe_load((site / "_data" / "convener" / "publication.yml").read_text())
    assert publication["heading_level"] == 3 and publication["print_title"] is False
    assert publication["pages"] == {"chart": "/org/people/", "calls": "/org/people/calls/"}
    assert not (site / "leadership").exists()


def test_settings_that_are_not_yaml_are_refused_naming_the_file(site):
    (site / "_config.yml").write_text("title: x\nconvener: [unclosed\n")
    with pytest.raises(SiteConfigError, match="_config.yml is not readable YAML"):
        read_config(site)

"""On the collaboration's own Jekyll site (built for real), a seat whose last holder's end
nobody recorded reads "unknown since" that holder's start, on the chart and on the position's
page, and never "Vacant"."""

import datetime as dt

import pytest

from convener.exchange.jekyll import publish
from convener.org import services
from tests.exchange import fixture, jekyll_world
from tests.factories import PositionFactory

pytestmark = [pytest.mark.django_db, fixture.needs_jekyll]

PREFIX = "/about/leadership/"


def test_the_built_site_says_unknown_since_where_it_said_vacant(tmp_path):
    world = jekyll_world.build()
    post = PositionFactory(unit=world["units"]["computing"], title="Software Librarian", level="L1")
    services.appoint(
        world["people"]["past"],
        post,
        dt.date(2001, 1, 1),
        start_precision="year",
        end_precision="unknown",
    )
    site = fixture.copy(tmp_path)
    publish(site)
    out = fixture.build(site, tmp_path / "_site")
    chart = fixture.page(out, PREFIX)
    item = next(
        li
        for li in chart.select(".convener-posts > li")
        if li.find("a").get_text(strip=True) == "Software Librarian"
    )
    assert item.get_text(" ", strip=True).endswith(": unknown since 2001")
    assert item.select(".convener-vacant") == []
    page = fixture.page(out, f"{PREFIX}positions/{post.slug}/").find("main")
    name = world["people"]["past"].name
    assert (
        f"Unknown since 2001: {name} held it from 2001; when that ended was not recorded, "
        "and no later holder is recorded." in page.get_text(" ", strip=True)
    )
    assert "Vacant" not in page.get_text(" ", strip=True)

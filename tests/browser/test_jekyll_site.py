"""The pages published into the fixture site (tests/exchange/fixture_site/), built with
jekyll and opened in Chromium: no WCAG 2.1 AA violation that axe finds, and they reflow at
320 px. The screenshots land in var/screenshots/jekyll/ (`make screenshots` copies the chart
into docs/screenshots/ for the README)."""

import contextlib
import functools
import http.server
import threading
from pathlib import Path

import pytest

from convener.exchange.jekyll import publish
from tests.exchange import fixture, jekyll_world

from .conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db, fixture.needs_jekyll]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "jekyll"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(out: Path):
    """The built site at http://127.0.0.1:PORT/collab/ (the fixture's baseurl)."""
    root = out.parent / "www"
    root.mkdir()
    (root / "collab").symlink_to(out)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/collab"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_the_published_pages_pass_axe_and_reflow_at_320_px(browser, tmp_path):
    world = jekyll_world.build()
    site = fixture.copy(tmp_path)
    publish(site)
    out = fixture.build(site, tmp_path / "_site")
    spokesperson = world["positions"]["spokesperson"].slug
    pages = {
        "chart": "/about/leadership/",
        "position": f"/about/leadership/positions/{spokesperson}/",
        "calls": "/about/leadership/calls/",
        "organization": "/organization/",
    }

    def photos(route):  # the registry's photo links point at the site's public address
        path = route.request.url.split(fixture.BASEURL + "/", 1)[-1]
        route.fulfill(path=str(out / path))

    SHOTS.mkdir(parents=True, exist_ok=True)
    failures, overflowing = {}, {}
    with serve(out) as base:
        for width in (1280, 390, 320):
            context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
            page = context.new_page()
            page.route(f"{fixture.SITE_URL}{fixture.BASEURL}/**", photos)
            for name, path in pages.items():
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                found = axe_violations(page)
                if found:
                    failures[(name, width)] = found
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    overflowing[(name, width)] = scroll
                page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
                if width == 1280:  # what a visitor sees first, for the README
                    page.screenshot(path=str(SHOTS / f"{name}-{width}-top.png"))
            context.close()
    assert failures == {}
    assert overflowing == {}

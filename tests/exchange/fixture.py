"""The fixture site (tests/exchange/fixture_site/): copied, published into and built for real
with Debian's jekyll."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

SOURCE = Path(__file__).parent / "fixture_site"
BASEURL = "/collab"  # the fixture's baseurl
SITE_URL = "https://www.example.org"  # the fixture's url
CONVENER = "https://convener.example.org"  # the fixture's convener.base_url


def _jekyll_ready() -> bool:
    if shutil.which("jekyll") is None or shutil.which("ruby") is None:
        return False
    plugin = subprocess.run(["ruby", "-e", 'require "jekyll-feed"'], capture_output=True)
    return plugin.returncode == 0


needs_jekyll = pytest.mark.skipif(
    not _jekyll_ready(),
    reason="Debian's jekyll and ruby-jekyll-feed are not installed (make jekyll)",
)


def copy(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(SOURCE, site)
    return site


def build(site: Path, out: Path) -> Path:
    """``jekyll build``; fails the test with Jekyll's own message when the build fails or
    warns."""
    result = subprocess.run(
        ["jekyll", "build", "--source", str(site), "--destination", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warn" not in result.stderr.lower(), result.stderr
    return out


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` with its content and modification time."""
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def page(out: Path, url: str) -> BeautifulSoup:
    """The built page at ``url`` (a site path without the baseurl, e.g. /organization/)."""
    return BeautifulSoup(local_file(out, url).read_text(encoding="utf-8"), "html.parser")


def local_file(out: Path, path: str) -> Path:
    """The built file a site path names (``/x/`` is ``x/index.html``)."""
    path = path.split("#", 1)[0].split("?", 1)[0]
    target = out / path.lstrip("/")
    return target / "index.html" if path.endswith("/") or target.is_dir() else target

"""Writing the publication into a Jekyll site.

Every file this command writes carries the marker ``generator: convener``. A file without it is
the site's own and is never overwritten or removed: a maintainer keeps their own version of an
include (or a page) by deleting that marker line. Files are written only when their content
changed, so a second run with no change in the registry writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .config import SiteConfig, read_config
from .data import Collector

MARKER = "generator: convener"
FILES = Path(__file__).parent / "files"  # includes and stylesheet, copied as they are
DATA_DIR = "_data/convener"
OWN_DIRS = (DATA_DIR, "_includes/convener", "assets/convener")
LEGACY_DATA = {"structure.yml"}  # written, without a marker, by earlier versions


@dataclass
class Outcome:
    """What a publication did, file by file (paths relative to the site)."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # the site's own versions, left alone

    def counts(self) -> dict[str, int]:
        return {
            "written": len(self.written),
            "unchanged": len(self.unchanged),
            "removed": len(self.removed),
            "kept": len(self.kept),
        }


# libyaml's emitter when PyYAML has it: the history of a large collaboration runs to megabytes
_SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_SafeDumper):
    """Writes choices (``str`` subclasses such as ``Position.Level.TOP``) as the plain
    strings they are."""


_Dumper.add_multi_representer(str, yaml.representer.SafeRepresenter.represent_str)


def _dump(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)


def _data_file(data) -> str:
    return f"# {MARKER}: `convener publish jekyll` rewrites this file\n" + _dump(data)


def _page(config: SiteConfig, kind: str, front: dict, body: str) -> str:
    front = {"layout": config.layouts[kind], **front, "generator": "convener"}
    title = ""
    if config.print_title:
        level = config.heading_level - 1
        title = f"<h{level}>{{{{ page.title | escape }}}}</h{level}>\n"
    return "---\n" + _dump(front) + "---\n" + title + body


def render(config: SiteConfig, today: dt.date | None = None) -> dict[str, str]:
    """Every file to publish for ``config``: relative path -> content."""
    data = Collector(config, today).collect()
    files = {f"{DATA_DIR}/{name}.yml": _data_file(content) for name, content in data.items()}
    for path in sorted(FILES.rglob("*")):
        if path.is_file():
            files[str(path.relative_to(FILES))] = path.read_text(encoding="utf-8")
    folder = config.folder
    calls_link = "{{ '" + config.url("calls") + "' | relative_url }}"
    files[f"{folder}/index.html"] = _page(
        config,
        "chart",
        {"title": config.titles["chart"], "permalink": config.url()},
        '<p class="convener-lede">The collaboration\'s units and positions and who holds '
        f'them. See also the <a href="{calls_link}">calls for nominations</a>.</p>\n'
        "{% include convener/org_chart.html %}\n",
    )
    files[f"{folder}/calls.html"] = _page(
        config,
        "calls",
        {"title": config.titles["calls"], "permalink": config.url("calls")},
        "{% include convener/calls.html %}\n",
    )
    for slug, position in data["positions"].items():
        files[f"{folder}/positions/{slug}.html"] = _page(
            config,
            "position",
            {
                "title": position["title"],
                "permalink": position["page"],
                "convener_position": slug,
            },
            "{% include convener/position.html id=page.convener_position %}\n",
        )
    return files


def _ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(encoding="utf-8")[:2000]
    except (UnicodeDecodeError, OSError):
        return False


def publish(site: Path, today: dt.date | None = None) -> Outcome:
    """Publish the registry into the Jekyll site at ``site`` as its settings ask (see
    :mod:`.config`). Writes changed files only; never touches a file without the marker
    (the site's own), except the data files under ``_data/convener/``, which belong to this
    command (``config.yml`` aside); removes the files it wrote earlier that are no longer
    published (a retired position's page, an include renamed)."""
    site = Path(site)
    config = read_config(site)
    files = render(config, today)
    outcome = Outcome()
    for relative, content in files.items():
        path = site / relative
        if path.is_file():
            if path.read_text(encoding="utf-8") == content:
                outcome.unchanged.append(relative)
                continue
            if not relative.startswith(DATA_DIR + "/") and not _ours(path):
                outcome.kept.append(relative)
                continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        outcome.written.append(relative)
    for folder in (*OWN_DIRS, config.folder):
        root = site / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            relative = str(path.relative_to(site))
            if not path.is_file() or relative in files:
                continue
            legacy = path.parent == site / DATA_DIR and path.name in LEGACY_DATA
            if legacy or _ours(path):
                path.unlink()
                outcome.removed.append(relative)
    return outcome

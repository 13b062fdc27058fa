"""The site's own settings for the publication: a ``convener:`` block in ``_config.yml`` or the
file ``_data/convener/config.yml``, written by the site's maintainer and only read here.

Every key is optional; an unknown key or a bad value is refused with a message naming the key,
so a typo never silently falls back to a default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from convener.org.models import Position

CONFIG_FILE = "_data/convener/config.yml"
PAGE_KINDS = ("chart", "position", "calls")
PROFILE_FIELDS = ("pronouns", "orcid", "photo_url", "website")
ALL_LEVELS = tuple(str(v) for v in Position.Level.values)
LEADERSHIP_LEVELS = ("top", "L1", "L2", "L3")

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_LAYOUT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]*$")


class NotAJekyllSite(Exception):
    """The folder given is not the source of a Jekyll site."""


class SiteConfigError(Exception):
    """The site's ``convener`` settings cannot be used; the message names the key."""


@dataclass(frozen=True)
class SiteConfig:
    """The publication settings of one site, validated, with every default filled in."""

    url_prefix: str = "/leadership/"
    base_url: str | None = None
    layouts: dict[str, str] = field(default_factory=lambda: dict.fromkeys(PAGE_KINDS, "default"))
    titles: dict[str, str] = field(
        default_factory=lambda: {
            "chart": "Organization and leadership",
            "calls": "Calls for nominations",
        }
    )
    print_title: bool = True
    heading_level: int = 2
    levels: tuple[str, ...] = ALL_LEVELS
    history_levels: tuple[str, ...] = LEADERSHIP_LEVELS
    profile_fields: tuple[str, ...] = ()
    stylesheet: bool = True
    source: str = "defaults"  # where the settings were read, for messages

    @property
    def folder(self) -> str:
        """The site folder of the generated pages, e.g. ``leadership``."""
        return self.url_prefix.strip("/")

    def url(self, *parts: str) -> str:
        """A page address under the prefix: ``url("positions", "x")`` is
        ``/leadership/positions/x/``."""
        return self.url_prefix + "".join(f"{p}/" for p in parts)

    def record_url(self, path: str) -> str | None:
        """The address of ``path`` in the Convener instance, when the site names it."""
        return self.base_url + path if self.base_url else None

    def publication(self) -> dict:
        """What the includes need to know at build time (``_data/convener/publication.yml``)."""
        return {
            "url_prefix": self.url_prefix,
            "base_url": self.base_url,
            "print_title": self.print_title,
            "heading_level": self.heading_level,
            "stylesheet": self.stylesheet,
            "stylesheet_url": "/assets/convener/convener.css",
            "levels": list(self.levels),
            "history_levels": list(self.history_levels),
            "profile_fields": list(self.profile_fields),
            "pages": {"chart": self.url(), "calls": self.url("calls")},
        }


def read_config(site: Path) -> SiteConfig:
    """The settings of the Jekyll site at ``site``; raises :class:`NotAJekyllSite` when the
    folder has no ``_config.yml`` and :class:`SiteConfigError` for a bad setting."""
    site = Path(site)
    config_yml = site / "_config.yml"
    if not site.is_dir() or not config_yml.is_file():
        raise NotAJekyllSite(f"{site} is not a Jekyll site: it has no _config.yml")
    jekyll = load_yaml(config_yml, "_config.yml") or {}
    if not isinstance(jekyll, dict):
        raise SiteConfigError("_config.yml: expected a mapping of settings")
    in_config = jekyll.get("convener")
    data_file = site / CONFIG_FILE
    in_data = load_yaml(data_file, CONFIG_FILE) if data_file.is_file() else None
    if in_config is not None and in_data is not None:
        raise SiteConfigError(
            f"the site configures the publication twice (a convener: block in _config.yml and "
            f"{CONFIG_FILE}); keep one of them"
        )
    if in_data is not None:
        raw, source = in_data, CONFIG_FILE
    elif in_config is not None:
        raw, source = in_config, "_config.yml, convener"
    else:
        return SiteConfig(source="defaults")
    if not isinstance(raw, dict):
        raise SiteConfigError(f"{source}: expected a mapping of settings, not {raw!r}")
    config = _validate(raw, source)
    _check_layouts(site, jekyll, config)
    return config


def load_yaml(path: Path, name: str, error: type[Exception] | None = None):
    """The YAML document at ``path``; a file that is not YAML raises ``error`` (by default
    :class:`SiteConfigError`) naming the file as ``name``."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise (error or SiteConfigError)(f"{name} is not readable YAML: {exc}") from None


KNOWN = {
    "url_prefix": "where the generated pages go, e.g. /leadership/",
    "base_url": "the Convener instance, e.g. https://convener.example.org",
    "layout": "the layout of every generated page",
    "layouts": f"a layout per page kind ({', '.join(PAGE_KINDS)})",
    "titles": "page titles (chart, calls)",
    "print_title": "true when the generated pages must print their title",
    "heading_level": "the level of the first headings inside a page (1-5)",
    "levels": f"the levels to publish ({', '.join(ALL_LEVELS)})",
    "history_levels": "the levels whose history to publish",
    "profile_fields": f"public profile fields to publish ({', '.join(PROFILE_FIELDS)})",
    "stylesheet": "false when the site loads assets/convener/convener.css itself",
}


def _validate(raw: dict, source: str) -> SiteConfig:
    def fail(key, problem):
        raise SiteConfigError(f"{source}: {key}: {problem}")

    unknown = sorted(set(map(str, raw)) - set(KNOWN))
    if unknown:
        raise SiteConfigError(
            f"{source}: unknown setting(s) {', '.join(unknown)}; the settings are: "
            + "; ".join(f"{k} ({v})" for k, v in KNOWN.items())
        )
    values: dict = {"source": source}

    if "url_prefix" in raw:
        prefix = raw["url_prefix"]
        segments = str(prefix or "").strip("/").split("/")
        if not isinstance(prefix, str) or not all(_SEGMENT.match(s) for s in segments):
            fail(
                "url_prefix",
                f"{prefix!r} is not a folder of the site such as /leadership/ (letters, digits, "
                "- and _; not the site's root, not a folder starting with _ or .)",
            )
        values["url_prefix"] = "/" + "/".join(segments) + "/"

    if raw.get("base_url") not in (None, ""):
        base = raw["base_url"]
        try:
            URLValidator(schemes=["http", "https"])(str(base))
        except ValidationError:
            fail("base_url", f"{base!r} is not an http(s) address")
        if "?" in base or "#" in base:
            fail("base_url", f"{base!r}: give the address without a query or fragment")
        values["base_url"] = str(base).rstrip("/")

    layouts = dict.fromkeys(PAGE_KINDS, "default")
    if "layout" in raw:
        layouts = dict.fromkeys(PAGE_KINDS, _layout_name(raw["layout"], "layout", fail))
    if "layouts" in raw:
        given = raw["layouts"]
        if not isinstance(given, dict):
            fail("layouts", f"expected a mapping of page kind to layout ({', '.join(PAGE_KINDS)})")
        for kind, name in given.items():
            if kind not in PAGE_KINDS:
                fail(
                    "layouts", f"unknown page kind {kind!r}; the kinds are {', '.join(PAGE_KINDS)}"
                )
            layouts[kind] = _layout_name(name, f"layouts.{kind}", fail)
    values["layouts"] = layouts

    if "titles" in raw:
        given = raw["titles"]
        titles = SiteConfig().titles
        if not isinstance(given, dict) or not set(given) <= set(titles):
            fail("titles", f"expected a mapping with the keys {', '.join(titles)}")
        for kind, title in given.items():
            if not isinstance(title, str) or not title.strip():
                fail(f"titles.{kind}", "expected a non-empty title")
            titles[kind] = title.strip()
        values["titles"] = titles

    for key in ("print_title", "stylesheet"):
        if key in raw:
            if not isinstance(raw[key], bool):
                fail(key, f"expected true or false, not {raw[key]!r}")
            values[key] = raw[key]

    if "heading_level" in raw:
        level = raw["heading_level"]
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
            fail("heading_level", f"expected a whole number from 1 to 5, not {level!r}")
        values["heading_level"] = level
    if values.get("print_title", True) and values.get("heading_level", 2) < 2:
        fail(
            "heading_level",
            "is 1, but the pages print their own title as a heading one level above: use 2 or "
            "more, or set print_title: false when the layout prints the title",
        )

    for key, allowed in (
        ("levels", ALL_LEVELS),
        ("history_levels", ALL_LEVELS),
        ("profile_fields", PROFILE_FIELDS),
    ):
        if key in raw:
            given = raw[key]
            if not isinstance(given, list) or not all(isinstance(v, str) for v in given):
                fail(key, f"expected a list, e.g. [{', '.join(allowed[:2])}]")
            wrong = [v for v in given if v not in allowed]
            if wrong:
                fail(key, f"unknown value(s) {', '.join(wrong)}; choose from {', '.join(allowed)}")
            if key == "levels" and not given:
                fail(key, "is empty: nothing would be published")
            values[key] = tuple(v for v in allowed if v in given)  # in the registry's order
    return SiteConfig(**values)


def _layout_name(name, key, fail) -> str:
    if not isinstance(name, str) or not _LAYOUT.match(name):
        fail(key, f"{name!r} is not a layout name")
    return name


def _check_layouts(site: Path, jekyll: dict, config: SiteConfig) -> None:
    """A layout the site does not have is refused, unless a theme may provide it."""
    if jekyll.get("theme") or jekyll.get("remote_theme"):
        return
    folder = site / str(jekyll.get("layouts_dir") or "_layouts")
    for kind, name in config.layouts.items():
        if not any((folder / f"{name}{ext}").is_file() for ext in (".html", ".md", ".liquid")):
            raise SiteConfigError(
                f"{config.source}: layouts.{kind}: the site has no layout {name!r} "
                f"(no {folder.name}/{name}.html)"
            )

"""The layers point one way (issue 13, "Layering"): the core knows no domain; the registry
(people, org) imports neither the nominations nor any page views; the mail worker runs the
jobs the domains register instead of importing them; what one app imports from another is a
public name. Read from the source's imports (the AST), so an import hidden inside a function
counts as much as one at the top of a module.

The forbidden lists are written out by hand: they are the design, not a reading of the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "convener"

# app -> the convener apps (or modules) it must never import
FORBIDDEN = {
    "core": [
        "convener.accounts",
        "convener.people",
        "convener.org",
        "convener.mail",
        "convener.nominations",
        "convener.training",
        "convener.review",
        "convener.exchange",
        "convener.api",
        "convener.site",
        "convener.synth",
    ],
    "people": [
        "convener.nominations",
        "convener.training",
        "convener.review",
        "convener.exchange",
        "convener.api",
        "convener.site",
        "convener.synth",
    ],
    "org": [
        "convener.nominations",
        "convener.training",
        "convener.review",
        "convener.exchange",
        "convener.api",
        "convener.site",
        "convener.synth",
    ],
    "mail": [
        "convener.people",
        "convener.org",
        "convener.nominations",
        "convener.training",
        "convener.review",
        "convener.exchange",
        "convener.api",
        "convener.site",
        "convener.synth",
    ],
}


def module_name(path: Path, source: Path = SOURCE) -> str:
    parts = list(path.relative_to(source.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, source: Path = SOURCE) -> list[tuple[int, str]]:
    """Every module ``path`` imports (``from a import b`` counts as ``a`` and ``a.b``)."""
    module = module_name(path, source).split(".")
    package = module if path.name == "__init__.py" else module[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def crossings(app: str, forbidden: list[str], source: Path = SOURCE) -> list[str]:
    """Every import in ``app`` of a forbidden module, and of any app's page views (an app's
    own ``urls.py`` and ``views.py`` excepted)."""
    bad = []
    for path in sorted((source / app).rglob("*.py")):
        for line, target in imports_of(path, source):
            for prefix in forbidden:
                if target == prefix or target.startswith(prefix + "."):
                    bad.append(f"{path.relative_to(source.parent)}:{line} imports {target}")
            tail = target.split(".")
            own = tail[1:2] == [app] and path.name in {"urls.py", "views.py"}
            if tail[0] == "convener" and "views" in tail[2:] and not own:
                bad.append(f"{path.relative_to(source.parent)}:{line} imports {target}")
    return sorted(set(bad))


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_lower_layers_do_not_import_higher_ones(app):
    assert crossings(app, FORBIDDEN[app]) == []


def test_the_check_sees_a_crossing(tmp_path):
    """The walk itself works: an import inside a function, relative or absolute, is found."""
    fake = tmp_path / "convener" / "org"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "hidden.py").write_text(
        "def f():\n    from convener.nominations.models import Call\n    return Call\n"
    )
    (fake / "page.py").write_text("from ..site import views\n")
    (fake / "chart.py").write_text("import convener.people.views\n")
    assert crossings("org", FORBIDDEN["org"], tmp_path / "convener") == [
        "convener/org/chart.py:1 imports convener.people.views",
        "convener/org/hidden.py:2 imports convener.nominations.models",
        "convener/org/hidden.py:2 imports convener.nominations.models.Call",
        "convener/org/page.py:1 imports convener.site",
        "convener/org/page.py:1 imports convener.site.views",
    ]


def test_no_app_imports_another_apps_private_names():
    """A helper that another app needs is public: ``from convener.x.y import _name`` across
    apps is a crossing too (the 400 page was ``site.views._bad_request`` in four apps)."""
    bad = []
    for path in sorted(SOURCE.rglob("*.py")):
        app = path.relative_to(SOURCE).parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                parts = node.module.split(".")
                if parts[0] == "convener" and len(parts) > 1 and parts[1] != app:
                    bad += [
                        f"{path.relative_to(SOURCE.parent)}:{node.lineno} {node.module}.{a.name}"
                        for a in node.names
                        if a.name.startswith("_")
                    ]
    assert bad == []


def test_the_worker_runs_jobs_the_domains_registered():
    """The worker imports no domain (above) and still runs every domain's job: each app
    registers its own in ``ready()``."""
    from convener.mail import jobs

    assert set(jobs.registered()) >= {
        "calls",  # nominations: close due calls, remind nominees
        "term_reminders",  # org
        "training_reminders",  # training
        "reviews_prepared",  # review
        "weekly_digest",  # site
    }

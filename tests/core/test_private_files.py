"""Files that can hold what is not public are their owner's alone (insider finding 8c): the
SQLite database, and the exports (which carry notes and exception justifications), whatever
the umask of the process that writes them."""

import os
import stat

import pytest
from django.core.management import call_command

from tests.factories import PersonFactory
from tests.test_cli import run

pytestmark = pytest.mark.django_db


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def loose_umask():
    """The umask of most accounts: files 0644 and folders 0755 unless told otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_sqlite_database_is_readable_by_its_owner_only(tmp_path):
    database = tmp_path / "convener.sqlite3"
    result = run(
        "shell",
        "-c",
        "from django.db import connection; connection.ensure_connection()",
        env={"CONVENER_DATABASE_URL": f"sqlite:///{database}"},
    )
    assert result.returncode == 0, result.stderr
    assert _mode(database) == 0o600


def test_an_existing_sqlite_database_written_0644_is_tightened_when_opened(tmp_path):
    database = tmp_path / "convener.sqlite3"
    database.touch()
    database.chmod(0o644)
    result = run(
        "shell",
        "-c",
        "from django.db import connection; connection.ensure_connection()",
        env={"CONVENER_DATABASE_URL": f"sqlite:///{database}"},
    )
    assert result.returncode == 0, result.stderr
    assert _mode(database) == 0o600


def test_a_csv_export_is_written_0600_in_a_folder_0700(tmp_path, loose_umask):
    PersonFactory(name="Ada Lovelace")
    out = tmp_path / "export" / "csv"
    call_command("export", "csv", "--out", str(out), verbosity=0)
    assert _mode(out) == 0o700
    files = sorted(out.iterdir())
    assert "people.csv" in [f.name for f in files]
    assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}


def test_an_export_into_an_existing_folder_leaves_the_folder_as_it_was(tmp_path, loose_umask):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    call_command("export", "csv", "--out", str(shared), verbosity=0)
    assert _mode(shared) == 0o755
    assert _mode(shared / "appointments.csv") == 0o600


def test_a_popolo_export_is_written_0600(tmp_path, loose_umask):
    out = tmp_path / "registry.json"
    call_command("export", "popolo", "--out", str(out), verbosity=0)
    assert _mode(out) == 0o600

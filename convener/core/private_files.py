"""Files that can hold what is not public are readable by their owner only.

- The SQLite database (every account, nomination and review) is made 0600 as soon as a
  connection opens it, whatever the umask it was created under; SQLite gives its journal
  and WAL files the database file's mode.
- Exports are written 0600 (``convener.core.backups.write_private``), and a folder an export
  creates is 0700; a folder that already existed is left as it was.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from django.db.backends.signals import connection_created

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def _tighten(path: str | Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if current & 0o077:
        os.chmod(path, mode)


def private_database(sender, connection, **kwargs) -> None:
    """On each new connection: an SQLite database file is its owner's alone."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    _tighten(name, PRIVATE_FILE)


def make_private_dir(path: Path) -> Path:
    """Create the folder ``path`` (and its parents) for private files: a folder created here
    is 0700; one that existed is left as it was."""
    path = Path(path)
    if not path.exists():
        path.mkdir(parents=True, mode=PRIVATE_DIR)
        os.chmod(path, PRIVATE_DIR)  # mkdir's mode is masked by the umask
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by its owner only (0600), replacing it whole: the
    file is created with that mode, never loosened afterwards, and renamed into place."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def install() -> None:
    connection_created.connect(private_database, dispatch_uid="private_files:sqlite")

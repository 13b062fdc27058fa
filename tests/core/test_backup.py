"""Backup and restore: every table comes back as it was; answers stay encrypted."""

import datetime as dt
import gzip
import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from convener.synth.generator import Synthesizer

pytestmark = pytest.mark.django_db(transaction=True)
DERIVED = {
    "django_content_type",
    "auth_permission",
    "auth_group_permissions",
    "django_session",
    "django_migrations",
}


def fingerprint() -> dict[str, tuple[int, str]]:
    tables = [
        t
        for t in connection.introspection.table_names()
        if t not in DERIVED and not t.startswith("axes_")
    ]
    out = {}
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from Django
            rows = sorted(repr(tuple(str(v) for v in row)) for row in cursor.fetchall())
            out[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


@pytest.fixture(autouse=True)
def _consent_text():
    """Transactional tests start from empty tables: put back what migrations would."""
    from convener.review.models import ConsentText

    ConsentText.objects.get_or_create(version=1, defaults={"text": "I consent."})


def test_a_backup_restores_every_table_exactly(tmp_path):
    Synthesizer(150, 8, seed=3, today=dt.date(2026, 6, 30), progress=False).run()
    before = fingerprint()
    assert before["people_person"][0] == 150 and before["review_selfidentification"][0] > 50
    path = tmp_path / "backup.yaml.gz"
    call_command("backup", out=path, verbosity=0)
    with gzip.open(path, "rt") as f:
        text = f.read()
    assert "ciphertext:" in text and "gender:" not in text  # answers stay encrypted
    call_command("flush", interactive=False, verbosity=0)
    assert fingerprint()["people_person"][0] == 0
    call_command("restore", str(path), verbosity=0)
    after = fingerprint()
    changed = {
        t: (before[t][0], after.get(t, (None,))[0]) for t in before if before[t] != after.get(t)
    }
    assert changed == {}


def test_restore_refuses_a_database_that_has_data(tmp_path):
    Synthesizer(60, 3, seed=1, today=dt.date(2026, 6, 30), progress=False).run()
    path = tmp_path / "b.yaml"
    call_command("backup", out=path, verbosity=0)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(path), verbosity=0)

"""Backup and restore: every table comes back as it was; the file is the owner's alone
(0600), encrypted with age, without API tokens; answers stay encrypted (issue 15, item 9)."""

import datetime as dt
import gzip
import hashlib
import os
import stat

import pyrage
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


@pytest.fixture
def age_key(tmp_path, settings):
    """A key pair as `age-keygen` makes it: the public half configured, the private half in a
    file that only the restore is given."""
    identity = pyrage.x25519.Identity.generate()
    settings.BACKUP_RECIPIENTS = [str(identity.to_public())]
    path = tmp_path / "backup-key.txt"
    path.write_text(f"# public key: {identity.to_public()}\n{identity}\n")
    return path


def test_a_backup_restores_every_table_exactly_from_the_encrypted_file(tmp_path, age_key):
    Synthesizer(150, 8, seed=3, today=dt.date(2026, 6, 30), progress=False).run()
    before = fingerprint()
    assert before["people_person"][0] == 150 and before["review_selfidentification"][0] > 50
    from convener.people.models import Person

    some_email = Person.objects.exclude(email="").values_list("email", flat=True).first()
    path = tmp_path / "backup.yaml.gz.age"
    call_command("backup", out=path, verbosity=0)
    raw = path.read_bytes()
    assert raw.startswith(b"age-encryption.org/v1\n")
    assert some_email.encode() not in raw and b"ciphertext" not in raw
    # decrypted with the private key: gzipped YAML, the answers still encrypted inside
    identity = pyrage.x25519.Identity.from_str(age_key.read_text().splitlines()[1])
    text = gzip.decompress(pyrage.decrypt(raw, [identity])).decode()
    assert "ciphertext:" in text and "gender:" not in text and some_email in text
    call_command("flush", interactive=False, verbosity=0)
    assert fingerprint()["people_person"][0] == 0
    call_command("restore", str(path), identity=age_key, verbosity=0)
    after = fingerprint()
    changed = {
        t: (before[t][0], after.get(t, (None,))[0]) for t in before if before[t] != after.get(t)
    }
    assert changed == {}


def test_restore_refuses_a_database_that_has_data(tmp_path):
    Synthesizer(60, 3, seed=1, today=dt.date(2026, 6, 30), progress=False).run()
    path = tmp_path / "b.yaml"
    call_command("backup", out=path, unencrypted=True, verbosity=0)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(path), verbosity=0)


def test_the_backup_is_readable_by_its_owner_only_whatever_the_umask(tmp_path, age_key):
    path = tmp_path / "backup.age"
    path.write_text("an older, world-readable file")
    path.chmod(0o644)
    old = os.umask(0o022)
    try:
        call_command("backup", out=path, verbosity=0)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"age-encryption.org/v1")


def test_api_tokens_are_never_in_a_backup(tmp_path, age_key):
    from rest_framework.authtoken.models import Token

    from tests.factories import UserFactory

    token = Token.objects.create(user=UserFactory(username="mona"))
    path = tmp_path / "backup.age"
    call_command("backup", out=path, verbosity=0)
    identity = pyrage.x25519.Identity.from_str(age_key.read_text().splitlines()[1])
    text = gzip.decompress(pyrage.decrypt(path.read_bytes(), [identity])).decode()
    assert "username: mona" in text and token.key not in text and "authtoken" not in text


def test_without_a_recipient_the_backup_is_refused_unless_asked_in_the_clear(tmp_path):
    with pytest.raises(CommandError, match="CONVENER_BACKUP_RECIPIENTS"):
        call_command("backup", out=tmp_path / "b.yaml.gz", verbosity=0)
    assert not (tmp_path / "b.yaml.gz").exists()
    call_command("backup", out=tmp_path / "b.yaml.gz", unencrypted=True, verbosity=0)
    assert stat.S_IMODE((tmp_path / "b.yaml.gz").stat().st_mode) == 0o600


def test_an_encrypted_backup_needs_the_right_private_key_to_restore(tmp_path, age_key):
    path = tmp_path / "backup.age"
    call_command("backup", out=path, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="--identity"):
        call_command("restore", str(path), verbosity=0)
    stranger = tmp_path / "other-key.txt"
    stranger.write_text(f"{pyrage.x25519.Identity.generate()}\n")
    with pytest.raises(CommandError, match="not encrypted to that key"):
        call_command("restore", str(path), identity=stranger, verbosity=0)

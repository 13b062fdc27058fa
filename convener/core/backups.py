"""Backups that are safe to keep: written with mode 0600, encrypted with age to the public
keys in ``CONVENER_BACKUP_RECIPIENTS`` (the private key that reads them stays off the server,
brought in only to restore), and never holding API tokens or sessions.

What a backup holds: every table of the registry, nominations, training, the review's
settings and accounts (usernames, password hashes, private e-mail addresses, nomination
statements, conflict-of-interest explanations, scores, outgoing mail), and the
self-identification answers still encrypted with ``CONVENER_DEMOGRAPHICS_KEYS`` (which are not
in it: a restore needs the same keys). Left out: API tokens and sessions (recreated after a
restore), sign-in throttling records, content types and permissions (recreated by
migrations)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pyrage
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .private_files import write_private  # noqa: F401 - used as backups.write_private

AGE_MAGIC = b"age-encryption.org/v1"
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes", "authtoken"]


def recipients() -> list:
    """The age public keys backups are encrypted to (``CONVENER_BACKUP_RECIPIENTS``)."""
    keys = []
    for text in settings.BACKUP_RECIPIENTS:
        try:
            keys.append(pyrage.x25519.Recipient.from_str(text))
        except pyrage.RecipientError as error:
            raise ImproperlyConfigured(
                f"CONVENER_BACKUP_RECIPIENTS: {text[:12]}… is not an age public key ({error})"
            ) from None
    return keys


def seal(yaml_text: str, keys: list | None) -> bytes:
    """The snapshot gzipped, then encrypted to ``keys`` (left plain when ``keys`` is None)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as packed:
        packed.write(yaml_text.encode("utf-8"))
    data = buffer.getvalue()
    return pyrage.encrypt(data, keys) if keys is not None else data


def identities(path: Path) -> list:
    """The private keys of an age identity file (as ``age-keygen`` writes it)."""
    keys = []
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line.startswith("AGE-SECRET-KEY-"):
            keys.append(pyrage.x25519.Identity.from_str(line))
    return keys


def unseal(data: bytes, identity_file: Path | None) -> str:
    """The snapshot's YAML from a backup file's bytes (encrypted or not, gzipped or not)."""
    if data.startswith(AGE_MAGIC):
        if identity_file is None:
            raise ValueError("this backup is encrypted: give the private key with --identity FILE")
        keys = identities(identity_file)
        if not keys:
            raise ValueError(f"{identity_file}: no AGE-SECRET-KEY line found")
        try:
            data = pyrage.decrypt(data, keys)
        except pyrage.DecryptError:
            raise ValueError("this backup was not encrypted to that key") from None
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8")

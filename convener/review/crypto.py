"""The keys that encrypt self-identification answers: from the environment (newest first),
or, for the demo and the tests only, from a key file outside the database."""

from __future__ import annotations

import json
import zlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@lru_cache(maxsize=1)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def keys() -> tuple[str, ...]:
    if settings.DEMOGRAPHICS_KEYS:
        return tuple(settings.DEMOGRAPHICS_KEYS)
    path = settings.DEMOGRAPHICS_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return (path.read_text().strip(),)


def encrypt(data: dict) -> str:
    return _fernet(keys()).encrypt(json.dumps(data, sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict:
    try:
        return json.loads(_fernet(keys()).decrypt(token.encode()))
    except InvalidToken:
        raise RuntimeError(
            "Self-identification data cannot be decrypted with the configured "
            "keys (CONVENER_DEMOGRAPHICS_KEYS)"
        ) from None


def rotate(token: str) -> str:
    """Re-encrypt with the newest key."""
    return _fernet(keys()).rotate(token.encode()).decode()


def seal(data) -> str:
    """Encrypt a large JSON-able value (compressed first): snapshots' confidential parts."""
    raw = zlib.compress(json.dumps(data, sort_keys=True).encode(), 6)
    return _fernet(keys()).encrypt(raw).decode()


def unseal(token: str):
    try:
        return json.loads(zlib.decompress(_fernet(keys()).decrypt(token.encode())))
    except InvalidToken:
        raise RuntimeError(
            "A review snapshot cannot be decrypted with the configured keys "
            "(CONVENER_DEMOGRAPHICS_KEYS)"
        ) from None

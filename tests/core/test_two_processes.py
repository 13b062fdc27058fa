"""Beyond one machine: two gunicorn processes on two ports, one PostgreSQL, one Redis. The
application keeps nothing of its own on local disk, so a change made through one process
is seen at once through the other: data, sessions and the cached org chart alike."""

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from rest_framework.authtoken.models import Token

from convener.core.cache import page_key
from convener.core.models import RegistryVersion
from convener.core.roles import Role
from tests.factories import AppointmentFactory, PersonFactory, PositionFactory, UserFactory

REDIS_URL = "redis://127.0.0.1:6379/13"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a shared PostgreSQL"),
    pytest.mark.skipif(not _redis_up(), reason="needs Redis on localhost"),
]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_servers(tmp_path):
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "convener"})
    cache.clear()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CONVENER_")},
        "CONVENER_DATABASE_URL": _database_url(),
        "CONVENER_CACHE_URL": REDIS_URL,
        "CONVENER_DEBUG": "1",
        "CONVENER_VAR_DIR": str(tmp_path),  # each process would have its own disk
    }
    env.pop("PYTEST_VERSION", None)  # the servers run as in production, not as tests
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    servers, urls = [], []
    for _ in range(2):
        port = _free_port()
        servers.append(
            subprocess.Popen(
                [gunicorn, "convener.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            for _ in range(150):
                try:
                    requests.get(url + "/", timeout=10)
                    break
                except requests.RequestException:
                    time.sleep(0.1)
            else:
                raise AssertionError(f"gunicorn did not start at {url}")
        yield urls, cache
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
        cache.clear()


def _holders(html: str) -> str:
    # each name appears in the drawing and in the list beside it: who, not how often
    return " ".join(sorted(set(re.findall(r"Ada Holder|Ben Successor", html))))


def test_a_change_through_one_process_shows_at_once_through_the_other(two_servers, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    (one, two), cache = two_servers
    position = PositionFactory(title="Software coordinator")
    ada = AppointmentFactory(
        position=position, person=PersonFactory(name="Ada Holder"), start=dt.date(2024, 1, 1)
    )
    ben = PersonFactory(name="Ben Successor")
    token = Token.objects.create(user=UserFactory(roles=[Role.MANAGER]))

    # the second process renders the chart and caches it in Redis ...
    assert _holders(requests.get(two + "/org/", timeout=10).text) == "Ada Holder"
    today = dt.date.today()
    key = page_key(RegistryVersion.current(), "/org/")
    body, headers = cache.get(key)
    assert b"Ada Holder" in body
    # ... and the first serves that very entry (marked here to tell it from a fresh render)
    marked = body.replace(b"Ada Holder", b"Ada Holder (from the shared cache)")
    cache.set(key, (marked, headers))
    assert "Ada Holder (from the shared cache)" in requests.get(one + "/org/", timeout=10).text

    # a manager ends Ada's term and appoints Ben, through the first process
    auth = {"Authorization": f"Token {token.key}"}
    ended = requests.patch(
        f"{one}/api/appointments/{ada.pk}/",
        json={"end": f"{today.year - 1}-12", "end_reason": "term_completed"},
        headers=auth,
        timeout=10,
    )
    assert ended.status_code == 200, ended.text
    started = requests.post(
        f"{one}/api/appointments/",
        json={"person": ben.slug, "position": position.slug, "start": f"{today.year}-01"},
        headers=auth,
        timeout=10,
    )
    assert started.status_code == 201, started.text

    # the second process shows it on its very next request: the cache cannot serve stale
    assert _holders(requests.get(two + "/org/", timeout=10).text) == "Ben Successor"
    assert _holders(requests.get(one + "/org/", timeout=10).text) == "Ben Successor"
    api = requests.get(f"{two}/api/appointments/{ada.pk}/", timeout=10).json()
    assert api["end"] == f"{today.year - 1}-12"


def test_a_session_opened_on_one_process_is_valid_on_the_other(two_servers, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    (one, two), _ = two_servers
    user = UserFactory(roles=[Role.MEMBER])
    user.password = PBKDF2PasswordHasher().encode("a long test passphrase", "saltsalt1234")
    user.save()
    browser = requests.Session()
    assert browser.get(two + "/me/self-identification/", timeout=10).url.startswith(
        two + "/accounts/login/"
    )
    browser.get(one + "/accounts/login/", timeout=10)
    signed_in = browser.post(
        one + "/accounts/login/",
        data={
            "username": user.username,
            "password": "a long test passphrase",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Referer": one + "/accounts/login/"},
        timeout=10,
    )
    assert (
        signed_in.status_code == 200
        and f"Signed in as <strong>{user.username}</strong>" in signed_in.text
    )
    page = browser.get(two + "/me/self-identification/", timeout=10)
    assert page.url == two + "/me/self-identification/"
    assert f"Signed in as <strong>{user.username}</strong>" in page.text

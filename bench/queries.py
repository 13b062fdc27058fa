"""SQL queries per page, and the time of one request, in-process with Django's test client
against the bench database and the Redis cache: once with the cache emptied (cold, the
page rendered from the database) and once again (warm).
Also writes the org chart's HTML, exactly as served, where the static server finds it.

A path written ROLE:PATH is loaded signed in: "member" as a member, "officer" as a
diversity officer (both created here, with their session cookies written to OUT.json for
wrk).

Usage (run by bench/run.py with the bench environment): python bench/queries.py OUT.json
STATIC_COPY.html PATH [PATH ...]"""

from __future__ import annotations

import json
import sys
import time

import django


def main() -> None:
    out, static_copy, *paths = sys.argv[1:]
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {"cookies": {}}
    from convener.core import cache as page_cache

    clients = {}
    for role, groups in (("member", ["member"]), ("officer", ["member", "diversity_officer"])):
        user, _ = User.objects.get_or_create(username=f"bench-{role}")
        user.groups.set([Group.objects.get_or_create(name=g)[0] for g in groups])
        clients[role] = Client(HTTP_HOST="127.0.0.1")
        clients[role].force_login(user)
        session = clients[role].cookies[settings.SESSION_COOKIE_NAME].value
        counts["cookies"][role] = f"{settings.SESSION_COOKIE_NAME}={session}"
    for key in paths:
        role, signed_in, path = key.partition(":")
        client = clients[role] if signed_in else Client(HTTP_HOST="127.0.0.1")
        path = path if signed_in else key
        client.get(path)  # code and templates loaded: "cold" means the data, not Python
        cache.clear()
        page_cache.forget_local_pages()
        row = {}
        for label in ("cold", "warm"):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}")
            row[label] = len(queries)
            row[f"{label}_ms"] = round(elapsed * 1000, 1)
        counts[key] = row
        if key == paths[0]:
            with open(static_copy, "wb") as f:
                f.write(response.content)
    with open(out, "w") as f:
        json.dump(counts, f)


if __name__ == "__main__":
    main()

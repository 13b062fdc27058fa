"""The in-process half of the bench, run against the bench database and the Redis cache with
Django's test client:

- creates the demo accounts (one per role, as `convener demo` does) and writes each one's
  session cookie for wrk;
- chooses the pages to load: the public ones, and for each role the pages it uses every day
  (a call the committee reviews, a call the manager manages, an open call to nominate for,
  a past day, a filtered leadership database, API lists with filters...);
- counts the SQL queries of each page, once with the cache emptied (cold, rendered from the
  database) and once again (warm), and times both;
- times the cold render of the org chart (signed in, so never the whole-page cache) and a
  manager's import dry run of 1,000 new people through the upload page;
- writes the org chart's HTML, exactly as served, where the static server finds it.

Usage (run by bench/run.py with the bench environment):
python bench/queries.py OUT.json STATIC_COPY.html IMPORT.csv"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import django

REPEAT = 7  # the timed in-process measures: median and worst of this many


def pages() -> dict[str, tuple[str, str]]:
    """label -> (role, path); role "" is a visitor without cookies."""
    from django.db.models import Count
    from django.utils import timezone

    from convener.nominations.models import Call
    from convener.nominations.services import sits_on
    from convener.org.models import Appointment, OrgUnit, Position
    from convener.people.models import Person
    from convener.review.models import Review

    today = timezone.localdate()
    past = f"{today.year - 10}-06-30"
    position = (
        Position.objects.annotate(n=Count("appointments")).order_by("-n", "pk").values("slug")[0]
    )["slug"]
    person = (
        Appointment.objects.filter(position__slug=position)
        .order_by("-start")
        .values_list("person__slug", flat=True)[0]
    )
    committee = Person.objects.get(user__username="committee")
    manager = Person.objects.filter(user__username="manager").first()
    member = Person.objects.get(user__username="member")
    reviewed = next(
        c
        for c in Call.objects.filter(state=Call.State.REVIEW).order_by("pk")
        if sits_on(committee, c.committee_id)
    )
    managed = next(
        c
        for c in Call.objects.filter(state__in=[Call.State.REVIEW, Call.State.CLOSED])
        .annotate(n=Count("candidacies"))
        .order_by("-n", "pk")
        if not c.has_interest(manager)
    )
    open_call = Call.objects.filter(state=Call.State.OPEN).order_by("pk")[0]
    # the picker's typical query: the first letters of a common family name
    family = (
        Person.objects.exclude(pk=member.pk)
        .values("sort_name")
        .order_by("sort_name")[Person.objects.count() // 2]["sort_name"]
    )
    prefix = family.split(",")[0][:4].lower()
    review = Review.objects.order_by("-pk").values_list("pk", "year")[0]
    area = OrgUnit.objects.filter(level=1).order_by("name").values_list("slug", flat=True)[0]
    unit = Position.objects.filter(slug=position).values_list("unit__slug", flat=True)[0]
    return {
        # as the public sees them: whole from the page cache after the first view
        "org chart": ("", "/org/"),
        "position": ("", f"/positions/{position}/"),
        "person": ("", f"/people/{person}/"),
        "calls": ("", "/calls/"),
        "API people": ("", "/api/people/"),
        "API positions": ("", "/api/positions/"),
        "API appointments": ("", "/api/appointments/"),
        # signed in: rendered for each request
        "home with tasks (manager)": ("manager", "/"),
        "home with tasks (member)": ("member", "/"),
        "org chart, a past day (member)": ("member", f"/org/?on={past}"),
        "position, a past day (member)": ("member", f"/positions/{position}/?on={past}"),
        "nomination form (member)": ("member", f"/calls/{open_call.pk}/nominate/"),
        "person picker search (member)": ("member", f"/search/people.json?q={prefix}"),
        "call review (committee)": ("committee", f"/calls/{reviewed.pk}/review/"),
        "manage a call (manager)": ("manager", f"/calls/{managed.pk}/manage/"),
        "succession (manager)": ("manager", "/succession/"),
        "junior participation (manager)": ("manager", "/succession/junior/"),
        "timeline (manager)": ("manager", "/succession/timeline/"),
        "training (manager)": ("manager", "/training/"),
        "leadership database, filtered (member)": (
            "member",
            f"/leaders/?level=L2&from={today.year - 20}-01-01&unit={area}",
        ),
        "published review (member)": ("member", f"/review/published/{review[1]}/"),
        "officer's review (diversity officer)": ("officer", f"/review/{review[0]}/"),
        "API people, by name (member)": ("member", f"/api/people/?name={prefix}"),
        "API positions, of a day (member)": ("member", f"/api/positions/?on={past}&level=L3"),
        "API appointments, of a unit (member)": ("member", f"/api/appointments/?unit={unit}"),
        "API appointments, of a day (member)": ("member", f"/api/appointments/?on={past}"),
    }


def main() -> None:
    out, static_copy, import_csv = sys.argv[1:]
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from convener.core import cache as page_cache
    from convener.synth.demo import create_demo_accounts

    create_demo_accounts()
    result = {"cookies": {}, "pages": {}}
    clients = {"": Client(HTTP_HOST="127.0.0.1")}
    for role in ("member", "manager", "officer", "committee"):
        clients[role] = Client(HTTP_HOST="127.0.0.1")
        clients[role].force_login(User.objects.get(username=role))
        session = clients[role].cookies[settings.SESSION_COOKIE_NAME].value
        result["cookies"][role] = f"{settings.SESSION_COOKIE_NAME}={session}"

    def cold():
        cache.clear()
        page_cache.forget_local_pages()

    for label, (role, path) in pages().items():
        client = clients[role]
        client.get(path)  # code and templates loaded: "cold" means the data, not Python
        cold()
        row = {"role": role, "path": path}
        for state in ("cold", "warm"):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"{label} {path}: HTTP {response.status_code}")
            row[state] = len(queries)
            row[f"{state}_ms"] = round(elapsed * 1000, 1)
        result["pages"][label] = row
        if path == "/org/" and not role:
            with open(static_copy, "wb") as f:
                f.write(response.content)

    # the org chart drawn from the database, as after every change to the registry: signed
    # in, so that the whole-page cache of the public is not what is timed
    times = []
    for _ in range(REPEAT):
        cold()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            assert clients["member"].get("/org/").status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    result["cold org chart"] = {
        "path": "/org/",
        "role": "member",
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "queries": len(queries),
    }

    # a manager's dry run of 1,000 rows through the upload page (checked, nothing written)
    content = Path(import_csv).read_bytes()
    times = []
    for _ in range(REPEAT):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("people.csv", content, content_type="text/csv")
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = clients["manager"].post("/import/", {"file": upload, "dry_run": "on"})
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"import dry run: HTTP {response.status_code}\n{response.content}")
    result["import dry run"] = {
        "path": "/import/",
        "role": "manager",
        "rows": content.count(b"\n") - 1,
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "queries": len(queries),
    }
    with open(out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()

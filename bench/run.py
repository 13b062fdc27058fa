"""`make bench`: the production stack measured on loopback. For each scale in BENCH_SCALES
(default 6000,60000 synthetic people, 30 years of history):

- time and peak memory of synth, preparing the annual review (officer and published tables,
  checked against the earlier published snapshot), export popolo, publish jekyll, export csv
  and the import of that export into an empty database;
- gunicorn (DEBUG off, WhiteNoise) against PostgreSQL with the Redis cache, loaded by wrk
  from a second process: throughput and p50/p95/p99 of the main pages and API lists;
- SQL queries per page, cold (cache emptied) and warm;
- the published and the officer's review pages, signed in, served from the stored snapshot;
- the very same org chart HTML served as a static file by the same stack, and the ratio
  of dynamic to static throughput.

Writes bench/results.json and the tables in bench/README.md. A benchmark, not a test:
nothing here passes or fails. Needs PostgreSQL and Redis on localhost (BENCH_PG_URL,
BENCH_REDIS_URL) and wrk (the Makefile installs it)."""

from __future__ import annotations

import csv
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
import redis
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
# BENCH_STEPS=0 skips timing the exports, the publication and the full import (pages only)
STEPS = os.environ.get("BENCH_STEPS", "1") != "0"
WORKERS, WRK_THREADS, CONNECTIONS, ROUNDS = 2, 1, 8, 3
IMPORT_ROWS = 1000
STATIC_PATH = "/static/bench/org-chart.html"


def pg_url(name: str) -> str:
    return PG.rsplit("/", 1)[0] + "/" + name


def recreate(name: str, template: str | None = None) -> str:
    with psycopg.connect(PG, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return pg_url(name)


def drop(name: str) -> None:
    with psycopg.connect(PG, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: list[str], env: dict, work: Path) -> dict:
    """Run a convener command; its wall time and its own peak resident memory."""
    log = work / "command.log"
    started = time.perf_counter()
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [str(BIN / "convener"), *args], env=env, stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode:
        raise RuntimeError(f"convener {' '.join(args)} failed:\n{log.read_text()[-3000:]}")
    return {"seconds": round(seconds, 1), "peak_mib": round(usage.ru_maxrss / 1024)}


def quiet(args: list[str], env: dict) -> None:
    result = subprocess.run([str(BIN / "convener"), *args], env=env, capture_output=True)
    if result.returncode:
        raise RuntimeError(f"convener {' '.join(args)} failed:\n{result.stderr.decode()[-3000:]}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(url: str, seconds: int = SECONDS, cookie: str | None = None) -> dict:
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        [
            "wrk",
            f"-t{WRK_THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            *headers,
            "-s",
            str(ROOT / "bench" / "wrk_report.lua"),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    report = json.loads(re.search(r"^BENCH (.*)$", out, re.M).group(1))
    report["rps"] = round(report["requests"] / report["seconds"], 1)
    return report


def serve(env: dict, port: int) -> subprocess.Popen:
    """`convener serve`, the production command: gunicorn, sync workers, one per core."""
    server = subprocess.Popen(
        [
            str(BIN / "convener"),
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--threads",
            "1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 300  # a loaded machine boots gunicorn slowly
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60)  # noqa: S310
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def scale(people: int, work: Path) -> dict:
    # the process id keeps two engineers' benches on one server out of each other's way
    name = f"convener_bench_{people}_{os.getpid()}"
    var = work / f"var-{people}"
    var.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CONVENER_")},
        "CONVENER_DATABASE_URL": pg_url(name),
        "CONVENER_CACHE_URL": REDIS,
        "CONVENER_VAR_DIR": str(var),
        "CONVENER_SECRET_KEY": Fernet.generate_key().decode() * 2,
        "CONVENER_DEMOGRAPHICS_KEYS": Fernet.generate_key().decode(),
        "CONVENER_DEBUG": "0",
        "CONVENER_SECURE": "0",  # plain HTTP on loopback; TLS belongs to the reverse proxy
        "CONVENER_ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONWARNINGS": "ignore",
    }
    redis.Redis.from_url(REDIS).flushdb()
    steps = {}
    # migrated and collected once per run (minutes on a loaded machine), copied per scale
    migrated = f"convener_bench_migrated_{os.getpid()}"
    if not (work / "static").exists():
        quiet(["migrate", "-v0"], {**env, "CONVENER_DATABASE_URL": recreate(migrated)})
        quiet(["collectstatic", "--noinput", "-v0"], env)
        shutil.copytree(var / "static", work / "static")
    else:
        shutil.copytree(work / "static", var / "static")
    env["CONVENER_DATABASE_URL"] = recreate(name, template=migrated)
    print("  synth", flush=True)
    steps["synth"] = run(["synth", "--people", str(people), "--years", "30", "-v0"], env, work)
    print("  review", flush=True)
    year = time.localtime().tm_year - 1
    # the year before is published first, so that the year measured is checked against a
    # stored snapshot, as every review after the first is
    quiet(["review", "prepare", "--year", str(year - 1)], env)
    quiet(["review", "publish", "--id", "1"], env)
    steps["prepare the annual review (officer + published)"] = run(
        ["review", "prepare", "--year", str(year)], env, work
    )
    quiet(["review", "publish", "--id", "2"], env)
    # a correction of that published year: checked against both published years and against
    # the version it replaces, so it is the heaviest preparation an officer can ask for
    steps["prepare a correction of that year (a new version, with a reason)"] = run(
        ["review", "prepare", "--year", str(year), "--reason", "bench: a correction"], env, work
    )
    quiet(["review", "publish", "--id", "3"], env)
    if STEPS:
        print("  export popolo", flush=True)
        steps["export popolo"] = run(["export", "popolo", "--out", str(work / "p.json")], env, work)
        print("  publish jekyll", flush=True)
        site = work / f"site-{people}"
        site.mkdir()
        (site / "_config.yml").write_text("title: bench\n")
        steps["publish jekyll"] = run(["publish", "jekyll", "--site", str(site)], env, work)
    print("  export csv + import", flush=True)
    steps["export csv"] = run(["export", "csv", "--out", str(work / f"csv-{people}")], env, work)
    if STEPS:
        env2 = {**env, "CONVENER_DATABASE_URL": recreate(name + "_import", template=migrated)}
        steps["import csv (that export)"] = run(["import", str(work / f"csv-{people}")], env2, work)
        drop(name + "_import")

    print("  pages", flush=True)
    # a manager's dry run: 1,000 new people, checked (and their names against everyone's for
    # likely duplicates), nothing written; names mixed from the registry's own
    with open(work / f"csv-{people}" / "people.csv", newline="") as f:
        names = [row["name"].split(" ", 1) for row in csv.DictReader(f)][: IMPORT_ROWS + 1]
    import_file = work / f"import-{people}.csv"
    with open(import_file, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "name"])
        for i in range(IMPORT_ROWS):
            out.writerow([f"bench-new-{i}", f"{names[i][0]} {names[i + 1][-1]}"])
    static_file = var / "static" / "bench" / "org-chart.html"
    static_file.parent.mkdir(parents=True, exist_ok=True)
    counts_file = work / "queries.json"
    result = subprocess.run(
        [str(BIN / "python"), str(ROOT / "bench" / "queries.py")]
        + [str(counts_file), str(static_file), str(import_file)],
        env={**env, "DJANGO_SETTINGS_MODULE": "convener.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"counting queries failed:\n{result.stderr[-3000:]}")
    counts = json.loads(counts_file.read_text())
    cookies = counts["cookies"]
    pages = {}
    load = [round(os.getloadavg()[0], 1)]
    port = free_port()
    server = serve(env, port)  # started after the static copy exists: WhiteNoise indexes once
    base = f"http://127.0.0.1:{port}"
    try:
        for label, row in counts["pages"].items():
            cookie = cookies.get(row["role"])
            wrk(base + row["path"], seconds=2, cookie=cookie)  # every worker warm
            pages[label] = {
                "path": row["path"],
                "role": row["role"],
                **wrk(base + row["path"], cookie=cookie),
                "queries_cold": row["cold"],
                "queries_warm": row["warm"],
                "cold_ms": row["cold_ms"],
                "warm_ms": row["warm_ms"],
            }
        # dynamic against static: alternating rounds, medians, so that a noisy neighbour
        # on a shared machine weighs on both sides alike
        wrk(base + STATIC_PATH, seconds=2)
        rounds = {"dynamic": [], "static": []}
        for _ in range(ROUNDS):
            rounds["dynamic"].append(wrk(base + "/org/"))
            rounds["static"].append(wrk(base + STATIC_PATH))
        median = {k: sorted(v, key=lambda r: r["rps"])[ROUNDS // 2] for k, v in rounds.items()}
        pages["org chart"].update(median["dynamic"])
        static = {"path": STATIC_PATH, **median["static"]}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    load.append(round(os.getloadavg()[0], 1))
    drop(name)
    return {
        "steps": steps,
        "pages": pages,
        "static org chart": static,
        "dynamic/static": round(pages["org chart"]["rps"] / static["rps"], 2),
        "dynamic/static rounds": [
            round(d["rps"] / s["rps"], 2)
            for d, s in zip(rounds["dynamic"], rounds["static"], strict=True)
        ],
        "org chart bytes": static_file.stat().st_size,
        "load average": load,
        "cold org chart": counts["cold org chart"],
        "import dry run": counts["import dry run"],
    }


def goal(label: str, row: dict) -> tuple[str, bool | None]:
    """The issue's goal for a page at 60,000 people, and whether this row meets it."""
    if not row["role"]:
        return "", None  # the public's pages, whole from the cache: no goal of their own
    if "review" in label and "call review" not in label:
        return "p95 ≤ 50", row["p95"] <= 50
    if "picker" in label:
        return "p95 ≤ 20", row["p95"] <= 20
    if label.startswith("API"):
        return "≥ 1,000 req/s", row["rps"] >= 1000
    return "p95 ≤ 100", row["p95"] <= 100


INTRO = (
    "Regenerate with `make bench` (`BENCH_SCALES=6000 make bench` for the small scale "
    "only; `BENCH_STEPS=0` skips timing the exports and the full import). Numbers are from "
    "one run on a shared two-core machine: compare orders of magnitude, not digits. "
    "Visitors without cookies get the registry's public pages whole from the cache after "
    "their first view. Signed-in pages are loaded with the session cookie of the demo "
    "account of each role (`member`, `manager`, `committee`, `officer`, made as `convener "
    "demo` makes them), so each request runs the view. SQL queries are counted in-process, "
    "cold (cache emptied) and warm, and the same two requests are timed in-process "
    "(*in-process ms*). The review pages are served from the snapshot stored when the review "
    "was prepared and published. Preparing a review is measured for the latest full year, "
    "after the year before was published, so that it is checked against a stored snapshot "
    "(goal: 30 s or less and 1 GiB or less at 60,000 people). Goals (issue 18, at 60,000 "
    "people, signed in): p95 ≤ 100 ms for every page, ≤ 50 ms for the review pages, ≤ 20 ms "
    "for the person picker's search, ≥ 1,000 req/s for the API lists of 100 rows, ≤ 60 ms "
    "for the cold render of the org chart."
)
NOTES_MARK = "<!-- notes: kept as written by bench/run.py -->"


def table(out: dict) -> list[str]:
    lines = ["# Benchmarks", "", f"`make bench` on {out['date']}: {out['machine']}. {out['stack']}"]
    lines += ["", INTRO, ""]
    for people, res in out["scales"].items():
        lines += [
            f"## {int(people):,} synthetic people, 30 years",
            "",
            "| step | seconds | peak MiB |",
            "| --- | ---: | ---: |",
        ]
        lines += [f"| {k} | {v['seconds']} | {v['peak_mib']} |" for k, v in res["steps"].items()]
        lines += [
            "",
            f"| page (wrk, {CONNECTIONS} connections, {SECONDS} s) | req/s | p50 ms | p95 ms "
            "| p99 ms | goal | SQL queries cold / warm | in-process ms cold / warm | errors |",
            "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
        ]
        for label, r in res["pages"].items():
            text, met = goal(label, r)
            mark = "" if met is None else (" ✓" if met else " ✗")
            lines.append(
                f"| {label} `{r['path']}` | {r['rps']} | {r['p50']} | {r['p95']} | {r['p99']} "
                f"| {text}{mark} | {r['queries_cold']} / {r['queries_warm']} "
                f"| {r['cold_ms']} / {r['warm_ms']} | {r['non_2xx'] + r['socket_errors']} |"
            )
        s = res["static org chart"]
        lines += [
            f"| the same org chart HTML as a static file | {s['rps']} | {s['p50']} "
            f"| {s['p95']} | {s['p99']} | | 0 | | {s['non_2xx'] + s['socket_errors']} |",
            "",
            f"Org chart, dynamic / static throughput: **{res['dynamic/static']}** "
            f"(median of {ROUNDS} alternating rounds: "
            f"{', '.join(map(str, res['dynamic/static rounds']))}; "
            f"{res['org chart bytes']:,} bytes of HTML). Load average of the machine (2 cores) "
            f"when the pages began and ended: {' and '.join(map(str, res['load average']))}.",
            "",
            "| in-process, signed in | median ms | worst ms | SQL queries |",
            "| --- | ---: | ---: | ---: |",
        ]
        c, i = res["cold org chart"], res["import dry run"]
        lines += [
            f"| cold render of the org chart `{c['path']}` (after a change; goal ≤ 60 ms) "
            f"| {c['median_ms']} | {c['max_ms']} | {c['queries']} |",
            f"| import dry run of {i['rows']:,} new people `{i['path']}` (manager) "
            f"| {i['median_ms']} | {i['max_ms']} | {i['queries']} |",
            "",
        ]
    scales = list(out["scales"])
    if len(scales) == 2:
        small, large = (out["scales"][k] for k in scales)
        lines += [
            f"## From {int(scales[0]):,} to {int(scales[1]):,} people",
            "",
            "Ratio of the larger scale's number to the smaller's, per page (1.0: no growth).",
            "",
            "| page | p95 | in-process cold | in-process warm | SQL queries warm |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]

        def ratio(a, b):
            return f"{b / a:.1f}" if a else ""

        for label, r in large["pages"].items():
            if label in small["pages"]:
                r0 = small["pages"][label]
                lines.append(
                    f"| {label} | {ratio(r0['p95'], r['p95'])} "
                    f"| {ratio(r0['cold_ms'], r['cold_ms'])} "
                    f"| {ratio(r0['warm_ms'], r['warm_ms'])} "
                    f"| {ratio(r0['queries_warm'], r['queries_warm'])} |"
                )
        c0, c1 = small["cold org chart"], large["cold org chart"]
        i0, i1 = small["import dry run"], large["import dry run"]
        lines += [
            f"| cold render of the org chart | | {ratio(c0['median_ms'], c1['median_ms'])} | | |",
            f"| import dry run | | {ratio(i0['median_ms'], i1['median_ms'])} | | |",
            "",
        ]
    return lines


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 1
    scales = [int(x) for x in os.environ.get("BENCH_SCALES", "6000,60000").split(",")]
    try:
        with psycopg.connect(PG, connect_timeout=5) as con:
            pg_version = con.execute("show server_version").fetchone()[0]
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL is not reachable at {PG} (BENCH_PG_URL): {exc}", file=sys.stderr)
        return 1
    try:
        redis_version = redis.Redis.from_url(REDIS, socket_timeout=5).info()["redis_version"]
    except redis.RedisError as exc:
        print(f"Redis is not reachable at {REDIS} (BENCH_REDIS_URL): {exc}", file=sys.stderr)
        return 1
    out = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}",
        "stack": f"`convener serve` (gunicorn, {WORKERS} sync workers, DEBUG off) on loopback, "
        f"PostgreSQL {pg_version.split()[0]}, Redis {redis_version} cache; load from wrk "
        f"({WRK_THREADS} thread, {CONNECTIONS} connections, {SECONDS} s per page) in a "
        "second process on the same machine.",
        "scales": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for people in scales:
                print(f"scale {people}...", flush=True)
                out["scales"][str(people)] = scale(people, Path(tmp))
                # each scale written as it completes: a failure at the larger scale keeps
                # the smaller one's results
                write(out)
        finally:
            drop(f"convener_bench_migrated_{os.getpid()}")
    print("\n".join(table(out)))
    return 0


def write(out: dict) -> None:
    (ROOT / "bench" / "results.json").write_text(json.dumps(out, indent=1) + "\n")
    lines = table(out)
    readme = ROOT / "bench" / "README.md"
    old = readme.read_text() if readme.exists() else ""
    notes = old[old.index(NOTES_MARK) :] if NOTES_MARK in old else NOTES_MARK + "\n"
    readme.write_text("\n".join(lines) + "\n" + notes)


if __name__ == "__main__":
    sys.exit(main())

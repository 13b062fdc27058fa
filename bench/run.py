"""`make bench`: time and peak memory of the long commands, and page throughput, at the
scales in BENCH_SCALES (default 6000). Writes bench/results.json and the table in
bench/README.md. A benchmark, not a test: nothing here passes or fails."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PAGES = {
    "org chart": "/org/",
    "position": None,
    "person": None,
    "calls": "/calls/",
    "API appointments": "/api/appointments/?on=2020-01-01",
    "API positions": "/api/positions/",
}


def run(args, env, measure=True) -> dict:
    """Run a convener command; its wall time and peak resident memory."""
    cmd = (
        ["/usr/bin/time", "-v", str(BIN / "convener"), *args]
        if measure
        else [str(BIN / "convener"), *args]
    )
    started = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode:
        raise RuntimeError(f"{args}: {result.stderr[-2000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    return {
        "seconds": round(seconds, 1),
        "peak_mib": round(int(peak.group(1)) / 1024) if peak else None,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(url: str, seconds: int = 8) -> dict | None:
    if not shutil.which("wrk"):
        return None
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", url], capture_output=True, text=True
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    lat = dict(re.findall(r"\s+(50|90|99)%\s+([\d.]+\w+)", out))
    return {
        "rps": float(rps.group(1)) if rps else None,
        "p50": lat.get("50"),
        "p90": lat.get("90"),
        "p99": lat.get("99"),
    }


def scale(people: int, work: Path) -> dict:
    db = work / f"bench-{people}.sqlite3"
    env = {
        **os.environ,
        "CONVENER_DEBUG": "1",
        "CONVENER_DATABASE_URL": f"sqlite:///{db}",
        "PYTHONWARNINGS": "ignore",
    }
    env.pop("CONVENER_TEST_DATABASE_URL", None)
    results = {}
    run(["migrate", "-v0"], env, measure=False)
    results["synth"] = run(["synth", "--people", str(people), "--years", "30", "-v0"], env)
    this_year = time.localtime().tm_year
    results["review (published)"] = run(
        [
            "review",
            "--year",
            str(this_year - 1),
            "--audience",
            "published",
            "--format",
            "csv",
            "--out",
            str(work / "review.csv"),
        ],
        env,
    )
    results["export popolo"] = run(["export", "popolo", "--out", str(work / "p.json")], env)
    site = work / "site"
    site.mkdir(exist_ok=True)
    (site / "_config.yml").write_text("title: bench\n")
    results["publish jekyll"] = run(["publish", "jekyll", "--site", str(site)], env)
    results["export csv"] = run(["export", "csv", "--out", str(work / "csv")], env)
    empty = work / f"import-{people}.sqlite3"
    env2 = {**env, "CONVENER_DATABASE_URL": f"sqlite:///{empty}"}
    run(["migrate", "-v0"], env2, measure=False)
    results["import csv (the export)"] = run(["import", str(work / "csv"), "-v0"], env2)
    pages = {}
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "convener.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        time.sleep(4)
        import sqlite3

        con = sqlite3.connect(db)
        pos = con.execute("select slug from org_position order by id limit 1").fetchone()[0]
        per = con.execute(
            "select p.slug from people_person p join org_appointment a on "
            "a.person_id=p.id order by p.id limit 1"
        ).fetchone()[0]
        con.close()
        for name, path in PAGES.items():
            path = path or (f"/positions/{pos}/" if name == "position" else f"/people/{per}/")
            pages[name] = wrk(f"http://127.0.0.1:{port}{path}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    results["pages"] = pages
    return results


def main():
    scales = [int(x) for x in os.environ.get("BENCH_SCALES", "6000").split(",")]
    out = {
        "machine": f"{os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
        "database": "SQLite (embedded default)",
        "scales": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        for people in scales:
            print(f"scale {people}...", flush=True)
            out["scales"][str(people)] = scale(people, Path(tmp))
    (ROOT / "bench" / "results.json").write_text(json.dumps(out, indent=1))
    lines = [
        "# Benchmarks",
        "",
        f"`make bench` on {out['date']}, {out['machine']}, "
        f"{out['database']}. Regenerate with `make bench` "
        "(`BENCH_SCALES=6000,60000 make bench` for both scales).",
        "",
    ]
    for people, res in out["scales"].items():
        lines += [
            f"## {people} synthetic people, 30 years",
            "",
            "| step | seconds | peak MiB |",
            "| --- | --- | --- |",
        ]
        lines += [
            f"| {k} | {v['seconds']} | {v['peak_mib']} |" for k, v in res.items() if k != "pages"
        ]
        lines += [
            "",
            "| page (wrk, 2 threads, 8 connections) | req/s | p50 | p90 | p99 |",
            "| --- | --- | --- | --- | --- |",
        ]
        for name, r in res["pages"].items():
            if r:
                lines.append(f"| {name} | {r['rps']} | {r['p50']} | {r['p90']} | {r['p99']} |")
            else:
                lines.append(f"| {name} | (wrk not installed) | | | |")
        lines.append("")
    (ROOT / "bench" / "README.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())

"""`make screenshots`: the README's pictures, taken in Debian's Chromium from the demo.

Builds the demo (6000 synthetic people, 30 years) in a temporary folder, serves it with
gunicorn on a free loopback port, signs in with the demo accounts where a page needs it,
and writes one PNG per main page into docs/screenshots/."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CONVENER = ROOT / ".venv" / "bin" / "convener"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as var:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CONVENER_")},
            "CONVENER_DEBUG": "1",
            "CONVENER_VAR_DIR": var,
        }
        subprocess.run([CONVENER, "demo", "--no-serve"], env=env, check=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [CONVENER, "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/", timeout=5)  # noqa: S310 - loopback
                    break
                except OSError:
                    time.sleep(0.2)
            shoot(base)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    return 0


def shoot(base: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])

        def session(username: str | None):
            context = browser.new_context(viewport={"width": 1280, "height": 860})
            page = context.new_page()
            if username:
                page.goto(base + "/accounts/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", f"{username}-demo")
                with page.expect_navigation():
                    page.click("main button[type=submit]")
            return page

        def snap(page, path: str, name: str) -> None:
            page.goto(base + path)
            page.screenshot(path=str(OUT / f"{name}.png"))
            print(f"{name}: {path}", flush=True)

        public = session(None)
        snap(public, "/org/", "org-chart")
        links = public.locator("main a[href^='/positions/']")
        hrefs = [links.nth(i).get_attribute("href") for i in range(min(links.count(), 30))]
        for position in hrefs:  # a position that is held today, with some history
            public.goto(base + position)
            if "vacant" not in public.locator("#current-h + *").inner_text():
                break
        snap(public, position, "position")
        person = public.locator("main a[href^='/people/']").first.get_attribute("href")
        snap(public, person, "person")
        snap(public, "/calls/", "calls")

        member = session("member")
        member.goto(base + "/calls/")
        call = member.locator("main ul.calls a").first.get_attribute("href")  # an open call
        pk = re.search(r"/calls/(\d+)/", call).group(1)
        snap(member, f"/calls/{pk}/nominate/", "nomination-form")
        snap(session("manager"), "/succession/", "succession")
        officer = session("officer")
        officer.goto(base + "/review/")
        edition = officer.locator("main table a[href^='/review/']").first.get_attribute("href")
        snap(officer, edition, "review")
        browser.close()


if __name__ == "__main__":
    sys.exit(main())

"""`make screenshots`: the README's pictures, taken in Debian's Chromium from the demo.

Builds the demo (6000 synthetic people, 30 years) in a temporary folder, serves it with
gunicorn on a free loopback port, signs in with the demo accounts where a page needs it,
and writes one PNG per main page into docs/screenshots/: at 1280 px, and at 390 px (a
phone) for the pages people open on the move (`*-phone.png`)."""

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


DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def shoot(base: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])

        def session(username: str | None, viewport=DESKTOP):
            context = browser.new_context(viewport=viewport, device_scale_factor=1)
            page = context.new_page()
            page.set_default_navigation_timeout(300_000)  # the review computes for a while
            if username:
                page.goto(base + "/accounts/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", f"{username}-demo")
                with page.expect_navigation():
                    page.click("main button[type=submit]")
            return page

        def snap(page, path: str | None, name: str, full_page: bool = False) -> None:
            if path is not None:
                page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=full_page)
            print(f"{name}: {path or page.url}", flush=True)

        public = session(None)
        snap(public, "/org/", "org-chart")
        phone = session(None, PHONE)
        snap(phone, "/org/", "org-chart-phone")
        public.goto(base + "/org/")
        links = public.locator("#org-list a[href^='/positions/']")
        hrefs = [links.nth(i).get_attribute("href") for i in range(min(links.count(), 30))]
        for position in hrefs:  # a position that is held today, with some history
            public.goto(base + position)
            if "vacant" not in public.locator("#current-h + *").inner_text():
                break
        snap(public, position, "position")
        person = public.locator("main a[href^='/people/']").first.get_attribute("href")
        snap(public, person, "person")
        snap(public, "/calls/", "calls")

        manager = session("manager")
        snap(manager, "/", "tasks")
        snap(manager, "/succession/", "succession")
        snap(manager, "/training/", "training")
        snap(session("manager", PHONE), "/succession/", "succession-phone")
        member_phone = session("member", PHONE)
        snap(member_phone, "/", "tasks-phone")

        member = session("member")
        member.goto(base + "/calls/")
        call = member.locator("main ul.calls a").first.get_attribute("href")  # an open call
        pk = re.search(r"/calls/(\d+)/", call).group(1)
        member.goto(f"{base}/calls/{pk}/nominate/")
        member.click("#id_nominee")  # the person picker, showing its matches
        member.keyboard.type("garc")
        member.locator(".autocomplete__option .picker-detail").first.wait_for()
        snap(member, None, "nomination-form")
        officer = session("officer")
        officer.goto(base + "/review/")
        edition = officer.locator("main table a[href^='/review/']").first.get_attribute("href")
        snap(officer, edition, "review")
        browser.close()


if __name__ == "__main__":
    sys.exit(main())

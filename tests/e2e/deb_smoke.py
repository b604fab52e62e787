#!/usr/bin/env python3
"""Smoke test of the installed package: the program `dpkg -i` put in /usr/bin, started in a real WebKitGTK
window (through tauri-driver, like run_e2e.py) in 研修モード, must reach the sign-in screen, find the print
assets the package installed, and sign in as the training clerk. Figures printed (not asserted): start to
the sign-in screen and the idle memory after sign-in (VmRSS of the app, and of the app plus its WebKit
processes), which the README quotes.

Run by scripts/test-deb.sh under xvfb-run and dbus-run-session in a session keyring of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_e2e import CLERK, CLERK_PASSWORD, EXPECTED_TITLE, app_pid, vm_rss_kib  # noqa: E402
from webdriver import (  # noqa: E402
    KEY_ENTER,
    E2EFailure,
    WebDriver,
    check,
    close_all,
    find_tauri_driver,
    log,
    wait_for_port,
)

# Seconds the signed-in window is left alone before its memory is read (the counter's idle state).
IDLE_SECONDS = float(os.environ.get("DEB_SMOKE_IDLE_SECONDS", "20"))


def tree_rss_kib(root: int) -> int:
    """VmRSS of `root` and every descendant (the app's WebKit web and network processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += vm_rss_kib(pid) or 0
        todo.extend(children.get(pid, []))
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", type=Path, default=Path("/usr/bin/madoguchi"))
    parser.add_argument("--artifacts", type=Path, required=True)
    parser.add_argument("--port", type=int, default=4454)
    args = parser.parse_args()
    shots = args.artifacts.resolve()
    shots.mkdir(parents=True, exist_ok=True)

    def interrupted(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)

    figures: dict[str, float] = {}
    data_dir = Path(tempfile.mkdtemp(prefix="madoguchi-deb-"))
    # No MADOGUCHI_ASSETS_DIR: the installed program must find the package's own assets.
    env = {k: v for k, v in os.environ.items() if k != "MADOGUCHI_ASSETS_DIR"}
    env["MADOGUCHI_DATA_DIR"] = str(data_dir)
    driver_log = (shots / "tauri-driver.log").open("wb")
    process = subprocess.Popen(
        [str(find_tauri_driver()), "--port", str(args.port), "--native-port", str(args.port + 1)],
        stdout=driver_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=env,
    )
    client = WebDriver(f"http://127.0.0.1:{args.port}")
    try:
        wait_for_port(args.port, process)
        requested = time.monotonic()
        client.new_session(args.app)
        client.must("#staff-id", "the sign-in screen of the installed program", timeout=60)
        figures["start_to_sign_in_ms"] = round((time.monotonic() - requested) * 1000)
        check(client.title() == EXPECTED_TITLE, f"window title is 「{EXPECTED_TITLE}」")
        banner = client.must(".training-banner", "the 研修モード banner")
        check("研修モード" in client.text(banner), "the installed program starts in 研修モード")
        client.screenshot(shots / "deb-01-sign-in.png")
        client.type_into("#staff-id", CLERK)
        client.type_into("#password", CLERK_PASSWORD)
        client.press(KEY_ENTER)
        client.must("#tab-notification", "the counter screens after sign-in", timeout=30)
        # The print assets came with the package: a start-up failure would show the error screen instead.
        check(client.find(".startup-error") is None, "no start-up error (print assets found)")
        client.screenshot(shots / "deb-02-signed-in.png")
        time.sleep(IDLE_SECONDS)
        pid = app_pid(args.app.resolve())
        check(pid is not None, "the installed program's process is found")
        assert pid is not None
        figures["idle_rss_mib_app"] = round((vm_rss_kib(pid) or 0) / 1024, 1)
        figures["idle_rss_mib_with_webkit"] = round(tree_rss_kib(pid) / 1024, 1)
        log(f"FIGURES {json.dumps(figures, ensure_ascii=False)}")
        log("PASS")
        return 0
    except E2EFailure as failure:
        log(f"FAIL: {failure}")
        try:
            client.screenshot(shots / "deb-failure.png")
        except Exception as shot_error:
            log(f"could not take a failure screenshot: {shot_error}")
        return 1
    finally:
        close_all(client, process, driver_log, data_dir)


if __name__ == "__main__":
    sys.exit(main())

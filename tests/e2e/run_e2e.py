#!/usr/bin/env python3
"""End-to-end test of the Madoguchi window: the real app binary in a real WebKitGTK window, driven over the
W3C WebDriver protocol through tauri-driver (which starts WebKitWebDriver, which starts the app).

Run it under an X server, e.g. from the repository root:
    xvfb-run -a -s "-screen 0 1600x1000x24" dbus-run-session -- python3 tests/e2e/run_e2e.py
(`scripts/test-e2e.sh` builds the UI and the app first and does exactly that.)

Checks: window title, 研修モード banner, the bundled BIZ UD font really loaded, the CSP blocks inline script,
the ACL lets the webview call app_info but no core plugin command,
keyboard-only sign-in form (cursor in 職員ID, Enter submits, Japanese validation message, Tab reaches the
button with a visible focus ring). Screenshots go to artifacts/e2e/*.png.

Hand-rolled client on purpose: the W3C protocol is a handful of JSON-over-HTTP calls, and the Python standard
library needs no browser download or npm/pip install (the registry-only network forbids driver downloads).
Exit status is non-zero on any failure; tauri-driver, WebKitWebDriver and the app are always stopped.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, TypeVar

REPO = Path(__file__).resolve().parents[2]
TAURI_DRIVER_VERSION = "2.1.0"
EXPECTED_TITLE = "Madoguchi 窓口端末"
FONT_FAMILY = "Madoguchi UD Gothic"
# The W3C WebDriver key codes (https://www.w3.org/TR/webdriver2/#keyboard-actions).
KEY_ENTER = "\ue007"
KEY_TAB = "\ue004"
ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"
CONNECTION_ATTEMPTS = 4
# Seconds one WebDriver call may take (session creation gets 120 s).
HTTP_TIMEOUT = float(os.environ.get("E2E_HTTP_TIMEOUT", "60"))

T = TypeVar("T")


class E2EFailure(Exception):
    """A check failed; the message says which, in English for the log."""


def log(message: str) -> None:
    print(f"[e2e] {message}", flush=True)


class WebDriver:
    """Minimal W3C WebDriver session client over urllib."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session_id: str | None = None

    def _call(self, method: str, path: str, body: Any = None, timeout: float = HTTP_TIMEOUT) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        for attempt in range(1, CONNECTION_ATTEMPTS + 1):
            request = urllib.request.Request(
                self.base_url + path,
                data=data,
                method=method,
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    payload = json.loads(response.read().decode("utf-8") or "{}")
                return payload.get("value")
            except urllib.error.HTTPError as error:
                detail = error.read().decode("utf-8", "replace")
                raise E2EFailure(f"{method} {path} -> HTTP {error.code}: {detail[:500]}") from None
            except (http.client.RemoteDisconnected, ConnectionResetError) as error:
                # tauri-driver 2.1.0 pools its connections to WebKitWebDriver; now and then (about one
                # run in three here, always in the first seconds of a session) it picks one the native
                # driver has already reset, logs "client error (SendRequest) … Connection reset by peer"
                # and drops our request unanswered. The request never reached WebKitWebDriver (it failed
                # while sending), so sending it again is safe.
                if attempt == CONNECTION_ATTEMPTS:
                    raise E2EFailure(f"{method} {path}: tauri-driver dropped the request: {error}")
                log(f"tauri-driver dropped {method} {path} ({error!r}); retrying")
                time.sleep(0.3 * attempt)
        raise AssertionError("unreachable")

    def _session(self, method: str, path: str, body: Any = None) -> Any:
        if self.session_id is None:
            raise E2EFailure("no WebDriver session")
        return self._call(method, f"/session/{self.session_id}{path}", body)

    def new_session(self, application: Path) -> dict[str, Any]:
        # Only tauri:options: a browserName makes newer WebKitWebDriver refuse to match (tauri#10670).
        capabilities = {
            "capabilities": {"alwaysMatch": {"tauri:options": {"application": str(application)}}}
        }
        value = self._call("POST", "/session", capabilities, timeout=120)
        self.session_id = value["sessionId"]
        return value.get("capabilities", {})

    def delete_session(self) -> None:
        if self.session_id is not None:
            try:
                self._call("DELETE", f"/session/{self.session_id}", timeout=20)
            finally:
                self.session_id = None

    def title(self) -> str:
        return self._session("GET", "/title")

    def find(self, css: str) -> str | None:
        """Element id for a CSS selector, or None when there is no such element."""
        found = self._session("POST", "/elements", {"using": "css selector", "value": css})
        return found[0][ELEMENT_KEY] if found else None

    def text(self, element: str) -> str:
        return self._session("GET", f"/element/{element}/text")

    def attribute(self, element: str, name: str) -> str | None:
        return self._session("GET", f"/element/{element}/attribute/{name}")

    def send_keys(self, element: str, text: str) -> None:
        self._session("POST", f"/element/{element}/value", {"text": text})

    def click(self, element: str) -> None:
        self._session("POST", f"/element/{element}/click", {})

    def active_element_id(self) -> str | None:
        """The HTML id attribute of the focused element."""
        active = self._session("GET", "/element/active")
        return self.attribute(active[ELEMENT_KEY], "id") if active else None

    def press(self, key: str) -> None:
        """A real key press through the actions API (what a clerk's keyboard does)."""
        actions = {
            "actions": [
                {
                    "type": "key",
                    "id": "keyboard",
                    "actions": [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}],
                }
            ]
        }
        self._session("POST", "/actions", actions)

    def execute(self, script: str, *args: Any) -> Any:
        return self._session("POST", "/execute/sync", {"script": script, "args": list(args)})

    def execute_async(self, script: str, *args: Any) -> Any:
        return self._session("POST", "/execute/async", {"script": script, "args": list(args)})

    def screenshot(self, path: Path) -> None:
        # WebKitWebDriver answers a screenshot after the page's next paint. With nothing repainting (no caret
        # blinking, e.g. when the サインイン button has focus) WebKitGTK 2.50 under Xvfb then waits forever,
        # so schedule a few invisible repaints (CSSOM, which the CSP allows) to land after the request.
        self.execute(
            """
            const root = document.documentElement;
            for (const ms of [50, 150, 400, 1000, 2500]) {
              setTimeout(() => {
                root.style.setProperty('outline', '1px solid rgba(0, 0, 0, 0.01)');
                requestAnimationFrame(() => root.style.removeProperty('outline'));
              }, ms);
            }
            """
        )
        png = base64.b64decode(self._session("GET", "/screenshot"))
        path.write_bytes(png)
        log(f"screenshot {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 15) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise E2EFailure(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.2)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise E2EFailure(message)
    log(f"ok: {message}")


def find_tauri_driver() -> Path:
    """tauri-driver on PATH or in ~/.cargo/bin; installed from crates.io when missing."""
    cargo_bin = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo")) / "bin"
    for candidate in (shutil.which("tauri-driver"), cargo_bin / "tauri-driver"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    log(f"tauri-driver not found; cargo install tauri-driver --locked --version {TAURI_DRIVER_VERSION}")
    subprocess.run(
        ["cargo", "install", "tauri-driver", "--locked", "--version", TAURI_DRIVER_VERSION],
        check=True,
    )
    driver = cargo_bin / "tauri-driver"
    if not driver.is_file():
        raise E2EFailure(f"cargo install did not produce {driver}")
    return driver


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise E2EFailure(f"tauri-driver exited early with status {process.returncode}")
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise E2EFailure(f"tauri-driver did not listen on :{port} within {timeout:.0f}s")


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """Stops tauri-driver and everything it started (WebKitWebDriver, the app): they share its group."""
    pgid = process.pid  # start_new_session=True made the driver its own group leader
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                break
            process.poll()
            time.sleep(0.1)
        else:
            continue
        break
    process.poll()
    try:
        os.killpg(pgid, 0)
        log(f"warning: processes of group {pgid} are still alive")
    except ProcessLookupError:
        log("tauri-driver, WebKitWebDriver and the app are stopped")


def run_checks(driver: WebDriver, shots: Path) -> None:
    check(driver.title() == EXPECTED_TITLE, f"window title is 「{EXPECTED_TITLE}」")

    banner = wait_for("the 研修モード banner", lambda: driver.find(".training-banner"))
    banner_text = driver.text(banner)
    check("研修モード" in banner_text, "the 研修モード banner is shown")

    line = wait_for("the line state", lambda: driver.find(".line-state"))
    check(driver.text(line).replace(" ", "") == "回線:未確認", "the line state reads 回線: 未確認")

    # The bundled faces, not a system copy: FontFace objects from app.css must have loaded.
    faces = driver.execute_async(
        """
        const done = arguments[arguments.length - 1];
        document.fonts.ready.then(() => done(
          [...document.fonts].map((f) => ({family: f.family, weight: f.weight, status: f.status}))));
        """
    )
    loaded = {
        f["weight"]
        for f in faces
        if f["family"].strip("\"'") == FONT_FAMILY and f["status"] == "loaded"
    }
    check({"400", "700"} <= loaded, f"bundled BIZ UD Gothic regular and bold loaded ({faces})")
    family = driver.execute("return getComputedStyle(document.body).fontFamily;")
    check(FONT_FAMILY in family, f"the page uses {FONT_FAMILY} ({family})")

    # CSP: an injected inline script must not run (script-src 'self' without 'unsafe-inline').
    ran = driver.execute_async(
        """
        const done = arguments[arguments.length - 1];
        window.__cspProbe = false;
        const s = document.createElement('script');
        s.textContent = 'window.__cspProbe = true;';
        document.head.appendChild(s);
        setTimeout(() => done(window.__cspProbe), 300);
        """
    )
    check(ran is False, "the CSP blocks an injected inline script")

    # ACL in the real runtime: the app's own command answers, a core plugin command is refused.
    invoke = """
        const done = arguments[arguments.length - 1];
        window.__TAURI_INTERNALS__.invoke(arguments[0]).then(
          (value) => done({ok: true, value}), (error) => done({ok: false, error: String(error)}));
    """
    answer = driver.execute_async(invoke, "app_info")
    check(
        answer["ok"] and answer["value"].get("training_mode") is True,
        f"the webview may call app_info ({answer})",
    )
    answer = driver.execute_async(invoke, "plugin:window|title")
    check(
        not answer["ok"] and "not allowed" in answer["error"],
        f"the webview may not call core plugins ({answer.get('error', answer)})",
    )

    check(driver.active_element_id() == "staff-id", "the cursor starts in 職員ID")
    driver.screenshot(shots / "01-start.png")

    # Keyboard only: Tab to パスワード, type, Enter. 職員ID is empty, so the form must refuse in Japanese.
    driver.press(KEY_TAB)
    check(driver.active_element_id() == "password", "Tab moves from 職員ID to パスワード")
    password = driver.find("#password")
    if password is None:
        raise E2EFailure("no password field")
    driver.send_keys(password, "training-pass")
    driver.press(KEY_ENTER)
    error = wait_for("the 職員ID validation message", lambda: driver.find("#staff-id-error"))
    check(
        driver.text(error) == "職員IDを入力してください。",
        "Enter submits and 職員IDを入力してください。 is shown",
    )
    staff_id = driver.find("#staff-id")
    if staff_id is None:
        raise E2EFailure("no 職員ID field")
    check(driver.attribute(staff_id, "aria-invalid") == "true", "職員ID is marked invalid")
    check(driver.active_element_id() == "staff-id", "the cursor goes back to 職員ID")
    driver.screenshot(shots / "02-validation.png")

    driver.send_keys(staff_id, "S0001")
    driver.press(KEY_TAB)
    driver.press(KEY_TAB)
    active = driver.execute(
        """
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {tag: el.tagName, text: el.textContent, outline: style.outlineStyle,
                width: parseFloat(style.outlineWidth)};
        """
    )
    check(
        active["tag"] == "BUTTON" and active["text"].strip() == "サインイン",
        "Tab reaches the サインイン button",
    )
    check(
        active["outline"] != "none" and active["width"] >= 3,
        f"the focused button shows a focus ring ({active['outline']} {active['width']}px)",
    )
    driver.screenshot(shots / "03-focus-button.png")
    driver.press(KEY_ENTER)
    notice = wait_for("the acknowledgement", lambda: driver.find(".notice"))
    check(driver.text(notice) == "入力内容を確認しました。", "valid input is acknowledged")
    check(driver.find("#staff-id-error") is None, "the validation message is gone")
    driver.screenshot(shots / "04-accepted.png")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app", type=Path, default=REPO / "target" / "debug" / "madoguchi")
    parser.add_argument("--artifacts", type=Path, default=REPO / "artifacts" / "e2e")
    parser.add_argument("--port", type=int, default=4444)
    args = parser.parse_args()

    app = args.app.resolve()
    if not (app.is_file() and os.access(app, os.X_OK)):
        log(f"FAIL: no app binary at {app} (cargo build -p madoguchi)")
        return 2
    if not os.environ.get("DISPLAY"):
        log("FAIL: no DISPLAY; run under xvfb-run -a")
        return 2
    shots = args.artifacts.resolve()
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*.png"):
        old.unlink()

    # SIGTERM/SIGINT (e.g. a CI timeout) must still run the cleanup below.
    def interrupted(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)

    tauri_driver = find_tauri_driver()
    log(f"starting {tauri_driver} on :{args.port}")
    driver_log = (shots / "tauri-driver.log").open("wb")
    process = subprocess.Popen(
        [str(tauri_driver), "--port", str(args.port)],
        stdout=driver_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    client = WebDriver(f"http://127.0.0.1:{args.port}")
    started = time.monotonic()
    try:
        wait_for_port(args.port, process)
        caps = client.new_session(app)
        log(
            f"session {client.session_id} in {time.monotonic() - started:.1f}s "
            f"({caps.get('browserName')} {caps.get('browserVersion')})"
        )
        try:
            run_checks(client, shots)
        except Exception:
            if client.session_id is not None:
                try:
                    client.screenshot(shots / "failure.png")
                except Exception as shot_error:  # the failure itself matters more
                    log(f"could not take a failure screenshot: {shot_error}")
            raise
        log(f"PASS in {time.monotonic() - started:.1f}s")
        return 0
    except E2EFailure as failure:
        log(f"FAIL: {failure}")
        return 1
    except Exception:  # anything unexpected is a failure too, with its traceback
        log("FAIL: unexpected error")
        traceback.print_exc()
        return 1
    finally:
        try:
            client.delete_session()
        except Exception as error:
            log(f"warning: could not close the session: {error}")
        stop_process_group(process)
        driver_log.close()


if __name__ == "__main__":
    sys.exit(main())

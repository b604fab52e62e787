"""The W3C WebDriver client and helpers the end-to-end test uses (see run_e2e.py): a hand-rolled client
over urllib, waiting and checking helpers, and starting/stopping tauri-driver."""

from __future__ import annotations

import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, TypeVar

REPO = Path(__file__).resolve().parents[2]
TAURI_DRIVER_VERSION = "2.1.0"
# The W3C WebDriver key codes (https://www.w3.org/TR/webdriver2/#keyboard-actions).
KEY_ENTER = "\ue007"
KEY_TAB = "\ue004"
KEY_ESCAPE = "\ue00c"
KEY_SHIFT = "\ue008"
KEY_CONTROL = "\ue009"
KEY_ALT = "\ue00a"
KEY_SPACE = "\ue00d"
KEY_RIGHT = "\ue014"
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

    def window_rect(self) -> dict[str, Any]:
        return self._session("GET", "/window/rect")

    def set_window_rect(self, width: int, height: int) -> None:
        self._session("POST", "/window/rect", {"width": width, "height": height})

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

    def to_centre(self, element: str) -> None:
        """Scrolls an element to the middle of the window, clear of the sticky header (WebKitWebDriver
        scrolls it to the top edge, under the header, and then refuses the click as intercepted)."""
        self.execute("arguments[0].scrollIntoView({block: 'center'});", {ELEMENT_KEY: element})

    def click(self, element: str) -> None:
        self.to_centre(element)
        self._session("POST", f"/element/{element}/click", {})

    def clear(self, element: str) -> None:
        self.to_centre(element)
        self._session("POST", f"/element/{element}/clear", {})

    def must(self, css: str, what: str, timeout: float = 15) -> str:
        """Waits for an element and returns it."""
        return wait_for(what, lambda: self.find(css), timeout)

    def type_into(self, css: str, text: str) -> None:
        element = self.must(css, css)
        self.clear(element)
        self.send_keys(element, text)

    def active_element_id(self) -> str | None:
        """The HTML id attribute of the focused element."""
        active = self._session("GET", "/element/active")
        return self.attribute(active[ELEMENT_KEY], "id") if active else None

    def press(self, key: str, *modifiers: str) -> None:
        """A real key press through the actions API (what a clerk's keyboard does), with modifier keys
        held down around it (e.g. `press("n", KEY_ALT)` is Alt+N)."""
        steps = [{"type": "keyDown", "value": m} for m in modifiers]
        steps += [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]
        steps += [{"type": "keyUp", "value": m} for m in reversed(modifiers)]
        actions = {"actions": [{"type": "key", "id": "keyboard", "actions": steps}]}
        self._session("POST", "/actions", actions)

    def type_here(self, text: str) -> None:
        """Types into the focused element, wherever the cursor is (the element is not chosen first)."""
        active = self._session("GET", "/element/active")
        if not active:
            raise E2EFailure("no focused element to type into")
        self.send_keys(active[ELEMENT_KEY], text)

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


def close_all(
    client: WebDriver, process: subprocess.Popen[bytes], driver_log: Any, data_dir: Path
) -> None:
    """The end of every run, whatever happened: the session, tauri-driver and what it started, the
    driver's log and the app's temporary data directory."""
    try:
        client.delete_session()
    except Exception as error:
        log(f"warning: could not close the session: {error}")
    stop_process_group(process)
    driver_log.close()
    shutil.rmtree(data_dir, ignore_errors=True)

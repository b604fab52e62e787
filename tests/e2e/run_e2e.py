#!/usr/bin/env python3
"""End-to-end test of the Madoguchi window: the real app binary in a real WebKitGTK window, driven over the
W3C WebDriver protocol through tauri-driver (which starts WebKitWebDriver, which starts the app).

Run it under an X server, e.g. from the repository root:
    xvfb-run -a -s "-screen 0 1600x1000x24" dbus-run-session -- python3 tests/e2e/run_e2e.py
(`scripts/test-e2e.sh` builds the UI and the app first and does exactly that.)

Checks: window title, 研修モード banner, the bundled BIZ UD font really loaded, the CSP blocks inline script,
the ACL lets the webview call app_info but no core plugin command,
keyboard-only sign-in form (cursor in 職員ID, Enter submits, Japanese validation message, Tab reaches the
button with a visible focus ring, the union's refusal in Japanese). Then a counter day in 研修モード: sign in
as the training clerk, enter a 転入 for a new synthetic resident, submit, see the decision, preview, print to
the CUPS-PDF queue (a new PDF must appear in cups-pdf's Out directory), record the handover; cut the line with
the training switch, submit two notifications, see them queued with printed 受付控, restore the line, see
them decided and listed in 交付待ち. Screenshots go to artifacts/e2e/*.png.

Figures (printed, not asserted): app start to the sign-in screen, submit pressed to preview shown (p50/p95
over E2E_BENCH_SUBMITS online submissions, default 20), and the app's VmRSS after the scripted day.

The app runs in a fresh temporary data directory (MADOGUCHI_DATA_DIR) under the caller's session keyring
(`keyctl session -`, done by scripts/test-e2e.sh).

Hand-rolled client on purpose: the W3C protocol is a handful of JSON-over-HTTP calls, and the Python standard
library needs no browser download or npm/pip install (the registry-only network forbids driver downloads).
Exit status is non-zero on any failure; tauri-driver, WebKitWebDriver and the app are always stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from counter_ux import counter_ux, training_accounts_listed  # noqa: E402  (this directory, above)
from cups import pdfs, wait_new_pdf  # noqa: E402
from keyboard_flow import keyboard_move_in, lists_at_minimum  # noqa: E402
from union_ux import union_staff  # noqa: E402
from webdriver import (  # noqa: E402
    KEY_ENTER,
    KEY_ESCAPE,
    KEY_TAB,
    REPO,
    E2EFailure,
    WebDriver,
    check,
    close_all,
    find_tauri_driver,
    log,
    wait_for,
    wait_for_port,
)

EXPECTED_TITLE = "Madoguchi 窓口端末"
FONT_FAMILY = "Madoguchi UD Gothic"
# Online submissions measured for the submit → preview figure.
BENCH_SUBMITS = int(os.environ.get("E2E_BENCH_SUBMITS", "20"))
CLERK = "152111-clerk"
CLERK_PASSWORD = "kensyu-152111-clerk"
ADMIN = "152111-admin"
ADMIN_PASSWORD = "kensyu-152111-admin"
SUPERVISOR = "152111-supervisor"
SUPERVISOR_PASSWORD = "kensyu-152111-supervisor"


def run_checks(driver: WebDriver, shots: Path) -> None:
    check(driver.title() == EXPECTED_TITLE, f"window title is 「{EXPECTED_TITLE}」")

    banner = wait_for("the 研修モード banner", lambda: driver.find(".training-banner"))
    banner_text = driver.text(banner)
    check("研修モード" in banner_text, "the 研修モード banner is shown")

    line = wait_for("the line state", lambda: driver.find(".line-state"))
    wait_for(
        "the line state 回線: 接続中",
        lambda: driver.text(line).replace(" ", "") == "回線:接続中",
        timeout=30,
    )
    check(True, "the line state reads 回線: 接続中 (the embedded union answers)")

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
    training_accounts_listed(driver, shots, CLERK, CLERK_PASSWORD)

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
    # S0001 / training-pass is not a training account: the union refuses, in Japanese.
    driver.press(KEY_ENTER)
    refusal = wait_for("the union's refusal", lambda: driver.find(".sign-in .form-error"))
    refusal_text = driver.text(refusal)
    check(
        bool(re.search(r"[ぁ-んァ-ン一-龥]", refusal_text)) and "error" not in refusal_text.lower(),
        f"a wrong password is refused in Japanese ({refusal_text})",
    )
    driver.screenshot(shots / "04-refused.png")

    counter_day(driver, shots)
    supervisor_batch(driver, shots)
    union_staff(driver, shots)


def my_number(first_eleven: str) -> str:
    """A synthetic 個人番号 with its check digit (weights 2–7 then 2–6 from the right; ≤ 1 → 0)."""
    digits = [int(c) for c in first_eleven]
    total = 0
    for n, d in enumerate(reversed(digits), start=1):
        total += d * (n + 1 if n <= 6 else n - 5)
    rest = total % 11
    return first_eleven + str(0 if rest <= 1 else 11 - rest)


def today_wareki() -> str:
    today = (datetime.now(timezone.utc) + timedelta(hours=9)).date()
    return f"R{today.year - 2018}.{today.month}.{today.day}"


def go_tab(driver: WebDriver, tab: str) -> None:
    driver.click(driver.must(f"#tab-{tab}", f"the {tab} tab"))
    wait_for(
        f"the {tab} tab selected",
        lambda: driver.attribute(driver.must(f"#tab-{tab}", tab), "aria-selected") == "true",
    )


def fill_move_in(driver: WebDriver, addressee: str, name: str, kana: str) -> None:
    driver.type_into("#addressee_number", addressee)
    driver.type_into("#household_number", "9" + addressee)
    driver.type_into("#name", name)
    driver.type_into("#kana", kana)
    driver.type_into("#birth_date", "S19.4.4")
    driver.click(driver.must("input[name=sex][value=female]", "性別 女"))
    driver.type_into("#address", "新潟県見附市研修町1-2-3")
    driver.type_into("#my_number", my_number("98765" + addressee))
    driver.type_into("#moved_in_on", today_wareki())


def submit_and_wait_preview(driver: WebDriver) -> None:
    driver.click(driver.must(".submit-notification", "the 届出を送信 button"))
    wait_for("the decision", lambda: driver.find(".decision-message"), timeout=30)
    wait_for(
        "the preview image loaded",
        lambda: driver.execute(
            "const i = document.querySelector('img.preview');"
            "return !!(i && i.complete && i.naturalWidth > 0);"
        ),
        timeout=30,
    )


def app_pid(app: Path) -> int | None:
    """The app's process id, found by its executable."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if Path(os.readlink(entry / "exe")) == app:
                return int(entry.name)
        except OSError:
            continue
    return None


def vm_rss_kib(pid: int) -> int | None:
    try:
        for raw in (Path("/proc") / str(pid) / "status").read_text().splitlines():
            if raw.startswith("VmRSS:"):
                return int(raw.split()[1])
    except OSError:
        return None
    return None


def counter_day(driver: WebDriver, shots: Path) -> None:
    rng = random.Random()
    # Sign in as the training clerk (keyboard: the fields still hold the refused input).
    driver.type_into("#staff-id", CLERK)
    driver.type_into("#password", CLERK_PASSWORD)
    driver.press(KEY_ENTER)
    driver.must("#tab-notification", "the counter screens after sign-in", timeout=30)
    driver.must(".staff-name", "the staff name")
    # textContent: WebKitWebDriver's element text is empty for a line cut with an ellipsis (narrow window).
    staff = driver.execute("return document.querySelector('.staff-name').textContent.trim();")
    check(CLERK in staff, f"signed in as the training clerk ({staff})")
    check(
        driver.text(driver.must("#kind", "届出の種類")).startswith("資格取得（転入）")
        or driver.execute("return document.querySelector('#kind').value;") == "acquisition_move_in",
        "the 届出 screen opens on 資格取得（転入）",
    )
    # Issue 14 #8: after sign-in the cursor is in the first entry of the screen, not on the page.
    check(driver.active_element_id() == "addressee_number", "after sign-in the cursor is in 宛名番号")

    counter_ux(driver, shots, CLERK_PASSWORD)

    # 1. Immediate issuance of a new synthetic resident who moved in.
    addressee = str(rng.randint(700000, 799999))
    fill_move_in(driver, addressee, "研修　花子", "ケンシュウ ハナコ")
    check(
        driver.attribute(driver.must("#my_number", "個人番号"), "type") == "password",
        "the 個人番号 is masked while typed",
    )
    driver.screenshot(shots / "05-move-in-entered.png")
    submit_and_wait_preview(driver)
    message = driver.text(driver.must(".decision-message", "the decision"))
    insured = driver.text(driver.must(".insured-number", "the 被保険者番号"))
    check(bool(re.fullmatch(r"\d{8}", insured)), f"decided at once: {message} 被保険者番号 {insured}")
    driver.screenshot(shots / "06-decision-preview.png")

    before = pdfs()
    driver.click(driver.must(".print-document", "the 印刷 button"))
    driver.must(".print-done", "the print confirmation", timeout=30)
    wait_new_pdf(before, "the 資格確認書")
    driver.screenshot(shots / "07-printed.png")

    # A second print of the same document is a reprint: the dialog asks for the reason first.
    before = pdfs()
    driver.click(driver.must(".reprint", "the 再印刷 button"))
    # Issue 14 #8: the dialog takes the focus, so Esc closes it.
    driver.must(".reprint-dialog", "the reprint dialog")
    check(
        driver.execute("return !!document.activeElement?.closest('.reprint-dialog');"),
        "the reprint dialog takes the focus",
    )
    driver.press(KEY_ESCAPE)
    wait_for("the dialog closed by Esc", lambda: driver.find(".reprint-dialog") is None, timeout=5)
    check(True, "Esc closes the reprint dialog without printing")
    driver.screenshot(shots / "07a-reprint-dialog-esc-closed.png")
    driver.click(driver.must(".reprint", "the 再印刷 button"))
    driver.click(driver.must("input[name=reprint-reason][value=damaged]", "汚損・破損", timeout=15))
    driver.screenshot(shots / "07b-reprint-reason.png")
    driver.click(driver.must(".reprint-dialog button[type=submit]", "再印刷する"))
    wait_new_pdf(before, "the reprinted 資格確認書")
    check(not driver.find(".reprint-dialog"), "a reprint with the reason 汚損・破損 prints again")

    driver.click(driver.must("input[name=identity][value=my_number_card]", "マイナンバーカード"))
    driver.click(driver.must(".record-handover", "the 交付を記録 button"))
    done = driver.must(".handover-done", "the handover recorded", timeout=30)
    check(driver.text(done) == "交付を記録しました。", "the handover (窓口, マイナンバーカード) is recorded")
    driver.screenshot(shots / "08-handover.png")

    # 1b. The same by keyboard only, from Alt+N: the cursor must go by itself to each next field and
    # action; the key presses are counted (issue 14: about 97 before).
    keyed = str(rng.randint(300000, 399999))
    keyboard_move_in(
        driver,
        shots,
        {
            "addressee_number": keyed,
            "household_number": "9" + keyed,
            "name": "研修　三郎",
            "kana": "ケンシュウ サブロウ",
            "birth_date": "S19.4.4",
            "address": "新潟県見附市研修町1-2-3",
            "my_number": my_number("98765" + keyed),
            "moved_in_on": today_wareki(),
        },
    )
    driver.click(driver.must(".next-entry", "次の届出へ"))

    # 2. Find the resident again (online) for a 再交付: the record shows the 個人番号 masked.
    go_tab(driver, "search")
    driver.type_into("#search-kana", "ケンシュウ")
    driver.type_into("#search-birth-date", "S19.4.4")
    driver.press(KEY_ENTER)
    driver.must(".results", "the search results", timeout=30)
    row_button = wait_for(
        "the new resident in the results",
        lambda: driver.execute(
            "return [...document.querySelectorAll('.results tbody tr')]"
            f".some(r => r.textContent.includes('{insured}'));"
        ),
    )
    check(bool(row_button), "the new resident is found by カナ and 生年月日 in 和暦")
    driver.execute(
        "[...document.querySelectorAll('.results tbody tr')]"
        f".find(r => r.textContent.includes('{insured}')).querySelector('button').click();"
    )
    masked = driver.text(driver.must(".my-number", "the 個人番号 row"))
    check(not re.search(r"\d", masked), f"the 個人番号 is masked in the record ({masked})")
    driver.screenshot(shots / "09-search-detail.png")

    # The clerk (who holds the 個人番号 right) reveals it: first the purpose (利用目的), then the number.
    driver.click(driver.must(".my-number button.reveal", "the 個人番号を表示 button"))
    driver.must(".reveal-purpose-dialog", "the 利用目的 dialog")
    # WebKitWebDriver cannot click an <option> (not interactable): choose it as the keyboard would, by
    # setting the value and announcing the change.
    driver.must("select[name=reveal-purpose]", "the 利用目的 list")
    driver.execute(
        "const s = document.querySelector('select[name=reveal-purpose]'); s.value = 'identity_check';"
        "s.dispatchEvent(new Event('change', {bubbles: true}));"
    )
    driver.screenshot(shots / "09a-reveal-purpose.png")
    driver.click(driver.must(".reveal-purpose-dialog button[type=submit]", "表示する"))
    shown = wait_for(
        "the revealed 個人番号",
        lambda: re.search(r"\d{12}", driver.text(driver.must(".my-number", "the 個人番号 row"))),
        timeout=30,
    )
    check(
        shown.group(0) == my_number("98765" + addressee),
        "the 個人番号 is shown after choosing the purpose 本人確認",
    )
    driver.click(driver.must(".my-number button.reveal", "the 隠す button"))
    masked = driver.text(driver.must(".my-number", "the 個人番号 row"))
    check(not re.search(r"\d", masked), "隠す masks the 個人番号 again")
    driver.click(driver.must(".choose-resident", "この方の届出へ"))
    driver.must("input[name=reason][value=lost]", "the 再交付 form")

    # 3. The line goes down (training switch): two notifications are queued with 受付控.
    driver.click(driver.must(".line-switch", "the 回線切断（研修） switch"))
    wait_for(
        "回線: 切断",
        lambda: driver.text(driver.must(".line-state", "line")).replace(" ", "") == "回線:切断",
    )
    check(True, "the training switch cuts the line (回線: 切断)")
    receipts: list[str] = []

    # 3a. Offline, 検索 answers from the encrypted offline roster and says how old it is; the resident is
    # chosen from the row (no record view offline) and a 再交付 is accepted for them (issue #14 #5).
    go_tab(driver, "search")
    driver.clear(driver.must("#search-birth-date", "生年月日"))
    found_offline = False
    for prefix in "アイウエオカキクケコサシスセソタチツテトナニハヒフホマミムメモヤヨワ":
        driver.type_into("#search-kana", prefix)
        driver.press(KEY_ENTER)
        time.sleep(0.7)
        if driver.find(".offline-search") and driver.find(".choose-row"):
            found_offline = True
            break
    check(found_offline, "offline, 検索 finds insured residents in the offline roster")
    banner = driver.text(driver.must(".offline-search", "the offline-roster banner"))
    check(
        re.search(r"名簿 .*\d{1,2}:\d{2} 時点", banner) is not None,
        f"the search says it answered from the roster and how old it is ({banner})",
    )
    offline_name = driver.execute(
        "return document.querySelector('.resident-row td').textContent.trim();"
    )
    driver.screenshot(shots / "10a-offline-search.png")
    driver.click(driver.must(".choose-row", "届出へ on the first row"))
    driver.must("input[name=reason][value=lost]", "the 再交付 form for the resident found offline")
    target = driver.text(driver.must(".target", "the target line"))
    check(
        offline_name in target and "生年月日" in target and "被保険者番号" in target,
        f"the target line names the resident found offline ({target})",
    )

    def queued_with_receipt(what: str, shot: str) -> None:
        driver.click(driver.must(".submit-notification", "the 届出を送信 button"))
        number = driver.text(driver.must(".reception-number", "the 受付番号", timeout=30))
        check(bool(number), f"{what} is queued with 受付番号 {number}")
        receipts.append(number)
        driver.must("img.preview-receipt", "the 受付控 preview", timeout=30)
        before = pdfs()
        driver.click(driver.must(".print-receipt", "受付控を印刷"))
        driver.must(".print-done", "the 受付控 printed", timeout=30)
        wait_new_pdf(before, f"the 受付控 {number}")
        driver.screenshot(shots / shot)
        driver.click(driver.must(".next-entry", "次の届出へ"))

    driver.click(driver.must("input[name=reason][value=lost]", "紛失"))
    queued_with_receipt("the 再交付", "10-offline-reissue-receipt.png")

    driver.execute(
        "const s = document.querySelector('#kind'); s.value = 'acquisition_move_in';"
        "s.dispatchEvent(new Event('change', {bubbles: true}));"
    )
    # The longest 氏名 accepted (30 characters, what the card's name box prints): the lists cut it short.
    long_name = "研修" + "長" * 25 + "　一郎"
    fill_move_in(driver, str(rng.randint(800000, 899999)), long_name, "ケンシュウ イチロウ")
    queued_with_receipt("the 転入", "11-offline-move-in-receipt.png")
    check(receipts[0] != receipts[1], "each queued notification has its own 受付番号")

    go_tab(driver, "queue")

    def states() -> dict[str, str]:
        return driver.execute(
            "const m = {}; for (const r of document.querySelectorAll('.queue-row'))"
            " m[r.dataset.reception] = r.querySelector('.queue-state').textContent.trim(); return m;"
        )

    wait_for("both receipts in 受付一覧", lambda: all(r in states() for r in receipts))
    now = states()
    check(
        all(now[r] == "未送信" for r in receipts),
        f"受付一覧 shows both as 未送信 while the line is down ({[now[r] for r in receipts]})",
    )
    names = driver.execute(
        "return [...document.querySelectorAll('.queue-row')]"
        ".filter(r => arguments[0].includes(r.dataset.reception))"
        ".map(r => r.querySelector('.queue-name').textContent.trim());",
        receipts,
    )
    check(
        len(names) == 2 and all(n and n != "—" for n in names),
        f"受付一覧 names whose case each queued item is ({names})",
    )
    driver.screenshot(shots / "12-queue-offline.png")
    lists_at_minimum(driver, shots, ".queue", "12a-queue-1024x700.png", long_name)

    # 4. The line returns: the queue drains by itself; both decided and ready to issue.
    driver.click(driver.must(".line-switch", "the switch back"))
    wait_for(
        "both queued notifications decided",
        lambda: all(states().get(r) == "決定" for r in receipts),
        timeout=60,
    )
    check(True, "after the line returns both are 決定 in 受付一覧")
    driver.screenshot(shots / "13-queue-decided.png")
    go_tab(driver, "ready")
    items = wait_for(
        "two entries in 交付待ち",
        lambda: (lambda n: n if n >= 2 else None)(
            driver.execute("return document.querySelectorAll('.ready-item').length;")
        ),
        timeout=30,
    )
    check(items == 2, f"交付待ち lists both decided notifications ({items})")
    ready_names = driver.execute(
        "return [...document.querySelectorAll('.ready-item .ready-name')].map(t => t.textContent.trim());"
    )
    check(
        all(n and n != "—" for n in ready_names) and offline_name in ready_names,
        f"交付待ち names whose card each one is, after the offline drain ({ready_names})",
    )
    driver.screenshot(shots / "14-ready-to-issue.png")
    lists_at_minimum(driver, shots, ".ready-list", "14-ready-1024x700.png", long_name)

    # 4b. A 転入 the union refuses (a mistyped 生年月日 after the 転入日: each day plausible on its own, so only
    # the union sees it) stays 差戻し with the union's reason; 訂正 from the work list brings the entries
    # back, the clerk fixes the days, and it goes as a linked new attempt.
    go_tab(driver, "notification")
    if driver.find(".next-entry"):
        driver.click(driver.must(".next-entry", "次の届出へ"))
    driver.execute(
        "const s = document.querySelector('#kind'); s.value = 'acquisition_move_in';"
        "s.dispatchEvent(new Event('change', {bubbles: true}));"
    )
    fill_move_in(driver, str(rng.randint(500000, 599999)), "訂正　花子", "テイセイ ハナコ")
    # A future 転入日: the counter's own check refuses it on the field, and the cursor goes there.
    tomorrow = (datetime.now(timezone.utc) + timedelta(hours=9)).date() + timedelta(days=1)
    driver.type_into("#moved_in_on", f"R{tomorrow.year - 2018}.{tomorrow.month}.{tomorrow.day}")
    driver.click(driver.must(".submit-notification", "the 届出を送信 button"))
    own = driver.text(driver.must("#moved_in_on-error", "the counter's message on 転入日", timeout=15))
    check("転入日" in own, f"a future 転入日 is refused on the field, naming it ({own})")
    check(driver.active_element_id() == "moved_in_on", "the cursor goes to the refused 転入日")
    driver.screenshot(shots / "14-future-move-in.png")
    driver.type_into("#birth_date", "R6.1.1")
    driver.type_into("#moved_in_on", "R5.12.8")
    driver.click(driver.must(".submit-notification", "the 届出を送信 button"))
    refusal = driver.text(driver.must(".refused", "the union's refusal", timeout=30))
    check("差戻し" in refusal, f"the refusal reads as 差戻し with the union's reason ({refusal})")
    # The union's own refusal (past the counter's checks) names 転入日, and the form marks it (#14.9).
    check("転入日" in refusal, "the union's date-order refusal names 転入日")
    wait_for(
        "the cursor in the 転入日 the union named",
        lambda: driver.active_element_id() == "moved_in_on",
        timeout=5,
    )
    check(
        driver.attribute(driver.must("#moved_in_on", "転入日"), "aria-invalid") == "true",
        "the union's refusal marks 転入日 and the cursor is there",
    )
    driver.screenshot(shots / "14a-move-in-refused.png")
    go_tab(driver, "queue")
    lists_at_minimum(driver, shots, ".work-list", "14a-work-list-1024x700.png")
    driver.click(driver.must(".work-list button.correct", "訂正 on the work list"))
    driver.must("#moved_in_on", "the 転入 form with the entries")
    check(
        driver.execute("return document.querySelector('#moved_in_on').value;") == "R5.12.8"
        and driver.execute("return document.querySelector('#birth_date').value;") == "R6.1.1"
        and driver.execute("return document.querySelector('#kana').value;") != "",
        "訂正 brings back the refused entries as typed",
    )
    driver.type_into("#birth_date", "S19.4.4")
    driver.type_into("#moved_in_on", today_wareki())
    driver.screenshot(shots / "14b-correction.png")
    driver.click(driver.must(".submit-notification", "訂正して再送"))
    wait_for("the corrected 転入 decided", lambda: driver.find(".decision-message"), timeout=30)
    go_tab(driver, "queue")
    wait_for(
        "the refused item shown as 訂正済み",
        lambda: driver.find(".queue-row.state-corrected"),
        timeout=15,
    )
    check(True, "the corrected 転入 is decided and the refused one is 訂正済み, linked")
    driver.screenshot(shots / "14c-corrected.png")

    # 5. Benchmark: submit pressed → preview shown, online, through the real window.
    go_tab(driver, "notification")
    for i in range(BENCH_SUBMITS):
        if driver.find(".next-entry"):
            driver.click(driver.must(".next-entry", "次の届出へ"))
        driver.execute(
            "const s = document.querySelector('#kind'); s.value = 'acquisition_move_in';"
            "s.dispatchEvent(new Event('change', {bubbles: true}));"
        )
        fill_move_in(driver, str(600000 + i * 7 + rng.randint(0, 6)), "研修　次郎", "ケンシュウ ジロウ")
        submit_and_wait_preview(driver)
    samples = driver.execute("return (window.__madoguchiPerf || {}).submitToPreviewMs || [];")
    if samples:
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, max(0, int(round(0.95 * len(ordered))) - 1))]
        FIGURES["submit_to_preview_ms"] = {
            "n": len(ordered),
            "p50": round(statistics.median(ordered), 1),
            "p95": round(p95, 1),
            "max": round(ordered[-1], 1),
        }
    driver.screenshot(shots / "15-after-bench.png")

    # 6. The 情報システム管理者 reviews the audit trail the terminal shipped: the reprint with its reason.
    driver.click(driver.must(".sign-out", "サインアウト"))
    driver.type_into("#staff-id", ADMIN)
    driver.type_into("#password", ADMIN_PASSWORD)
    driver.press(KEY_ENTER)
    driver.must(".audit-log", "the 監査ログ screen", timeout=30)
    driver.type_into("input[name=insured_number]", insured)

    def reprint_row() -> bool | None:
        driver.click(driver.must(".audit-search button[type=submit]", "検索"))
        time.sleep(1)
        found = driver.execute(
            "return [...document.querySelectorAll('.audit-table tbody tr')]"
            ".some(r => r.textContent.includes('再印刷') && r.textContent.includes('汚損・破損'));"
        )
        return True if found else None

    wait_for("the reprint in the collected audit trail", reprint_row, timeout=90)
    check(True, "the administrator finds the reprint and its reason by 被保険者番号")
    driver.screenshot(shots / "16-audit-log.png")
    driver.click(driver.must(".audit-export", "出力"))
    done = driver.text(driver.must(".export-done", "the export confirmation", timeout=30))
    check("出力先" in done, f"the report is exported and the screen says where ({done})")


def pdf_pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return 0


def supervisor_batch(driver: WebDriver, shots: Path) -> None:
    """The 監督者 approves the training union's released 一斉更新 and prints it in bulk."""
    driver.click(driver.must(".sign-out", "サインアウト"))
    driver.type_into("#staff-id", SUPERVISOR)
    driver.type_into("#password", SUPERVISOR_PASSWORD)
    driver.press(KEY_ENTER)
    go_tab(driver, "distribution")
    driver.click(driver.must(".open-distribution", "開く (the released 一斉更新)", timeout=30))
    proofs = wait_for(
        "rendered proofs (first, last, random)",
        lambda: (lambda n: n if n >= 2 else None)(
            driver.execute("return document.querySelectorAll('.proof img.preview').length;")
        ),
        timeout=60,
    )
    check(proofs >= 2, f"the supervisor sees {proofs} rendered proofs before deciding")
    driver.screenshot(shots / "17-distribution-proofs.png")
    total = int(
        driver.execute(
            "return document.querySelector('.distribution-list td.count').textContent.replace(/[^0-9]/g, '');"
        )
    )
    # Without the password nothing is sent; with it the approval goes to the union.
    driver.click(driver.must("input[type=radio][value=approve]", "承認"))
    driver.click(driver.must("#decision-submit", "確定"))
    driver.must(".decision .form-error", "the password is asked again")
    driver.type_into("#decision-password", SUPERVISOR_PASSWORD)
    driver.click(driver.must("#decision-submit", "確定"))
    before = pdfs()
    driver.click(driver.must("#batch-start", "印刷開始", timeout=30))
    driver.must(".report", "the reconciliation report after the batch", timeout=300)
    report = driver.text(driver.must(".report", "照合結果"))
    check("全件を一度ずつ" in report, f"the report says every record printed once ({report[:80]}…)")
    driver.screenshot(shots / "18-batch-report.png")

    def all_pages() -> int | None:
        new = [p for p in pdfs() - before if p.stat().st_size > 0]
        pages = sum(pdf_pages(p) for p in new)
        return pages if pages >= total else None

    pages = wait_for(f"{total} bulk pages from cups-pdf", all_pages, timeout=300)
    check(pages == total, f"cups-pdf received {pages} pages for {total} approved records")
    FIGURES["bulk_pages_printed"] = pages


FIGURES: dict[str, Any] = {}


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
    # A fresh terminal every run: its own data directory (vault, embedded training union).
    data_dir = Path(tempfile.mkdtemp(prefix="madoguchi-e2e-"))
    env = dict(os.environ, MADOGUCHI_DATA_DIR=str(data_dir))
    log(f"starting {tauri_driver} on :{args.port} (data dir {data_dir})")
    driver_log = (shots / "tauri-driver.log").open("wb")
    process = subprocess.Popen(
        # Its own native port next to ours, so two checkouts on one machine can run side by side.
        [str(tauri_driver), "--port", str(args.port), "--native-port", str(args.port + 1)],
        stdout=driver_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=env,
    )
    client = WebDriver(f"http://127.0.0.1:{args.port}")
    started = time.monotonic()
    try:
        wait_for_port(args.port, process)
        session_requested = time.monotonic()
        caps = client.new_session(app)
        log(
            f"session {client.session_id} in {time.monotonic() - started:.1f}s "
            f"({caps.get('browserName')} {caps.get('browserVersion')})"
        )
        try:
            client.must("#staff-id", "the sign-in screen", timeout=60)
            FIGURES["start_to_sign_in_ms"] = round((time.monotonic() - session_requested) * 1000)
            run_checks(client, shots)
            pid = app_pid(app)
            rss = vm_rss_kib(pid) if pid else None
            if rss:
                FIGURES["app_vm_rss_mib_after_day"] = round(rss / 1024, 1)
            log(f"FIGURES {json.dumps(FIGURES, ensure_ascii=False)}")
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
        close_all(client, process, driver_log, data_dir)


if __name__ == "__main__":
    sys.exit(main())

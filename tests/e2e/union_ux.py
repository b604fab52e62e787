"""The 広域連合職員's screens (issue 15) in the real window: a 75歳到達 distribution asked for by one union
staff member, their own approval refused by the union (four-eyes, its message on screen), the daily job's
run of the day listed, and a second staff member's approval releasing it to the municipality.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from webdriver import KEY_ENTER, WebDriver, check, wait_for

MUNICIPALITY = "152111"


def sign_in_as(driver: WebDriver, user: str) -> None:
    driver.click(driver.must(".sign-out", "サインアウト"))
    driver.type_into("#staff-id", user)
    driver.type_into("#password", f"kensyu-{user}")
    driver.press(KEY_ENTER)


def next_month_wareki() -> str:
    today = (datetime.now(timezone.utc) + timedelta(hours=9)).date()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"R{year - 2018}.{month}.1"


def union_staff(driver: WebDriver, shots: Path) -> None:
    staff1, staff2 = f"{MUNICIPALITY}-union-staff1", f"{MUNICIPALITY}-union-staff2"
    sign_in_as(driver, staff1)
    # A union staff member's first screen is 配信作成・承認 (no counter work).
    driver.must("#tab-union_distribution[aria-selected=true]", "the 配信作成・承認 screen", timeout=30)
    check(driver.find("#tab-search") is None, "a 広域連合職員 sees no counter screens")
    driver.type_into("#ud-reference", next_month_wareki())
    driver.type_into("#ud-note", "翌月分（E2E）")
    driver.click(driver.must(".create-distribution button[type=submit]", "作成"))
    created = driver.text(driver.must(".create-distribution .notice", "作成しました", timeout=60))
    check("別の広域連合職員の承認を待ちます" in created, f"the distribution is created ({created[:60]}…)")

    # The creator's own approval: the union refuses, in its words.
    driver.click(driver.must(".distribution-list button.secondary", "承認 of the new distribution"))
    refusal = driver.text(driver.must(".distribution-list .form-error", "the union's refusal", timeout=30))
    check("作成した本人は承認できません" in refusal, f"the creator's approval is refused ({refusal})")
    driver.screenshot(shots / "19-union-self-approval-refused.png")

    driver.click(driver.must("#tab-daily_job", "日次処理"))
    run = driver.text(driver.must(".daily-run", "the daily job's run of today", timeout=30))
    check("75歳到達" in run and "処理日" in run, "the daily job's run is listed with counts by kind")
    driver.screenshot(shots / "20-daily-job.png")

    # A second staff member approves: released to the municipality's 監督者.
    sign_in_as(driver, staff2)
    driver.must("#tab-union_distribution[aria-selected=true]", "the 配信作成・承認 screen", timeout=30)
    driver.click(driver.must(".distribution-list button.secondary", "承認 by the second staff member"))
    done = wait_for(
        "the approval",
        lambda: (lambda t: t if t and "承認しました" in t else None)(
            driver.execute(
                "const n = document.querySelector('.distribution-list .notice');"
                "return n ? n.textContent : null;"
            )
        ),
        timeout=30,
    )
    check("監督者の承認待ち" in done, f"the second approval releases it ({done.strip()})")
    driver.screenshot(shots / "21-union-approved.png")

"""The enumerator's day, end to end in Debian's Chromium against the real server: sign in,
download the assignments, lose the signal, fill a whole DTKS visit with photos, reload
the app offline (the draft and the outbox survive), get the signal back with an expired
access token, and find the visit and its photos on the server exactly once. Then the
supervisor returns the household and it comes back to the phone with the comment."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, Server, screenshot

pytestmark = pytest.mark.browser


def sign_in(page: Any, username: str = "enumerator") -> None:
    page.goto("/")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in")
    page.wait_for_selector(".hh-list .hh")


def wait_for_service_worker(page: Any) -> None:
    page.wait_for_function(
        "navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=20_000
    )
    # the precache is complete once the worker is active
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")


def choose(page: Any, name: str, value: str) -> None:
    page.locator(f"input[name='{name}'][value='{value}']").locator("xpath=..").click()


def take_photo(page: Any, kind: str, path: Path) -> None:
    tile = page.locator(f".photo-tile[data-kind='{kind}']")
    with page.expect_file_chooser() as fc:
        tile.locator("button").click()
    fc.value.set_files(str(path))
    tile.locator("img.thumb:not([hidden])").wait_for(timeout=30_000)


def expire_access_token(page: Any) -> None:
    """As after days offline: the stored access token is long expired."""
    page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open('verval');
            open.onsuccess = () => {
              const tx = open.result.transaction('kv', 'readwrite');
              const kv = tx.objectStore('kv');
              const get = kv.get('session');
              get.onsuccess = () => { kv.put({...get.result, accessExpiresAt: 0}, 'session'); };
              tx.oncomplete = () => resolve(true);
              tx.onerror = () => reject(tx.error);
            };
        })"""
    )


def test_offline_visit_reaches_the_server_exactly_once(
    phone: Any, server: Server, camera_photos: list[Path]
) -> None:
    page = phone.new_page()
    sign_in(page)
    wait_for_service_worker(page)
    assert page.locator(".hh-list .hh").count() >= 20
    screenshot(page, "01-assignments")

    # No signal from here on.
    phone.set_offline(True)
    page.fill("input.search", "Edi Hasibuan")
    page.locator(".hh-list .hh").first.click()
    page.wait_for_selector("#start-visit")
    screenshot(page, "02-household")
    page.click("#start-visit")
    page.wait_for_selector("input[name='outcome']")
    visit_id = page.evaluate("location.hash.split('/')[2]")
    choose(page, "outcome", "found")
    page.wait_for_selector(".gps-saved.good")
    screenshot(page, "03-visit-start-gps")

    # Housing: pre-filled from the baseline; correct the floor area.
    page.click("#next")
    page.wait_for_selector(".field[data-path='floor_area']")
    area = page.locator(".field[data-path='floor_area'] input.num")
    area.fill("")
    area.type("84")
    page.wait_for_selector(".field[data-path='floor_area'] .was:not([hidden])")
    page.locator(".field[data-path='floor_area']").evaluate(
        "e => e.scrollIntoView({block: 'center'})"
    )
    screenshot(page, "04-form-housing")
    # Skip logic: owning the house asks for the land proof; renting does not.
    choose(page, "f-house-ownership", "2")
    assert page.locator(".field[data-path='land_proof']").is_hidden()
    choose(page, "f-house-ownership", "1")
    assert page.locator(".field[data-path='land_proof']").is_visible()
    # A constraint with its Indonesian message.
    area.fill("5000")
    page.wait_for_selector(
        ".field[data-path='floor_area'] .err:has-text('Luas lantai harus 1 sampai 2000')"
    )
    area.fill("84")

    page.click("#next")  # assets
    page.click("#next")  # programmes
    page.click("#next")  # family members
    page.wait_for_selector("details.member")
    # The third member died: the rest of that member's questions disappear.
    third = page.locator("details.member").nth(2)
    if third.get_attribute("open") is None:  # "" when open
        third.locator("summary").click()
    choose(page, "f-members-2--presence", "2")
    assert page.locator(".field[data-path='members[2].sex']").is_hidden()
    # A death is recorded with its date (form v2).
    page.fill("#f-members-2--death-date", "2026-10-01")
    screenshot(page, "05-form-members")

    page.click("#next")  # photos
    take_photo(page, "house_front", camera_photos[0])
    take_photo(page, "house_inside", camera_photos[1])

    # The app is killed and reopened while offline: the shell comes from the service
    # worker, the draft from IndexedDB, back on the same step with the photos taken.
    page.reload()
    page.wait_for_selector(".photo-tile[data-kind='house_inside'] img.thumb:not([hidden])")
    take_photo(page, "family_card", camera_photos[2])
    screenshot(page, "06-photos")

    page.click("#next")  # finish
    choose(page, "elig", "layak")
    screenshot(page, "07-finish")
    page.click("#finish")
    page.click("#confirm-send")  # the check before sending
    page.wait_for_selector(f"li[data-visit='{visit_id}'][data-state='queued']")
    screenshot(page, "08-outbox-offline")

    page.reload()
    page.wait_for_selector(f"li[data-visit='{visit_id}'][data-state='queued']")
    assert server.api("GET", f"/api/v1/visits/{visit_id}", server.token("enumerator"))[0] == 404

    # Signal again, days later: the access token has expired; the app refreshes it once
    # and sends the record, then every photo.
    expire_access_token(page)
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector(f"li[data-visit='{visit_id}'][data-state='done']", timeout=60_000)
    screenshot(page, "09-outbox-sent")

    status, visit = server.api("GET", f"/api/v1/visits/{visit_id}", server.token("supervisor"))
    assert status == 200, visit
    assert visit["state"] == "complete"
    assert visit["outcome"] == "found"
    assert visit["answers"]["floor_area"] == 84
    assert visit["answers"]["members"][2]["presence"] == "2"
    assert visit["answers"]["members"][2]["death_date"] == "2026-10-01"
    assert "sex" not in visit["answers"]["members"][2]
    assert visit["missing_photos"] == []
    assert sorted(p["kind"] for p in visit["photos"]) == [
        "family_card",
        "house_front",
        "house_inside",
    ]
    assert visit["gps"]["accuracy_m"] == 8
    # Exactly once: one visit row and three photo rows, whatever the retries did.
    assert server.sql("SELECT count(*) FROM visit WHERE household_id = 1") == [(1,)]
    assert server.sql(
        "SELECT count(*), count(p.stored_at) FROM visit_photo p JOIN visit v ON v.id = p.visit "
        "WHERE v.household_id = 1"
    ) == [(3, 3)]
    # The phone dropped the photo bytes only after the server held them all.
    left = page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open('verval');
            open.onsuccess = () => {
              const r = open.result.transaction('photos').objectStore('photos').count();
              r.onsuccess = () => resolve(r.result);
            };
        })"""
    )
    assert left == 0

    # The supervisor returns the household (the review issue's decision; its effect on
    # the assignment is written here): the phone's next sync shows it with the comment.
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00:00")
    user_id = server.sql("SELECT id FROM app_user WHERE username = 'enumerator'")[0][0]
    server.sql(
        "UPDATE assignment SET state = 'returned', returned_comment = ?, updated_at = ? "
        "WHERE household = 1",
        ("Foto KK buram, mohon diulang", now),
    )
    assignment_id = server.sql("SELECT id FROM assignment WHERE household = 1")[0][0]
    server.sql(
        "INSERT INTO assignment_change (enumerator_id, assignment_id, changed_at) VALUES (?, ?, ?)",
        (user_id, assignment_id, now),
    )
    time.sleep(1.1)
    page.goto("/#/")
    page.click("#pull")
    page.wait_for_selector(".hh.status-returned .hh-comment:has-text('Foto KK buram')")
    page.fill("input.search", "Edi Hasibuan")
    screenshot(page, "10-returned")
    page.locator(".hh.status-returned").first.click()
    page.wait_for_selector("#start-visit:has-text('Kunjungi ulang')")

"""A new version of the app reaches an open phone, is announced, and is applied only when the
enumerator says so, losing nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server, screenshot
from tests.e2e.test_conflict_and_sign_out import head_names, start_visit
from tests.e2e.test_offline_visit import choose, sign_in, take_photo, wait_for_service_worker

pytestmark = pytest.mark.browser


def test_open_app_learns_of_a_new_version_and_loses_nothing(
    phone_412: Any, server: Server, camera_photos: list[Path]
) -> None:
    """A phone left open: the app looks for a new version by itself (every 30 minutes), asks,
    and the update, applied offline, keeps a queued visit and what was just typed."""
    phone = phone_412
    page = phone.new_page()
    page.clock.install()  # the 30 minutes pass in an instant
    sign_in(page)
    wait_for_service_worker(page)
    first = page.evaluate("navigator.serviceWorker.controller.scriptURL")
    names = head_names(server, "enumerator", 2)

    sw = server.pwa_dist / "sw.js"
    original = sw.read_bytes()
    try:
        # A new release on the server while the phone stays open: within 30 minutes it asks.
        sw.write_bytes(original + b"\n// a new release\n")
        page.clock.fast_forward("30:00")
        banner = page.locator("#update-banner")
        banner.wait_for(timeout=30_000)
        assert "Versi baru tersedia" in banner.inner_text()
        # Back to the real time: the server refuses visits stamped in the future.
        page.clock.set_system_time(datetime.now(UTC))
        screenshot(page, "13-update-prompt")
        assert page.locator(".hh-list .hh").count() > 0  # nothing reloaded under the fingers

        # No signal: one visit is queued in the outbox, another half-filled.
        phone.set_offline(True)
        queued_id = start_visit(page, names[0])
        choose(page, "outcome", "not_home")
        page.wait_for_selector(".gps-saved.good")
        page.click("#next")
        take_photo(page, "house_front", camera_photos[0])
        page.click("#next")
        page.click("#finish")
        page.click("#confirm-send")  # the check before sending
        page.wait_for_selector(f"li[data-visit='{queued_id}'][data-state='queued']")
        draft_id = start_visit(page, names[1])
        choose(page, "outcome", "found")
        page.wait_for_selector(".gps-saved.good")
        page.click("#next")

        # The enumerator types the floor area and taps "Perbarui" at once, still offline.
        area = ".field[data-path='floor_area'] input.num"
        page.fill(area, "77")
        with page.expect_navigation():
            banner.get_by_role("button", name="Perbarui").click()
        page.wait_for_selector(area)
        assert page.input_value(area) == "77"
        assert page.evaluate("location.hash.split('/')[2]") == draft_id
        assert page.locator("#update-banner").count() == 0
        assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == first
        state = page.evaluate(
            "navigator.serviceWorker.getRegistration().then((r) => [!!r.waiting, r.active.state])"
        )
        assert state == [False, "activated"]

        # The queued visit survived the update and is sent once the signal is back.
        page.goto("/#/outbox")
        page.wait_for_selector(f"li[data-visit='{queued_id}'][data-state='queued']")
        phone.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_selector(f"li[data-visit='{queued_id}'][data-state='done']", timeout=60_000)
    finally:
        sw.write_bytes(original)
    assert server.sql("SELECT count(*) FROM visit WHERE id = ?", (queued_id,)) == [(1,)]


def test_service_worker_leaves_api_writes_alone(phone: Any, server: Server) -> None:
    """No non-GET request is answered by the service worker."""
    page = phone.new_page()
    sign_in(page)
    wait_for_service_worker(page)
    seen: list[tuple[str, bool]] = []
    page.on(
        "response",
        lambda r: (
            seen.append((r.request.method, r.from_service_worker)) if "/api/" in r.url else None
        ),
    )
    page.click("#pull")
    page.wait_for_timeout(1500)
    status = page.evaluate(
        "fetch('/api/v1/auth/refresh', {method: 'POST', headers: {'Content-Type': 'application/json'},"
        " body: JSON.stringify({refresh_token: 'x'.repeat(20)})}).then((r) => r.status)"
    )
    assert status == 401
    page.wait_for_timeout(300)
    assert seen, "no API traffic seen"
    assert all(not from_sw for _, from_sw in seen)


def test_account_screen_states_persistent_storage_once(phone_412: Any, server: Server) -> None:
    """The state is said once; the button asks (it does not repeat the warning)."""
    page = phone_412.new_page()
    sign_in(page)
    page.goto("/#/account")
    state = page.locator("#storage-persisted")
    state.wait_for()
    persisted = page.evaluate("navigator.storage.persisted()")
    assert state.get_attribute("data-persisted") == str(persisted).lower()
    if not persisted:  # headless Chromium does not grant it: the button asks again
        button = page.locator("#storage-persist")
        assert button.inner_text().strip() == "Minta penyimpanan tetap"
        assert button.inner_text().strip() not in state.inner_text()
        button.click()
        page.wait_for_selector("text=Browser menolak")
    screenshot(page, "23-account-storage")

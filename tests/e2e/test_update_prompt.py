"""A new version of the app is announced, and applied only when the enumerator says so."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Server, screenshot
from tests.e2e.test_offline_visit import sign_in, wait_for_service_worker

pytestmark = pytest.mark.browser


def test_new_version_asks_before_reloading(phone: Any, server: Server) -> None:
    page = phone.new_page()
    sign_in(page)
    wait_for_service_worker(page)
    first = page.evaluate("navigator.serviceWorker.controller.scriptURL")

    sw = server.pwa_dist / "sw.js"
    original = sw.read_bytes()
    try:
        sw.write_bytes(original + b"\n// a new release\n")
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        banner = page.locator("#update-banner")
        banner.wait_for(timeout=20_000)
        assert "Versi baru tersedia" in banner.inner_text()
        screenshot(page, "13-update-prompt")
        # Nothing changed under the enumerator's fingers until they agree.
        assert page.locator(".hh-list .hh").count() > 0
        with page.expect_navigation():
            banner.get_by_role("button", name="Perbarui").click()
        page.wait_for_selector(".hh-list .hh")
        assert page.locator("#update-banner").count() == 0
        assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == first
        state = page.evaluate(
            "navigator.serviceWorker.getRegistration().then((r) => [!!r.waiting, r.active.state])"
        )
        assert state == [False, "activated"]
    finally:
        sw.write_bytes(original)


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

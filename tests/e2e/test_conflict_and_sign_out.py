"""A conflict (409) is shown to the enumerator with a way out, and signing out with
unsent visits warns and keeps them for that user only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server, screenshot
from tests.e2e.test_offline_visit import choose, sign_in, take_photo, wait_for_service_worker

pytestmark = pytest.mark.browser


def start_visit(page: Any, head_name: str) -> str:
    page.goto("/#/")
    page.fill("input.search", head_name)
    page.locator(".hh-list .hh").first.click()
    page.click("#start-visit")
    page.wait_for_selector("input[name='outcome']")
    return str(page.evaluate("location.hash.split('/')[2]"))


def head_names(server: Server, username: str, n: int) -> list[str]:
    rows = server.sql(
        "SELECT h.head_name FROM assignment a JOIN household h ON h.id = a.household "
        "JOIN app_user u ON u.id = a.enumerator WHERE u.username = ? ORDER BY a.id LIMIT ?",
        (username, n + 10),
    )
    names = [r[0] for r in rows]
    unique = [x for x in names if names.count(x) == 1]
    return unique[-n:]


def test_conflict_is_shown_with_a_way_out(
    phone: Any, server: Server, camera_photos: list[Path]
) -> None:
    page = phone.new_page()
    sign_in(page)
    wait_for_service_worker(page)
    name = head_names(server, "enumerator", 3)[0]
    phone.set_offline(True)
    visit_id = start_visit(page, name)
    choose(page, "outcome", "not_home")
    page.wait_for_selector(".gps-saved.good")
    page.click("#next")
    take_photo(page, "house_front", camera_photos[0])
    page.click("#next")
    page.click("#finish")
    page.click("#confirm-send")  # the check before sending
    page.wait_for_selector(f"li[data-visit='{visit_id}'][data-state='queued']")

    # Meanwhile the server got different content under the same visit id.
    record = page.evaluate(
        f"""() => new Promise((resolve) => {{
            const open = indexedDB.open('verval');
            open.onsuccess = () => {{
              const r = open.result.transaction('visits').objectStore('visits').get('{visit_id}');
              r.onsuccess = () => resolve(r.result);
            }};
        }})"""
    )
    now = datetime.now(UTC).isoformat()
    status, body = server.api(
        "PUT",
        f"/api/v1/visits/{visit_id}",
        server.token("enumerator"),
        {
            "household_id": record["householdId"],
            "round_id": record["roundId"],
            "form": record["form"],
            "answers": {},
            "outcome": "refused",
            "started_at": record["startedAt"],
            "ended_at": now,
            "gps": {"lat": -2.3855, "lon": 101.0098, "accuracy_m": 9},
            "device_id": "another-phone",
            "app_version": "test",
            "photos": [],
        },
    )
    assert status in (200, 201), body

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    item = page.locator(f"li[data-visit='{visit_id}'][data-state='needs_attention']")
    item.wait_for(timeout=30_000)
    assert "versi lain" in item.inner_text()
    screenshot(page, "11-conflict")

    item.get_by_role("button", name="Kirim sebagai kunjungan baru").click()
    page.wait_for_selector(f"li[data-visit='{visit_id}']", state="detached")
    page.wait_for_selector("li[data-state='done']", timeout=30_000)
    visits = server.sql(
        "SELECT outcome FROM visit WHERE household_id = ? ORDER BY received_at",
        (record["householdId"],),
    )
    assert [v[0] for v in visits] == ["refused", "not_home"]


def test_sign_out_keeps_unsent_visits_for_their_owner(phone: Any, server: Server) -> None:
    page = phone.new_page()
    sign_in(page)
    name = head_names(server, "enumerator", 3)[1]
    visit_id = start_visit(page, name)
    choose(page, "outcome", "moved")

    page.goto("/#/account")
    page.click("#sign-out")
    dialog = page.locator("dialog.dialog")
    assert "belum terkirim" in dialog.inner_text()
    screenshot(page, "12-sign-out-warning")
    dialog.get_by_role("button", name="Keluar").click()
    page.wait_for_selector("#username")

    # Someone else signs in on this phone: they see nothing of the first user's.
    sign_in(page, "enumerator.ipuh")
    page.goto("/#/outbox")
    page.wait_for_selector(".outbox")
    assert page.locator(f"li[data-visit='{visit_id}']").count() == 0
    page.goto("/#/account")
    page.click("#sign-out")
    page.locator("dialog.dialog").get_by_role("button", name="Keluar").click()
    page.wait_for_selector("#username")

    # The owner is back: the draft is there, where it was left.
    sign_in(page, "enumerator")
    page.goto("/#/outbox")
    page.wait_for_selector(f"li[data-visit='{visit_id}'][data-state='draft']")
    page.goto(f"/#/visit/{visit_id}")
    assert page.locator("input[name='outcome'][value='moved']").is_checked()

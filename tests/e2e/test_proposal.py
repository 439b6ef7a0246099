"""A household that is not in the register, proposed from the phone with no signal (usulan
baru, form v2): village from the enumerator's assignments, address, RT/RW, head and NIK, the
other members with their NIKs, GPS, photo; it waits in the outbox, is sent when the signal
returns, lands in the supervisor's review queue as a new_household visit of that village, and
once approved is a proposed household of the village with those members."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server, screenshot
from tests.e2e.test_offline_visit import choose, sign_in, take_photo, wait_for_service_worker

pytestmark = pytest.mark.browser

# (NIK, name, sex, birth date, relationship) of the members besides the head.
MEMBERS = [
    ("1706015203920002", "Siti Aminah", "2", "1992-03-12", "2"),
    ("1706016101240001", "Nur Aisyah", "2", "2024-01-21", "3"),
]


def test_phone_proposes_a_household_offline_and_it_reaches_the_review_queue(
    phone_412: Any,
    server: Server,
    camera_photos: list[Path],
) -> None:
    page = phone_412.new_page()
    sign_in(page)
    wait_for_service_worker(page)
    village_code, village_name = server.sql(
        "SELECT h.region_code, r.name FROM assignment a JOIN household h ON h.id = a.household "
        "JOIN region r ON r.code = h.region_code JOIN app_user u ON u.id = a.enumerator "
        "WHERE u.username = 'enumerator' ORDER BY r.name LIMIT 1"
    )[0]
    screenshot(page, "18-assignments-villages")

    phone_412.set_offline(True)
    page.click("#propose")
    choose(page, "village", village_code)
    screenshot(page, "19-propose-village")
    page.click("#propose-start")
    page.wait_for_selector("input[name='outcome'][value='new_household']:checked")
    visit_id = page.evaluate("location.hash.split('/')[2]")
    page.wait_for_selector(".gps-saved.good")
    page.click("#next")
    page.fill("#f-address", "Jl. Lintas Barat, belakang masjid")
    page.fill("#f-rt", "007")
    page.fill("#f-rw", "003")
    page.fill("#f-kk-number", "1706010101269999")
    page.fill("#f-head-name", "Rahmat Hidayat")
    page.fill("#f-head-nik", "1706011505850007")
    page.locator("input[name='f-reason']").first.locator("xpath=..").click()
    screenshot(page, "20-propose-form")
    page.reload()  # the proposal survives a killed app like any visit
    page.wait_for_selector("#f-head-name")
    assert page.input_value("#f-head-name") == "Rahmat Hidayat"

    page.click("#next")  # the other members, with their NIKs
    for i, (nik, name, sex, born, relationship) in enumerate(MEMBERS):
        page.click(".add-member")
        page.fill(f"#f-members-{i}--nik", nik)
        page.fill(f"#f-members-{i}--full-name", name)
        choose(page, f"f-members-{i}--sex", sex)
        page.fill(f"#f-members-{i}--birth-date", born)
        choose(page, f"f-members-{i}--relationship", relationship)
        if i == 0:
            page.reload()  # the first member survives a killed app too
            page.wait_for_selector("#f-members-0--full-name")
            assert page.input_value("#f-members-0--full-name") == name
    screenshot(page, "21-propose-members")
    page.click("#next")  # photos
    take_photo(page, "house_front", camera_photos[0])
    page.click("#next")  # finish
    page.click("#finish")
    dialog = page.locator("dialog.summary")
    dialog.wait_for()
    changes = dialog.locator("[data-member-change]").evaluate_all(
        "xs => xs.map(x => x.dataset.memberChange)"
    )
    assert changes == ["new", "new"], changes
    assert "Siti Aminah" in dialog.inner_text() and "Nur Aisyah" in dialog.inner_text()
    screenshot(page, "22-propose-summary")
    page.click("#confirm-send")
    page.wait_for_selector(f"li[data-visit='{visit_id}'][data-state='queued']")

    phone_412.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector(f"li[data-visit='{visit_id}'][data-state='done']", timeout=60_000)

    token = server.token("supervisor")
    status, queue = server.api("GET", "/api/v1/visits?outcome=new_household", token)
    assert status == 200, queue
    mine = [item for item in queue["items"] if item["visit_id"] == visit_id]
    assert len(mine) == 1
    assert mine[0]["proposed_household"] is True
    assert mine[0]["household_id"] is None
    assert mine[0]["region_code"] == village_code
    assert mine[0]["village_name"] == village_name
    status, stored = server.api("GET", f"/api/v1/visits/{visit_id}", token)
    assert status == 200, stored
    assert stored["answers"]["head_name"] == "Rahmat Hidayat"
    assert stored["answers"]["rt"] == "007"
    assert stored["form"] == {"id": "usulan_baru", "version": 2}
    assert [m["nik"] for m in stored["answers"]["members"]] == [m[0] for m in MEMBERS]

    # Approved: a proposed household of the village, the head and both members in it.
    status, decided = server.api(
        "POST", f"/api/v1/visits/{visit_id}/decisions", token, {"decision": "approve"}
    )
    assert status == 201, decided
    household = server.sql(
        "SELECT id, status, region_code, member_count FROM household WHERE proposed_by_visit = ?",
        (visit_id,),
    )
    assert [row[1:] for row in household] == [("proposed", village_code, 3)]
    members = server.sql(
        "SELECT position, nik, name, relationship FROM household_member WHERE household = ? "
        "ORDER BY position",
        (household[0][0],),
    )
    assert members == [
        (0, "1706011505850007", "Rahmat Hidayat", "1"),
        *[(i + 1, m[0], m[1], m[4]) for i, m in enumerate(MEMBERS)],
    ]

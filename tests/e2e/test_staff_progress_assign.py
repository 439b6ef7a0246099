"""A supervisor on a laptop assigns the households of one RT to an enumerator through the
assignment screen, the enumerator's phone sync (API) then holds them, and the progress
screen shows the round's counts per region, per enumerator, and drills down to a village
with its minutes."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import TABLET, Server, screenshot, staff_sign_in

DISTRICT = "17.06.01"


def _village_rt(server: Server, token: str, round_id: int) -> tuple[str, str, str, list[int]]:
    """A village of the district and one RT of it with households (most households)."""
    status, villages = server.api("GET", f"/api/v1/regions/{DISTRICT}/children?counts=true", token)
    assert status == 200, villages
    village = max(villages, key=lambda v: v["household_count"] or 0)["code"]
    status, page = server.api(
        "GET", f"/api/v1/households?region={village}&status=active&limit=500", token
    )
    assert status == 200 and page["items"], page
    groups: dict[tuple[str, str], list[int]] = {}
    for item in page["items"]:
        groups.setdefault((item["rw"], item["rt"]), []).append(item["id"])
    (rw, rt), ids = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))[0]
    return village, rw, rt, ids


def test_supervisor_assigns_an_rt_and_follows_progress(laptop: Any, server: Server) -> None:
    supervisor = server.token("supervisor")
    status, rounds = server.api("GET", "/api/v1/rounds", supervisor)
    assert status == 200 and rounds
    round_ = next((r for r in rounds if r["state"] == "open"), rounds[0])
    village, rw, rt, ids = _village_rt(server, supervisor, round_["id"])
    # Start from a clean RT: nobody holds its households (visited ones stay, locked).
    status, body = server.api(
        "POST",
        f"/api/v1/rounds/{round_['id']}/assignments/unassign",
        supervisor,
        {"region_code": village, "rw": rw, "rt": rt},
    )
    assert status == 200, body
    status, users = server.api("GET", "/api/v1/users?role=enumerator", supervisor)
    enumerator = next(u for u in users if u["username"] == "enumerator")

    page = staff_sign_in(laptop, "supervisor")
    page.click("nav.staff-menu >> text=Penugasan")
    page.wait_for_selector("#assign-village select")
    page.select_option("#assign-round", str(round_["id"]))
    page.select_option("#assign-village select[data-level='district']", DISTRICT)
    page.select_option("#assign-village select[data-level='village']", village)
    page.wait_for_selector("#households tbody tr")
    page.select_option("#filter-rw", rw)
    page.select_option("#filter-rt", rt)
    rows = page.locator("#households tbody tr")
    assert rows.count() == len(ids)
    page.click("#select-rt")
    assert page.locator("#selected-count").inner_text().startswith(str(len(ids)))
    page.select_option("#assign-enumerator", str(enumerator["id"]))
    page.click("#do-assign")
    dialog = page.locator("dialog.dialog")
    if dialog.count():  # some households are still held by someone else: only the free ones
        dialog.get_by_role("button", name="Tidak, hanya yang belum").click()
    result = page.locator("#assign-result .result")
    result.wait_for()
    text = result.inner_text()
    assigned = int(re.search(r"(\d+) ditugaskan", text).group(1))  # type: ignore[union-attr]
    assert assigned >= 1, text
    # The table now shows the enumerator on the RT's households.
    page.wait_for_function(
        "name => [...document.querySelectorAll('#households td.assignee')]"
        ".some(td => td.textContent.includes(name))",
        arg=enumerator["display_name"],
    )
    screenshot(page, "assign")

    # The enumerator's phone gets them at its next sync.
    synced = {a["household"]["id"] for a in server.assignments(server.token("enumerator"))}
    status, listed = server.api(
        "GET",
        f"/api/v1/rounds/{round_['id']}/assignments?region={village}&enumerator_id="
        f"{enumerator['id']}&limit=500",
        supervisor,
    )
    mine = {a["household_id"] for a in listed["items"]} & set(ids)
    assert len(mine) >= assigned and mine <= synced

    # Unassign one with confirmation; the result is shown in words.
    page.locator("#select-clear").click()
    page.locator("#households tbody tr input[type='checkbox']").first.check()
    page.click("#do-unassign")
    page.locator("dialog.dialog").get_by_role("button", name="Ya, lepas tugas").click()
    page.wait_for_function(
        "() => /1 dilepas/.test(document.querySelector('#assign-result')?.textContent || '')"
    )

    # Progress: the counts the server reports, per region and per enumerator.
    status, report = server.api(
        "GET", f"/api/v1/reports/progress?round={round_['id']}&region=17.06", supervisor
    )
    assert status == 200, report
    page.click("nav.staff-menu >> text=Kemajuan")
    page.wait_for_selector("#progress-regions")
    tile = page.locator("#progress-totals [data-count='assigned'] b").inner_text()
    assert int(re.sub(r"\D", "", tile)) == report["totals"]["assigned"]
    assert page.locator("#progress-enumerators").get_by_text("enumerator", exact=True).count() >= 1
    # Drill down: district, then village.
    page.locator(f"#progress-regions tr[data-code='{DISTRICT}'] a").click()
    page.wait_for_selector(f"#progress-regions tr[data-code='{village}']")
    status, district = server.api(
        "GET", f"/api/v1/reports/progress?round={round_['id']}&region={DISTRICT}", supervisor
    )
    row = page.locator(f"#progress-regions tr[data-code='{village}']")
    cells = row.locator("td.n").all_inner_texts()
    expected = next(v for v in district["villages"] if v["region_code"] == village)
    assert int(re.sub(r"\D", "", cells[0])) == expected["assigned"]
    assert page.locator(".crumbs a").count() >= 1  # the way back up
    page.wait_for_selector("#progress-map")
    screenshot(page, "progress")
    row.locator("a").click()
    page.wait_for_selector("#minutes-pdf")
    with page.expect_download() as info:
        page.click("#minutes-pdf")
    assert info.value.suggested_filename.endswith(".pdf")

    # A tablet: the same screen, still usable.
    page.set_viewport_size(TABLET)
    page.goto(f"/#/progress/{round_['id']}/{DISTRICT}")
    # A hash-only goto re-renders in place: wait for the district's rows, not the old screen's.
    page.wait_for_selector(f"#progress-regions tr[data-code='{village}']")
    page.locator("#progress-round").wait_for(state="visible")
    page.close()

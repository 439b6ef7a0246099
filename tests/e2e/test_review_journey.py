"""The supervisor's side of a round, end to end in Debian's Chromium against the real server:
a visit far from its household arrives flagged; the supervisor (laptop) finds it through
the "flagged" filter, reads the flag in words beside the map and the photos, and returns
it with a comment; the enumerator's phone (a second browser context) gets the household
back with that comment and revisits it; the supervisor sees the revisit linked to the
returned visit and approves it. A supervisor of another district sees none of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import SCREENS, TABLET, Server, screenshot, staff_context, staff_sign_in
from tests.e2e.review_seed import send_visit
from tests.e2e.test_offline_visit import choose, sign_in, take_photo

pytestmark = pytest.mark.browser

COMMENT = "Titik GPS 1 km dari rumah: mohon kunjungi ulang dan foto depan rumah"


def sign_in_to_queue(context: Any, username: str) -> Any:
    page = staff_sign_in(context, username)
    page.wait_for_selector(".rv-queue")  # staff land on the review queue
    return page


def pick_assignment(server: Server) -> dict[str, Any]:
    """An assignment of the demo enumerator that no other browser test touches."""
    token = server.token("enumerator")
    mine = server.assignments(token)
    names = [a["household"]["head_name"] for a in mine]
    for a in mine[40:]:
        hh = a["household"]
        if (
            a["state"] == "open"
            and names.count(hh["head_name"]) == 1
            and hh["latitude"] is not None
        ):
            return a
    pytest.fail("no suitable demo assignment")


def shot_full(page: Any, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.getElementById('toast')?.remove()")
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def test_supervisor_returns_a_flagged_visit_and_approves_the_revisit(
    laptop: Any, phone: Any, browser: Any, server: Server, camera_photos: list[Path]
) -> None:
    assignment = pick_assignment(server)
    head = assignment["household"]["head_name"]
    # The enumerator's earlier visit, sent as the phone sends it, 1.2 km from the house.
    first = send_visit(server, server.token("enumerator"), assignment, far=True, seed=7)

    # --- the supervisor finds it through the "flagged" filter ------------------------------
    page = sign_in_to_queue(laptop, "supervisor")
    page.select_option("select[name='flag']", "flagged")
    page.wait_for_selector("#queue[data-loaded*='flag=flagged']", state="attached")
    row = page.locator(f"tr.rv-row[data-visit='{first}']")
    row.wait_for()
    assert head in row.inner_text()
    assert "Jauh dari rumah tangga" in row.locator(".rv-flags").inner_text()
    assert page.locator("tr.rv-row:not(:has(.rv-flag))").count() == 0  # all flagged
    # The counts follow the filters.
    flagged_total = int(page.locator(".rv-tab[data-state='all'] .rv-count").inner_text())
    assert flagged_total >= 1
    screenshot(page, "review-queue")

    # Keyboard: j/k move the selection, Enter opens the selected visit.
    rows = page.locator("tr.rv-row")
    index = [rows.nth(i).get_attribute("data-visit") for i in range(rows.count())].index(first)
    page.locator("h1").click()
    for _ in range(index):
        page.keyboard.press("j")
    if index:
        page.keyboard.press("k")
        page.keyboard.press("ArrowDown")
    assert page.locator("tr.rv-row.selected").get_attribute("data-visit") == first
    page.keyboard.press("Enter")
    page.wait_for_selector(f".rv-visit[data-visit='{first}']")

    # The reload keeps the filters (they live in the hash).
    page.go_back()
    page.wait_for_selector(f"tr.rv-row[data-visit='{first}'].selected")
    assert page.locator("select[name='flag']").input_value() == "flagged"
    page.reload()
    page.wait_for_selector("#queue[data-loaded*='flag=flagged']", state="attached")
    page.wait_for_selector(f"tr.rv-row[data-visit='{first}']")
    assert page.locator("select[name='flag']").input_value() == "flagged"
    page.locator(f"tr.rv-row[data-visit='{first}'] .rv-hh a").click()

    # --- everything needed to decide, on one page ------------------------------------------
    page.wait_for_selector(f".rv-visit[data-visit='{first}']")
    assert head in page.locator(".rv-title h1").inner_text()
    flag = page.locator(".rv-flaglist li[data-flag='far_from_household']")
    assert "m dari lokasi rumah tangga yang tercatat" in flag.inner_text()
    # The map: tiles cannot load here (no internet), the points and the notice can.
    page.wait_for_selector(".pmap-notice:not([hidden])", timeout=15_000)
    assert "Peta dasar tidak dapat dimuat" in page.locator(".pmap-notice").inner_text()
    assert page.locator(".pmap .pmap-visit").count() == 1
    assert page.locator(".pmap .pmap-house").count() == 1
    assert page.locator(".pmap .pmap-photo").count() == 3
    assert page.locator(".pmap-distance").inner_text().endswith("km")
    assert page.locator(".leaflet-control-scale-line").count() == 1
    # Photos, large, with time, place, distance and hash; the family card for a supervisor.
    photos = page.locator("figure.rv-photo")
    assert photos.count() == 3
    page.wait_for_function(
        "[...document.querySelectorAll('figure.rv-photo img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.locator("figure.rv-photo[data-kind='family_card'] img").count() == 1
    assert "SHA-256" in photos.first.inner_text()
    # Answers beside the baseline, the change highlighted; members with presence changes.
    assert page.locator(".rv-cmp tr.changed[data-field='floor_area']").count() == 1
    assert page.locator(".rv-members tr.m-new").count() == 1
    # Before and after for every changed member: who the one who died was in the register
    # (sebelumnya), when they died; the newborn's birth date, relationship and kind.
    died = page.locator(".rv-members tr.m-died")
    assert "Tinggal bersama keluarga" in died.inner_text()
    assert died.locator(".rv-mbefore li").count() >= 2
    assert "Tanggal meninggal" in died.locator(".rv-mdetails").inner_text()
    newborn = page.locator(".rv-members tr.m-new .rv-mdetails").inner_text()
    assert "Tanggal lahir" in newborn and "Lahir (bayi baru)" in newborn
    page.locator("figure.rv-photo .rv-ph-open").first.click()
    page.wait_for_selector("dialog.rv-lightbox[open] img")
    page.keyboard.press("Escape")
    page.wait_for_selector("dialog.rv-lightbox", state="detached")
    page.evaluate("window.scrollTo(0, 0)")
    shot_full(page, "review-visit")

    # Return with a comment (r starts it; the comment is required).
    page.keyboard.press("r")
    assert page.locator("#decide-return").get_attribute("aria-pressed") == "true"
    page.click("#decision-confirm")
    assert "Komentar wajib diisi" in page.locator(".rv-problem").inner_text()
    page.fill("#decision-comment", COMMENT)
    page.click("#decision-confirm")
    page.wait_for_function(f"!location.hash.includes('{first}')")  # on to the next one
    status, detail = server.api("GET", f"/api/v1/visits/{first}", server.token("supervisor"))
    assert status == 200 and detail["state"] == "returned"

    # --- the phone gets the household back with the comment, and revisits it ---------------
    phone_page = phone.new_page()
    sign_in(phone_page)
    phone_page.fill("input.search", head)
    returned = phone_page.locator(".hh.status-returned").first
    returned.wait_for()
    assert COMMENT in returned.locator(".hh-comment").inner_text()
    returned.click()
    phone_page.wait_for_selector(".returned-note")
    assert COMMENT in phone_page.locator(".returned-note").inner_text()
    screenshot(phone_page, "review-return-phone")
    phone_page.click("#start-visit:has-text('Kunjungi ulang')")
    phone_page.wait_for_selector("input[name='outcome']")
    revisit = str(phone_page.evaluate("location.hash.split('/')[2]"))
    assert COMMENT in phone_page.locator(".returned-note").inner_text()
    choose(phone_page, "outcome", "not_home")
    phone_page.wait_for_selector(".gps-saved")
    phone_page.click("#next")
    take_photo(phone_page, "house_front", camera_photos[0])
    phone_page.click("#next")
    phone_page.click("#finish")
    phone_page.click("#confirm-send")  # the check before sending
    phone_page.wait_for_selector(f"li[data-visit='{revisit}'][data-state='done']", timeout=60_000)
    status, detail = server.api("GET", f"/api/v1/visits/{revisit}", server.token("supervisor"))
    assert status == 200, detail
    assert detail["revisit_of"] == first

    # --- the supervisor follows the link from the returned visit and approves --------------
    page.goto(f"/#/review/visit/{first}")
    page.wait_for_selector(f".rv-visit[data-visit='{first}']")
    assert page.locator(".rv-history").inner_text().count(COMMENT) == 1
    page.click(f"a.revisit-link[href='#/review/visit/{revisit}']")
    page.wait_for_selector(f".rv-visit[data-visit='{revisit}']")
    assert page.locator("#revisit-of").get_attribute("href") == f"#/review/visit/{first}"
    page.wait_for_selector(f".rv-return-comment:has-text('{COMMENT[:20]}')")
    page.keyboard.press("a")
    page.click("#decision-confirm")
    page.wait_for_function(f"!location.hash.includes('{revisit}')")
    status, detail = server.api("GET", f"/api/v1/visits/{revisit}", server.token("supervisor"))
    assert detail["state"] == "approved"
    page.goto(f"/#/review/visit/{revisit}")
    page.wait_for_selector(".rv-visit[data-state='approved']")
    assert "Disetujui" in page.locator(".rv-title").inner_text()
    assert page.locator("#decide-approve").is_disabled()

    # --- another district's supervisor sees none of it --------------------------------------
    with staff_context(browser, server) as other:
        ipuh = sign_in_to_queue(other, "supervisor.ipuh")
        ipuh.wait_for_selector("#queue[data-loaded]", state="attached")
        for visit_id in (first, revisit):
            assert ipuh.locator(f"tr.rv-row[data-visit='{visit_id}']").count() == 0
        ipuh.select_option("select[name='flag']", "flagged")
        ipuh.wait_for_selector("#queue[data-loaded*='flag=flagged']", state="attached")
        assert ipuh.locator(f"tr.rv-row[data-visit='{first}']").count() == 0
        ipuh.goto(f"/#/review/visit/{first}")
        ipuh.wait_for_selector(".rv-notfound")
        assert "Kunjungan tidak ditemukan" in ipuh.locator("h1").inner_text()
        assert head not in ipuh.locator("main").inner_text()


def test_visit_review_works_at_tablet_width(browser: Any, server: Server) -> None:
    """820 px wide: one column, the map and the decision right after the flags."""
    assignment = pick_assignment(server)
    visit_id = send_visit(server, server.token("enumerator"), assignment, far=True, seed=9)
    with staff_context(browser, server, viewport=TABLET, has_touch=True) as context:
        page = sign_in_to_queue(context, "supervisor")
        page.goto(f"/#/review/visit/{visit_id}")
        page.wait_for_selector(".pmap-notice:not([hidden])", timeout=15_000)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 820, f"the page scrolls sideways ({width} px)"
        box = {
            name: page.locator(f".rv-sec-{name}").bounding_box()
            for name in ("flags", "map", "decision", "photos")
        }
        assert box["flags"]["y"] < box["map"]["y"] < box["decision"]["y"] < box["photos"]["y"]
        assert page.locator("#decide-return").is_enabled()
        screenshot(page, "review-visit-tablet")

"""The auditor's journey on a laptop: sign in, find a household's trail (a visit with
photos and a supervisor's decision made through the API), read the timeline, verify
("Utuh"), download the evidence bundle through the signed link and check it offline with
``verval audit verify-bundle``. The auditor has no assignment menu and no decision
buttons; a supervisor of another district gets "not found" for that household."""

from __future__ import annotations

import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.e2e.conftest import TABLET, VENV_BIN, Server, screenshot, staff_context, staff_sign_in


def visit_with_photos(server: Server, username: str = "enumerator") -> tuple[int, str, list[Any]]:
    """A complete visit (record and every photo) to one of the enumerator's open
    households, sent as its phone would; returns (household id, visit id, photos)."""
    from survey_forms.samples import dtks_submission
    from tests.support.field import FOUND_KINDS, photos_for

    token = server.token(username)
    open_ = [a for a in server.assignments(token) if a["state"] == "open"]
    assert open_, "the demo enumerator has no open assignment"
    chosen = open_[-1]
    household = chosen["household"]
    lat = household["latitude"] if household["latitude"] is not None else -2.5601
    lon = household["longitude"] if household["longitude"] is not None else 101.1102
    photos = photos_for(FOUND_KINDS, seed=household["id"] % 50)
    started = datetime.now(UTC) - timedelta(minutes=40)
    body = {
        "household_id": household["id"],
        "round_id": chosen["round_id"],
        "form": {"id": chosen["form_id"], "version": chosen["form_version"]},
        "answers": dtks_submission(chosen["form_version"]),
        "outcome": "found",
        "eligibility": "layak",
        "started_at": started.isoformat(),
        "ended_at": (started + timedelta(minutes=12)).isoformat(),
        "gps": {"lat": lat, "lon": lon, "accuracy_m": 6.5, "fixed_at": started.isoformat()},
        "device_id": "android-e2e-audit",
        "app_version": "1.0.0",
        "photos": [p.declared(started + timedelta(minutes=2), (lat, lon)) for p in photos],
    }
    visit_id = str(uuid.uuid4())
    status, receipt = server.api("PUT", f"/api/v1/visits/{visit_id}", token, body)
    assert status == 201, receipt
    for photo in photos:
        status, receipt = server.api(
            "PUT", f"/api/v1/visits/{visit_id}/photos/{photo.id}", token, jpeg=photo.data
        )
        assert status == 201, receipt
    return int(household["id"]), visit_id, photos


def test_auditor_follows_verifies_and_exports_a_trail(
    laptop: Any, server: Server, tmp_path: Path
) -> None:
    household_id, visit_id, photos = visit_with_photos(server)
    supervisor = server.token("supervisor")
    comment = "Foto dan jawaban sesuai, disetujui."
    status, body = server.api(
        "POST",
        f"/api/v1/visits/{visit_id}/decisions",
        supervisor,
        {"decision": "approve", "comment": comment},
    )
    assert status == 201, body

    page = staff_sign_in(laptop, "auditor")
    menu = page.locator("nav.staff-menu")
    assert menu.get_by_text("Audit").is_visible()
    assert menu.get_by_text("Penugasan").count() == 0  # auditors assign nothing

    # Find the household by its id on the auditor's home, then open the trail.
    page.click("nav.staff-menu >> text=Audit")
    page.wait_for_selector("#search-q")
    page.fill("#search-q", str(household_id))
    page.click("#search-go")
    page.wait_for_selector(".visit-group[data-visit]")
    assert page.url.endswith(f"#/audit/household/{household_id}")

    group = page.locator(f".visit-group[data-visit='{visit_id}']")
    assert group.is_visible()
    for photo in photos:  # every photo with its full hash and size
        item = group.locator(f"li.photo[data-photo='{photo.id}']")
        assert photo.sha256 in item.inner_text()
        assert f"{len(photo.data):,}".replace(",", ",") in item.inner_text().replace(".", ",")
    decision = group.locator("li.decision")
    assert "disetujui" in decision.inner_text() and comment in decision.inner_text()
    assert group.locator("li.audit_event").count() >= 1 + len(photos)  # received + photos
    # Read-only: no decision buttons anywhere on the trail.
    for word in ("Setujui", "Kembalikan", "Eskalasi"):
        assert page.get_by_role("button", name=word).count() == 0

    page.click("#verify")
    result = page.locator("#verify-result")
    result.wait_for()
    assert "Utuh" in result.inner_text()
    group.scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "audit-verify")
    page.locator(
        f".visit-group[data-visit='{visit_id}'] li.photo"
    ).first.scroll_into_view_if_needed()
    screenshot(page, "audit-trail")

    with page.expect_download() as info:
        page.click("#bundle")
    download = info.value
    target = tmp_path / (download.suggested_filename or "bundle.zip")
    download.save_as(str(target))
    assert target.stat().st_size > sum(len(p.data) for p in photos)
    checked = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "api.cli", "audit", "verify-bundle", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # A tablet still shows the trail and its actions.
    page.set_viewport_size(TABLET)
    page.reload()
    page.wait_for_selector(".visit-group[data-visit]")
    assert page.locator("#verify").is_visible() and page.locator("#bundle").is_visible()
    page.close()

    # The supervisor of another district: the household does not exist for them.
    with staff_context(laptop.browser, server) as other:
        page = staff_sign_in(other, "supervisor.ipuh")
        page.goto(f"/#/audit/household/{household_id}")
        error = page.locator("#trail-error")
        error.wait_for()
        assert "tidak ditemukan" in error.inner_text().lower()
        assert page.locator(".visit-group").count() == 0
        status, _ = server.api(
            "GET",
            f"/api/v1/audit/verify?household={household_id}",
            server.token("supervisor.ipuh"),
        )
        assert status == 404


def test_trail_has_its_own_url_and_exports_stream_to_disk(
    laptop: Any, server: Server, tmp_path: Path
) -> None:
    """The trail is bookmarkable (reload, Back, Forward) with the header drawn after a
    reload; a SIKS-NG export downloads from the progress view through a signed link; a
    duplicate-photo flag names the other household and shows both photos."""
    from openpyxl import load_workbook

    household_id, _, _ = visit_with_photos(server)
    page = staff_sign_in(laptop, "auditor")
    page.click("nav.staff-menu >> text=Audit")
    page.wait_for_selector("#search-q")
    page.fill("#search-q", str(household_id))
    page.click("#search-go")
    page.wait_for_selector(".visit-group[data-visit]")
    trail_url = page.url
    assert trail_url.endswith(f"#/audit/household/{household_id}")
    assert (
        "RT " in page.locator(".hh-head").inner_text()
        and "RW " in page.locator(".hh-head").inner_text().split("RT ")[1]
    )  # RT first, as every screen writes it

    # Back returns to the auditor's home, Forward to the trail.
    page.go_back()
    page.wait_for_selector("#search-q")
    assert page.url.endswith("#/audit")
    page.go_forward()
    page.wait_for_selector(".visit-group[data-visit]")
    assert page.url == trail_url

    # A bookmark: the trail opens again by its URL, header and all.
    bookmarked = laptop.new_page()
    bookmarked.goto(trail_url)
    bookmarked.wait_for_selector(".visit-group[data-visit]")
    bookmarked.reload()
    bookmarked.wait_for_selector(".visit-group[data-visit]")
    header = bookmarked.locator("header.top")
    assert "Verval" in header.inner_text()
    net = bookmarked.locator("#net")
    assert net.is_visible() and "sinyal" in net.inner_text().lower()  # "Ada sinyal"
    bookmarked.set_viewport_size({"width": 390, "height": 844})  # a phone's width
    bookmarked.locator("li.flag").first.scroll_into_view_if_needed()
    screenshot(bookmarked, "audit-trail-phone")
    bookmarked.close()
    page.close()

    # The supervisor's progress view offers the SIKS-NG export; it streams to disk.
    with staff_context(laptop.browser, server) as office:
        page = staff_sign_in(office, "supervisor")
        page.click("nav.staff-menu >> text=Kemajuan")
        page.wait_for_selector("#progress-export")
        page.select_option("#export-dataset", "households")
        page.select_option("#export-format", "xlsx")
        page.locator("#progress-export").scroll_into_view_if_needed()
        screenshot(page, "progress-export")
        with page.expect_download() as info:
            page.click("#export-download")
        download = info.value
        assert download.suggested_filename.endswith(".xlsx")
        assert "/api/v1/reports/exports/download?" in download.url  # the signed link, no token
        target = tmp_path / download.suggested_filename
        download.save_as(str(target))
        sheet = load_workbook(target).worksheets[0]
        header_row = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
        assert "NO_KK" in header_row and sheet.max_row > 1
        assert "Unduhan dimulai" in page.locator("#progress-export").inner_text()

        # The demo's reused photo: the other household by name, the two photos side by side.
        status, queue = server.api(
            "GET", "/api/v1/visits?flag=photo_reused", server.token("supervisor")
        )
        assert status == 200 and queue["items"], queue
        reused = queue["items"][0]["visit_id"]
        page.goto(f"/#/review/visit/{reused}")
        flag = page.locator("li[data-flag='photo_reused']")
        flag.wait_for()
        text = flag.inner_text()
        assert "rumah tangga" in text and "RT " in text and "rumah tangga 1" not in text.lower()
        pair = flag.locator(".rv-dup-pair img")
        assert pair.count() == 2
        pair.nth(1).scroll_into_view_if_needed()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.rv-dup-pair img')].every(i => i.complete && i.naturalWidth > 0)"
        )
        screenshot(page, "review-duplicate-photo")
        page.set_viewport_size({"width": 390, "height": 844})
        flag.scroll_into_view_if_needed()
        screenshot(page, "review-duplicate-photo-phone")
        page.close()

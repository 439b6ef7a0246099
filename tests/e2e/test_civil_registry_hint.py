"""The civil registry on the phone: the demo's Disdukcapil pushed a death for a member of one
of the enumerator's households; the phone shows "Dukcapil: meninggal … — konfirmasi" on that
member, the enumerator confirms it (the member becomes "meninggal" with the date filled), the
visit goes out, and the server closes the finding as confirmed by that visit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.civil_registry.kinds import tanggal
from tests.e2e.conftest import Server, screenshot
from tests.e2e.test_offline_visit import choose, sign_in, take_photo, wait_for_service_worker

pytestmark = pytest.mark.browser


def test_the_phone_shows_a_death_hint_and_the_enumerator_confirms_it(
    phone: Any, server: Server, camera_photos: list[Path]
) -> None:
    rows = server.sql(
        "SELECT f.id, f.household_id, f.member_id, a.id, h.head_name, f.details "
        "FROM civil_registry_finding f JOIN household h ON h.id = f.household_id "
        "JOIN assignment a ON a.household = h.id JOIN app_user u ON u.id = a.enumerator "
        "WHERE f.evidence = 'event DEMO-DEATH-enumerator' AND f.state = 'open' "
        "AND u.username = 'enumerator'"
    )
    assert rows, "the demo pushes a death for one of the enumerator's households"
    finding_id, household_id, member_id, assignment_id, head, _ = rows[0]
    members = [r[0] for r in server.sql(
        "SELECT id FROM household_member WHERE household = ? ORDER BY position, id", (household_id,)
    )]  # fmt: skip
    index = members.index(member_id)
    died_on = server.sql("SELECT death_date FROM civil_registry_person p JOIN household_member m "
                         "ON m.nik = p.nik WHERE m.id = ?", (member_id,))[0][0]  # fmt: skip

    page = phone.new_page()
    sign_in(page)
    wait_for_service_worker(page)
    page.fill("input.search", head)
    page.locator(f"a.hh[href$='%3A{assignment_id}']").click()
    page.click("#start-visit")
    page.wait_for_selector("input[name='outcome']")
    visit_id = page.evaluate("location.hash.split('/')[2]")
    choose(page, "outcome", "found")
    page.wait_for_selector(".gps-saved.good")
    for _ in range(4):  # housing, assets, programmes, family
        page.click("#next")
    page.wait_for_selector("details.member")

    box = page.locator(f"details[data-member='members:{index}']")
    hint = box.locator(".civil-hint[data-kind='died']")
    expected = f"Dukcapil: meninggal {tanggal(str(died_on))} — konfirmasi"
    assert hint.locator(".civil-hint-text").inner_text() == expected
    assert box.locator("summary .civil-badge").inner_text() == "Dukcapil"
    hint.locator("button[data-action='confirm']").click()
    box = page.locator(f"details[data-member='members:{index}']")
    assert box.locator(f"input[name='f-members-{index}--presence'][value='2']").is_checked()
    assert box.locator(f"#f-members-{index}--death-date").input_value() == str(died_on)[:10]
    assert "Dikonfirmasi" in box.locator(".civil-hint").inner_text()
    box.locator(".civil-hint").evaluate("e => e.scrollIntoView({block: 'center'})")
    screenshot(page, "30-dukcapil-death-hint-confirmed")

    page.click("#next")  # photos
    take_photo(page, "house_front", camera_photos[0])
    take_photo(page, "house_inside", camera_photos[1])
    take_photo(page, "family_card", camera_photos[2])
    page.click("#next")  # finish
    choose(page, "elig", "layak")
    page.click("#finish")
    page.locator("dialog.summary").wait_for()
    page.click("#confirm-send")
    item = page.locator(
        f"li[data-visit='{visit_id}'][data-state='done'], "
        f"li[data-visit='{visit_id}'][data-state='needs_attention']"
    )
    item.wait_for(timeout=90_000)
    assert item.get_attribute("data-state") == "done", item.inner_text()

    state, closed_by = server.sql(
        "SELECT state, closed_by_visit FROM civil_registry_finding WHERE id = ?", (finding_id,)
    )[0]
    assert state == "confirmed"
    assert str(closed_by).replace("-", "") == visit_id.replace("-", "")

"""The village process in Chromium, on the demo (one village deliberated, one in public
review): the village operator lands on its deliberation and changes a decision with a
reason; an anonymous phone (412x915) opens the public list of the reviewed village and
objects through the plain HTML form with a photo; the supervisor accepts the objection in
the staff screen and a revisit assignment appears on the enumerator's sync."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.conftest import LAPTOP, Server, screenshot, staff_context, staff_sign_in

DELIBERATED = "17.06.01.2008"
REVIEWED = "17.06.01.2005"


def test_operator_public_objection_and_supervisor(
    browser: Any, server: Server, camera_photos: list[Path]
) -> None:
    with staff_context(browser, server, viewport=LAPTOP) as context:
        page = staff_sign_in(context, "operator.desa")
        page.wait_for_selector("#village-code")
        page.goto(f"/#/village/{DELIBERATED}")
        page.wait_for_selector("#deliberation .agenda-item")
        first = page.locator("#deliberation .agenda-item").first
        first.locator("input").fill("Menunggu surat keterangan RT")
        first.get_by_role("button", name="Ditunda").click()
        page.wait_for_function(
            "document.querySelector('#d-tally')?.textContent.includes('Ditunda 1')"
        )
        screenshot(page, "village-deliberation")
        # The operator has nothing of the field: the menu is the deliberation and the account.
        assert page.locator("nav.staff-menu a").count() == 2

    phone = browser.new_context(
        viewport={"width": 412, "height": 915}, is_mobile=True, has_touch=True,
        locale="id-ID", base_url=server.url,
    )  # fmt: skip
    try:
        public = phone.new_page()
        public.goto(f"/publik/{REVIEWED}")
        assert "Uji Publik DTKS" in public.text_content("h1")
        public.get_by_role("link", name="Sanggah").first.click()
        public.select_option("#category", "not_eligible")
        public.fill("#text", "Keluarga ini sudah punya toko dan mobil.")
        small = camera_photos[0].with_name("small.jpg")
        if not small.exists():
            from PIL import Image

            Image.open(camera_photos[0]).resize((1200, 900)).save(small, "JPEG", quality=80)
        public.set_input_files("#photo", str(small))
        public.get_by_role("button", name="Kirim sanggahan").click()
        public.wait_for_selector("text=Nomor sanggahan")
        screenshot(public, "public-objection-sent-412")
    finally:
        phone.close()

    with staff_context(browser, server, viewport=LAPTOP) as context:
        page = staff_sign_in(context, "supervisor")
        page.goto(f"/#/village/{REVIEWED}")
        page.get_by_role("tab", name="Sanggahan").click()
        page.wait_for_selector("#objections li.objection.open")
        screenshot(page, "village-objections")
        page.locator("#objections li.objection.open").first.get_by_role(
            "button", name="Terima (kunjungan ulang)"
        ).click()
        page.wait_for_selector("#objections li.objection.accepted")
    status, queue = server.api(
        "GET", f"/api/v1/objections?region={REVIEWED}&status=accepted", server.token("supervisor")
    )
    assert status == 200 and queue[0]["revisit_assignment_id"]
    status, sync = server.api("GET", "/api/v1/assignments", server.token("enumerator"))
    assert status == 200
    revisit = {a["assignment_id"]: a for a in sync["assignments"]}[
        queue[0]["revisit_assignment_id"]
    ]
    assert revisit["state"] == "returned"
    assert revisit["returned_comment"].startswith("Sanggahan uji publik")

"""The public review page on a phone (412x915, Chromium) with its optional script: the list
is filtered by RT within the page, an objection is sent with the phone's location (the
"Tambahkan lokasi saya" button) and a camera photo made smaller on the phone before upload.
The page loads one script, /publik.js, and nothing of the staff or enumerator app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.conftest import PHONE_GPS, Server, screenshot

REVIEWED = "17.06.01.2005"  # the demo's village in public review


def test_filter_the_list_and_object_with_location(
    phone_412: Any, server: Server, camera_photos: list[Path]
) -> None:
    page = phone_412.new_page()
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto(f"/publik/{REVIEWED}")
    page.wait_for_selector("#cari")  # the script ran
    items = page.locator("ol#entries > li")
    total = items.count()
    assert total > 1
    page.fill("#cari", "rt 1")
    page.wait_for_function("document.querySelector('#cari-hasil').textContent.includes('dari')")
    shown = page.locator("ol#entries > li:not(.hide)")
    assert 0 < shown.count() < total
    for text in shown.all_text_contents():
        assert "RT 001" in text
    assert page.text_content("#cari-hasil") == f"{shown.count()} dari {total} keluarga"
    screenshot(page, "public-412")
    assert [url.split("?")[0].removeprefix(server.url) for url in scripts] == ["/publik.js"]

    shown.first.get_by_role("link", name="Sanggah").click()
    page.wait_for_selector("#lokasi")
    page.select_option("#category", "not_eligible")
    page.fill("#text", "Keluarga ini sudah punya toko dan mobil.")
    page.click("#lokasi")
    page.wait_for_selector("text=Lokasi ditambahkan")
    assert page.input_value("#latitude") == f"{PHONE_GPS['latitude']:.6f}"
    big = camera_photos[1]
    page.set_input_files("#photo", str(big))
    page.wait_for_selector("text=Foto diperkecil")
    screenshot(page, "public-objection-412")
    page.get_by_role("button", name="Kirim sanggahan").click()
    page.wait_for_selector("text=Nomor sanggahan")
    reference = page.text_content("main b") or ""
    objection_id = int(reference.removeprefix("SGH-"))

    latitude, longitude = server.sql(
        "SELECT latitude, longitude FROM public_objection WHERE id = ?", (objection_id,)
    )[0]
    assert (latitude, longitude) == (PHONE_GPS["latitude"], PHONE_GPS["longitude"])
    size, width, height = server.sql(
        "SELECT size, width, height FROM village_evidence WHERE owner_type = 'objection' "
        "AND owner_id = ?",
        (objection_id,),
    )[0]
    assert max(width, height) == 1600 and size < big.stat().st_size
    # the location is for the supervisor only: never on the public list
    page.goto(f"/publik/{REVIEWED}")
    assert "101.0098" not in page.content() and "2.3855" not in page.content()

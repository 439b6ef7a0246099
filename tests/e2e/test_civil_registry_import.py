"""The admin uploads a small civil-registry extract on a laptop: the upload's progress,
then the import's, reach done; the bad-row report shows the refused row by number and
reason (never its NIK); the upload heads the latest uploads; a key for the civil
registry's service account is shown once and revoked."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Server, screenshot, staff_sign_in

HEADER = ["NIK", "NO_KK", "NAMA_LGKP", "JENIS_KLMIN", "TMPT_LHR", "TGL_LHR", "STAT_HBKEL",
          "TGL_KEMATIAN", "TGL_PINDAH", "TUJUAN_PINDAH", "TGL_UBAH_KK", "KODE_WILAYAH"]  # fmt: skip
SHORT_NIK = "170601410190777"  # 15 digits: the import refuses the row


def _extract(path: Path) -> Path:
    """Residents the demo register does not hold (No. KK of no register household)."""
    rows = [
        [f"17060141019{n:05d}", "1706019912310001", f"Warga Uji {n}", "2", "MUKOMUKO",
         "1990-01-01", "3", "", "", "", "", ""]
        for n in range(70001, 70041)
    ]  # fmt: skip
    rows.insert(17, [SHORT_NIK, "1706019912310001", "Baris Rusak", "1", "MUKOMUKO",
                     "1985-05-05", "1", "", "", "", "", ""])  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_admin_uploads_an_extract_and_reads_the_bad_rows(
    laptop: Any, server: Server, tmp_path: Path
) -> None:
    extract = _extract(tmp_path / "dukcapil-uji.csv")
    page = staff_sign_in(laptop, "admin")
    page.click("nav.staff-menu >> text=Dukcapil")
    page.wait_for_selector("#civil-file")
    page.set_input_files("#civil-file", str(extract))
    page.click("#civil-upload")

    page.wait_for_selector("#civil-job-state[data-state='done']")
    assert page.locator("#civil-upload-progress").evaluate("p => p.value") == 100
    assert page.locator("#civil-import-progress").evaluate("p => p.value") == 100
    bad = page.locator("#civil-bad-rows tbody tr")
    assert bad.count() == 1
    # The 18th data row is row 19 of the file (the header is row 1).
    assert bad.first.inner_text().split("\t")[0].strip() == "19"
    assert "NIK tidak 16 digit" in bad.first.inner_text()
    tiles = page.locator("#civil-job .tiles").inner_text()
    assert "41" in tiles and "40" in tiles, tiles
    assert SHORT_NIK not in page.content()
    page.wait_for_selector("#civil-imports tbody tr")
    assert "dukcapil-uji.csv" in page.locator("#civil-imports tbody tr").first.inner_text()
    screenshot(page, "civil-import")

    # A key for the civil registry: shown once, listed by its prefix, then revoked.
    page.fill("#civil-key-name", "Disdukcapil Uji")
    page.fill("#civil-key-region", "17.06")
    page.click("#civil-key-issue")
    key = page.locator("#civil-key-once code").inner_text()
    assert key.startswith("vcr_")
    row = page.locator("#civil-keys-list tr", has_text="Disdukcapil Uji")
    assert key not in row.inner_text()
    row.get_by_role("button", name="Cabut").click()
    page.locator("dialog.dialog").get_by_role("button", name="Cabut").click()
    page.wait_for_selector("#civil-keys-list tr.revoked >> text=Disdukcapil Uji")
    assert page.locator("#civil-key-once code").count() == 0

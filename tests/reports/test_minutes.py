"""The berita acara PDF: it renders, page 1 becomes an image, and its text says the right
things (village, totals, masked No. KK, signatures); the command line writes the same."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from api.audit.tables import AuditEvent
from survey_forms.identity import mask_nik
from survey_forms.samples import dtks_submission
from tests.reports.conftest import VILLAGE_A, Crafted, add_visit

ROOT = Path(__file__).resolve().parents[2]
SCREEN = ROOT / "docs" / "screens" / "minutes-page1.png"

# More approved households, so the page looks like a village's real list.
MORE = [
    ("Ahmad Syafri", "found", "layak"), ("Nurhayati", "found", "tidak_layak"),
    ("Joko Susanto", "found", "layak"), ("Rosmini Harahap", "found", "musdes"),
    ("Zulkifli Lubis", "moved", None), ("Hasnah", "found", "layak"),
    ("Wagiman", "dissolved", None), ("Marlina Putri", "found", "tidak_layak"),
    ("Darmawan Effendi", "duplicate", None), ("Khadijah", "found", "layak"),
    ("Irwan Setiawan", "refused", None), ("Suparman Wibowo", "found", "musdes"),
]  # fmt: skip


def pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def render_page_one(pdf: bytes, path: Path, scale: float = 1.5) -> tuple[int, int]:
    document = pdfium.PdfDocument(pdf)
    image = document[0].render(scale=scale).to_pil()
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    # not blank: a document has plenty of dark pixels
    greys = image.convert("L")
    dark = sum(1 for value in greys.tobytes() if value < 128)
    assert dark > 10_000
    return image.size


async def add_more_households(crafted: Crafted) -> None:
    from api.registry.tables import Household

    for number, (head, outcome, eligibility) in enumerate(MORE, start=31):
        rows = await Household.insert(
            Household(kk_number=f"17060112{number:08d}", region_code=VILLAGE_A,
                      address=f"Dusun {number % 3 + 1}", rt=f"{number % 4 + 1:03d}", rw="001",
                      head_name=head, member_count=3)
        ).returning(Household.id)  # fmt: skip
        label = f"x{number}"
        crafted.households[label] = rows[0]["id"]
        crafted.kk[label] = f"17060112{number:08d}"
        answers: dict[str, Any] = {}
        if outcome == "found":  # the household's own head, as the visit confirmed it
            answers = dtks_submission()
            answers["members"][0]["full_name"] = head
        await add_visit(crafted, label, household=label, village=VILLAGE_A,
                        enumerator=crafted.budi if number % 2 else crafted.siti, outcome=outcome,
                        eligibility=eligibility, state="approved", minutes_after=200 + number,
                        answers=answers)  # fmt: skip


async def test_minutes_pdf_renders_with_the_right_text(
    client, crafted: Crafted, as_role, tmp_path, database
):
    response = await client.get(
        f"/api/v1/reports/minutes/{VILLAGE_A}.pdf",
        params={"round": crafted.round_id, "date": "2026-06-15", "village_head": "Abdul Karim"},
        headers=as_role["supervisor"],
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    width, height = render_page_one(response.content, tmp_path / "page1.png")
    assert height > width  # A4 portrait

    text = " ".join(pdf_text(response.content).split())
    for expected in [
        "PEMERINTAH KABUPATEN MUKOMUKO", "DINAS SOSIAL", "BERITA ACARA",
        "MUSYAWARAH DESA SUKA PINDAH", "Senin, tanggal 15 Juni 2026", "Balai Desa Suka Pindah",
        "Verval Juni 2026", "1 Juni 2026 s.d. 31 Juli 2026",
        "Bengkulu (17)", "Kabupaten Mukomuko (17.06)", "Lubuk Pinang (17.06.01)",
        "Suka Pindah (17.06.01.2005)",
        mask_nik(crafted.kk["h1"]), mask_nik(crafted.kk["h3"]), mask_nik(crafted.proposal_kk),
        "Sutrisno", "Kepala H3", "Rahmat Hidayat", "Usulan baru",
        "Ditemukan", "Tidak ditemukan", "Keluarga baru (usulan)", "Dibahas di musdes",
        "Rekapitulasi", "Menurut hasil verifikasi", "Menurut rekomendasi kelayakan",
        "Ditemukan 1", "Tidak ditemukan 1", "Keluarga baru (usulan) 1", "Layak 1",
        "Dibahas di musdes 1", "Tanpa rekomendasi 1", "Jumlah 3",
        "3 rumah tangga lain sudah dikunjungi",
        "Kepala Desa Suka Pindah", "Abdul Karim", "Supervisor Dinas Sosial", "Spv",
        "Petugas Verifikasi Lapangan", "Siti",
    ]:  # fmt: skip
        assert expected in text, expected
    for head in ("Kepala H5", "Kepala H6", "Kepala B1", "Kepala F1", "HYPERLINK"):
        assert head not in text, head  # not approved, not visited, or another village
    for kk in [*crafted.kk.values(), crafted.proposal_kk]:
        assert kk not in text  # never a full number

    events = await (
        AuditEvent.select()
        .where(AuditEvent.action == "report.minutes_downloaded")
        .output(load_json=True)
    )
    assert len(events) == 1
    details = events[0]["details"]
    assert details["households"] == 3 and details["pending"] == 3
    assert len(details["sha256"]) == 64 and details["date"] == "2026-06-15"
    assert "Sutrisno" not in str(details) and "Abdul" not in str(details)
    assert details["sha256"][:8] in text  # the printed fingerprint matches the audit log


async def test_minutes_page_image_for_the_docs(
    client, crafted: Crafted, as_role, database, monkeypatch, tmp_path
):
    from datetime import datetime, tzinfo

    from api.reports import minutes

    def printed_at(zone: tzinfo) -> datetime:
        return datetime(2026, 6, 15, 9, 30, tzinfo=zone)

    monkeypatch.setattr(minutes, "clock", printed_at)  # the same picture on every run
    await add_more_households(crafted)
    response = await client.get(
        f"/api/v1/reports/minutes/{VILLAGE_A}.pdf",
        params={"round": crafted.round_id, "date": "2026-06-15", "village_head": "Abdul Karim",
                "supervisor": "Hendra Wijaya, S.Sos."},
        headers=as_role["auditor"],
    )  # fmt: skip
    assert response.status_code == 200, response.text
    text = " ".join(pdf_text(response.content).split())
    assert "Jumlah 15" in text and "Hendra Wijaya, S.Sos." in text and "Siti" in text
    assert "Budi" in text  # both enumerators sign
    if database.backend == "sqlite":  # one backend writes the picture the docs show
        picture = tmp_path / "minutes-page1.png"
        render_page_one(response.content, picture, scale=1.6)
        if not SCREEN.exists() or SCREEN.read_bytes() != picture.read_bytes():
            SCREEN.write_bytes(picture.read_bytes())


async def test_minutes_404_403(client, crafted: Crafted, as_role):
    base = "/api/v1/reports/minutes"
    params = {"round": crafted.round_id}
    not_village = await client.get(f"{base}/17.06.01.pdf", params=params, headers=as_role["admin"])
    assert not_village.status_code == 404
    no_suffix = await client.get(f"{base}/{VILLAGE_A}", params=params, headers=as_role["admin"])
    assert no_suffix.status_code == 404
    foreign = await client.get(
        f"{base}/17.06.05.2004.pdf", params=params, headers=as_role["supervisor"]
    )
    assert foreign.status_code == 404 and foreign.json()["code"] == "region_not_found"
    enumerator = await client.get(
        f"{base}/{VILLAGE_A}.pdf", params=params, headers=as_role["enumerator"]
    )
    assert enumerator.status_code == 403


def _cli(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "VERVAL_DATABASE_URL": database_url,
        "VERVAL_VAR_DIR": str(tmp_path / "var"),
        "VERVAL_SECRET_KEY": "cli-test-" + "y" * 40,
        "VERVAL_LOG_FORMAT": "text",
    }
    return subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", "reports", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


async def test_command_line(crafted: Crafted, database, tmp_path):
    import anyio

    pdf = tmp_path / "ba.pdf"
    done = await anyio.to_thread.run_sync(
        lambda: _cli(database.url, tmp_path, "minutes", VILLAGE_A, "--round",
                     str(crafted.round_id), "-o", str(pdf), "--date", "2026-06-15")
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "3 households listed" in done.stdout
    assert "Suka Pindah" in pdf_text(pdf.read_bytes())

    xlsx = tmp_path / "rt.xlsx"
    done = await anyio.to_thread.run_sync(
        lambda: _cli(database.url, tmp_path, "export", "17.06.01", "--round",
                     str(crafted.round_id), "-o", str(xlsx), "--identity", "full")
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    from openpyxl import load_workbook

    rows = list(load_workbook(xlsx).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 11 and crafted.kk["h1"] in {row[6] for row in rows}

    geojson = tmp_path / "v.geojson"
    done = await anyio.to_thread.run_sync(
        lambda: _cli(database.url, tmp_path, "export", "17.06.01", "--round",
                     str(crafted.round_id), "-o", str(geojson))
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    import json

    assert len(json.loads(geojson.read_text())["features"]) == 7

    done = await anyio.to_thread.run_sync(
        lambda: _cli(database.url, tmp_path, "progress", "17.06.01", "--round",
                     str(crafted.round_id), "--json")
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["totals"]["approved"] == 3
    actors = {row["actor"] for row in await AuditEvent.select(AuditEvent.actor).where(
        AuditEvent.object_type == "report")}  # fmt: skip
    assert len(actors) == 1 and actors.pop().startswith("cli:")

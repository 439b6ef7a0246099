"""The reconciliation report: counts per village, lists with masked NIKs, audited."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
from openpyxl import load_workbook

from api.audit.tables import AuditEvent
from api.civil_registry import matching
from api.civil_registry.importer import import_extract
from auth.roles import Role
from tests.civil_registry.world import (
    ACTOR,
    TODAY,
    VILLAGE,
    build_register,
    extract_rows,
    nik,
    write_extract,
)
from tests.support.users import bearer, login, make_user


async def _ready(client: httpx.AsyncClient, tmp_path: Path) -> dict[str, str]:
    await build_register()
    await import_extract(ACTOR, write_extract(tmp_path / "e.csv", extract_rows()), today=TODAY)
    await matching.reconcile(ACTOR, matching.Target(region="17.06"), TODAY)
    await make_user("andi", Role.AUDITOR, ["17.06.01"])
    return bearer(await login(client, "andi"))


async def test_counts_per_village(client: httpx.AsyncClient, database, tmp_path: Path) -> None:
    auditor = await _ready(client, tmp_path)
    response = await client.get("/api/v1/civil-registry/report?region=17.06.01", headers=auditor)
    assert response.status_code == 200, response.text
    report = response.json()
    assert [v["region_code"] for v in report["villages"]] == [VILLAGE]
    assert report["total"]["counts"] == {
        "died": 1, "identity_mismatch": 2, "nik_unknown": 3, "moved_out": 1,
        "kk_changed": 1, "birth": 1, "duplicate_nik": 2,
    }  # fmt: skip
    assert report["total"]["households_with_open_findings"] == 5


async def test_the_lists_mask_every_nik_and_are_audited(
    client: httpx.AsyncClient, database, tmp_path: Path
) -> None:
    auditor = await _ready(client, tmp_path)
    before = await AuditEvent.count().where(AuditEvent.action == "civil_registry.report_downloaded")
    response = await client.get(
        "/api/v1/civil-registry/report.csv?region=17.06.01", headers=auditor
    )
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 11
    died = next(r for r in rows if r["kind"] == "died")
    assert died["nik_masked"] == nik(1)[:4] + "••••••••" + nik(1)[-4:]
    assert died["hint"] == "Dukcapil: meninggal 4 Maret 2026 — konfirmasi"
    for n in range(100):
        assert nik(n) not in response.text
    xlsx = await client.get("/api/v1/civil-registry/report.xlsx?region=17.06.01", headers=auditor)
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert not any(nik(n) in cells for n in range(100))
    assert any("••••••••" in c for c in cells)
    after = await AuditEvent.count().where(AuditEvent.action == "civil_registry.report_downloaded")
    assert after == before + 2

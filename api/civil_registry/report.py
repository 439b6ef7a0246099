"""The reconciliation report: counts by finding per village, and the list as CSV/XLSX.

The list names members by masked NIK only (``3507••••••••0003``) and households by
masked No. KK; every download is one audit event (``civil_registry.report_downloaded``),
as for every other download.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncGenerator
from typing import Any

from api import db
from api.audit.service import append_event
from api.civil_registry.kinds import LABELS, FindingKind, FindingState, hint
from api.civil_registry.schemas import ReconciliationReport, ReportRow
from api.errors import NotFound
from api.registry import bulk
from api.registry.codes import is_region_code
from api.registry.queries import actor_of, region_names
from api.registry.tables import Region
from api.reports.xlsx import XlsxStream
from auth.roles import Principal
from survey_forms.identity import mask_nik

PAGE = 2000
COLUMNS = [
    "finding_id", "village_code", "village", "household_id", "kk_masked", "member_id",
    "nik_masked", "kind", "label", "state", "evidence", "hint", "opened_at", "closed_at",
]  # fmt: skip
WIDTHS = [10, 16, 24, 12, 20, 10, 20, 18, 36, 12, 30, 50, 22, 22]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


async def visible_region(principal: Principal, region: str) -> None:
    if not is_region_code(region) or not principal.covers(region):
        raise NotFound("No such region in your scope.", code="region_not_found")
    if not await Region.exists().where(Region.code == region):
        raise NotFound("No such region.", code="region_not_found")


def _under(column: str, index: int) -> str:
    return f"({column} = ${index} OR {column} LIKE ${index + 1})"


async def counts(principal: Principal, region: str) -> ReconciliationReport:
    await visible_region(principal, region)
    rows = await bulk.fetch(
        "SELECT region_code, kind, state, count(*) AS n, count(DISTINCT household_id) AS h "  # noqa: S608
        f"FROM civil_registry_finding WHERE {_under('region_code', 1)} "
        "GROUP BY region_code, kind, state",
        region,
        region + ".%",
    )
    households = await bulk.fetch(
        "SELECT region_code, count(DISTINCT household_id) AS h FROM civil_registry_finding "  # noqa: S608
        f"WHERE state = 'open' AND {_under('region_code', 1)} GROUP BY region_code",
        region,
        region + ".%",
    )
    names = await region_names({r["region_code"] for r in rows} | {region})
    villages: dict[str, ReportRow] = {}
    total = ReportRow(region, names.get(region, ""), {}, {}, 0)
    for row in rows:
        code = row["region_code"]
        village = villages.setdefault(code, ReportRow(code, names.get(code, ""), {}, {}, 0))
        for target in (village, total):
            if row["state"] == FindingState.OPEN.value:
                target.counts[row["kind"]] = target.counts.get(row["kind"], 0) + int(row["n"])
            else:
                target.closed[row["state"]] = target.closed.get(row["state"], 0) + int(row["n"])
    for row in households:
        villages[row["region_code"]].households_with_open_findings = int(row["h"])
        total.households_with_open_findings += int(row["h"])
    return ReconciliationReport(
        region_code=region,
        kinds=list(FindingKind),
        villages=[villages[k] for k in sorted(villages)],
        total=total,
    )


async def record_download(principal: Principal, region: str, fmt: str) -> None:
    async with db.write_transaction():
        await append_event(
            actor_of(principal),
            "civil_registry.report_downloaded",
            "report",
            f"civil-registry.{fmt}:{region}",
            region_code=region,
            details={"format": fmt},
        )


async def _pages(region: str) -> AsyncGenerator[list[list[Any]], None]:
    after = 0
    while True:
        rows = await bulk.fetch(
            "SELECT f.id, f.region_code, f.household_id, f.member_id, f.kind, f.state, "  # noqa: S608
            "f.evidence, f.details, f.opened_at, f.closed_at, h.kk_number, m.nik "
            "FROM civil_registry_finding f JOIN household h ON h.id = f.household_id "
            "LEFT JOIN household_member m ON m.id = f.member_id "
            f"WHERE f.id > $1 AND {_under('f.region_code', 2)} ORDER BY f.id LIMIT {PAGE}",
            after,
            region,
            region + ".%",
        )
        if not rows:
            return
        after = rows[-1]["id"]
        names = await region_names({r["region_code"] for r in rows})
        page: list[list[Any]] = []
        for r in rows:
            details = r["details"]
            if isinstance(details, str):
                import json

                details = json.loads(details)
            kind = FindingKind(r["kind"])
            page.append(
                [
                    r["id"],
                    r["region_code"],
                    names.get(r["region_code"], ""),
                    r["household_id"],
                    mask_nik(r["kk_number"] or ""),
                    r["member_id"] or "",
                    mask_nik(r["nik"]) if r["nik"] else "",
                    kind.value,
                    LABELS[kind]["id"],
                    r["state"],
                    r["evidence"],
                    hint(kind.value, details or {}),
                    str(r["opened_at"])[:19],
                    str(r["closed_at"])[:19] if r["closed_at"] else "",
                ]
            )
        yield page


def _safe(row: list[Any]) -> list[Any]:
    return ["'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v for v in row]


async def csv_stream(region: str) -> AsyncGenerator[bytes, None]:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(COLUMNS)
    yield ("\ufeff" + buffer.getvalue()).encode()
    async for page in _pages(region):
        buffer = io.StringIO()
        csv.writer(buffer).writerows(_safe(r) for r in page)
        yield buffer.getvalue().encode()


async def xlsx_stream(region: str) -> AsyncGenerator[bytes, None]:
    workbook = XlsxStream("Temuan Dukcapil", COLUMNS, WIDTHS)
    yield workbook.start()
    async for page in _pages(region):
        chunk = workbook.add_rows(page)
        if chunk:
            yield chunk
    yield workbook.finish()

"""The ratified list of a village (BNBA: by name, by address) as CSV or XLSX.

The register's own export rows (``api.reports.register.household_row``: SIKS-NG / BDT
column names, the round's latest visit or the baseline) followed by what the village
decided: ``STATUS_UJI_PUBLIK`` (TETAP, MASUK, KELUAR) and ``ALASAN``. Identity numbers are
masked unless a supervisor or admin asks for full ones (re-entry into SIKS-NG).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncGenerator
from typing import Any

from anyio import to_thread

from api import db
from api.audit.service import append_event
from api.errors import Conflict
from api.registry.queries import actor_of
from api.registry.tables import Household, Round
from api.reports import queries as report_queries
from api.reports import register
from api.reports.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, Format
from api.reports.scope import Identity, check_identity
from api.reports.xlsx import XlsxStream
from api.village.labels import REMOVAL_REASONS
from api.village.review import visible_review
from api.village.tables import PublicEntry
from auth.roles import Principal

STATUS = {"unchanged": "TETAP", "added": "MASUK", "removed": "KELUAR"}
COLUMNS = [*register.HOUSEHOLD_COLUMNS, "STATUS_UJI_PUBLIK", "ALASAN"]
WIDTHS = [*register.HOUSEHOLD_WIDTHS, 14, 22]
MEDIA_TYPES = {Format.CSV: CSV_MEDIA_TYPE, Format.XLSX: XLSX_MEDIA_TYPE}


def _reason(entry: dict[str, Any]) -> str:
    if entry["change"] == "added":
        return "Usulan keluarga baru"
    return REMOVAL_REASONS.get(entry["reason"], "") if entry["change"] == "removed" else ""


async def _rows(
    principal: Principal, review: dict[str, Any], identity: Identity
) -> list[list[Any]]:
    entries = await (
        PublicEntry.select(PublicEntry.household_id, PublicEntry.change, PublicEntry.reason)
        .where(PublicEntry.review_id == review["id"])
        .order_by(PublicEntry.position)
    )
    ids = [int(e["household_id"]) for e in entries]
    households = {
        int(h["id"]): h
        for h in await Household.select(*report_queries.HOUSEHOLD_COLUMNS).where(
            Household.id.is_in(ids or [0])
        )
    }
    for household in households.values():
        household["baseline"] = report_queries.load_json(household["baseline"])
    latest = await report_queries.latest_visits(principal, review["round_id"], ids)
    round_row = await Round.select(Round.name).where(Round.id == review["round_id"]).first()
    ctx = register.RowContext(
        round_name=round_row["name"] if round_row else "",
        full_identity=identity is Identity.FULL,
        names=await report_queries.region_names_around(review["region_code"]),
    )
    rows = []
    for entry in entries:
        found = households.get(int(entry["household_id"]))
        if found is None:
            continue
        row = register.household_row(found, latest.get(found["id"]), ctx)
        rows.append([*row, STATUS[entry["change"]], _reason(entry)])
    return rows


def _csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            ["'" + v if isinstance(v, str) and v.startswith(("=", "+", "-", "@")) else v
             for v in row]
        )  # fmt: skip
    return "\ufeff".encode() + buffer.getvalue().encode()


def _xlsx(rows: list[list[Any]]) -> list[bytes]:
    workbook = XlsxStream("BNBA_FINAL", COLUMNS, WIDTHS)
    return [workbook.start(), workbook.add_rows(rows), workbook.finish()]


async def final_list(
    principal: Principal, review_id: int, fmt: Format, identity: Identity
) -> tuple[AsyncGenerator[bytes, None], str]:
    review = await visible_review(principal, review_id)
    check_identity(principal, identity)
    if review["state"] != "ratified":
        raise Conflict("The list is final once ratified.", code="review_not_ratified")
    async with db.write_transaction():
        await append_event(
            actor_of(principal),
            "public_review.final_list_downloaded",
            "public_review",
            review_id,
            region_code=review["region_code"],
            details={"format": fmt.value, "identity": identity.value},
        )
    rows = await _rows(principal, review, identity)

    async def body() -> AsyncGenerator[bytes, None]:
        if fmt is Format.CSV:
            yield await to_thread.run_sync(_csv, rows)
        else:
            for chunk in await to_thread.run_sync(_xlsx, rows):
                yield chunk

    name = f"bnba-final-{review['region_code'].replace('.', '_')}-review{review_id}.{fmt.value}"
    return body(), name

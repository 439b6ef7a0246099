"""Streamed exports: the register's table as CSV or XLSX, and visits as GeoJSON.

Each export is an async generator of bytes. It walks the region village by village in
keyset pages (``queries.PAGE_SIZE`` rows), turns each page into rows and serialises them
on a worker thread (the event loop keeps serving other requests), and yields the bytes
at once: memory holds one page, whatever the size of the region, and the first bytes
leave within a second of the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import uuid
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import msgspec
from anyio import to_thread

from api.reports import queries, register
from api.reports.labels import eligibility_label, local_date, outcome_label, state_label
from api.reports.scope import Identity, ReportScope
from api.reports.xlsx import XlsxStream
from auth.roles import Principal


class Dataset(StrEnum):
    HOUSEHOLDS = "households"  # one row per household (and per proposed new household)
    MEMBERS = "members"  # one row per member


class Only(StrEnum):
    """Which households: all of the region, those visited in the round, or approved ones."""

    ALL = "all"
    VISITED = "visited"
    APPROVED = "approved"


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


SHEET_TITLES = {Dataset.HOUSEHOLDS: "RUMAH_TANGGA", Dataset.MEMBERS: "ANGGOTA_KELUARGA"}
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON_MEDIA_TYPE = "application/geo+json"


@dataclass(frozen=True)
class ExportOptions:
    dataset: Dataset = Dataset.HOUSEHOLDS
    identity: Identity = Identity.MASKED
    only: Only = Only.ALL

    def describe(self) -> dict[str, str]:
        return {
            "dataset": self.dataset.value,
            "identity": self.identity.value,
            "only": self.only.value,
        }


def columns(dataset: Dataset) -> tuple[list[str], list[int]]:
    if dataset is Dataset.MEMBERS:
        return register.MEMBER_COLUMNS, register.MEMBER_WIDTHS
    return register.HOUSEHOLD_COLUMNS, register.HOUSEHOLD_WIDTHS


def _wanted(visit: dict[str, Any] | None, only: Only) -> bool:
    if only is Only.ALL:
        return True
    if visit is None:
        return False
    return only is Only.VISITED or visit["state"] == "approved"


Build = Callable[[], list[list[Any]]]


async def _pages(
    principal: Principal, scope: ReportScope, options: ExportOptions
) -> AsyncGenerator[Build, None]:
    """Each page as a function that builds its rows (run on a worker thread)."""
    ctx = register.RowContext(
        round_name=scope.round_name,
        full_identity=options.identity is Identity.FULL,
        names=await queries.region_names_around(scope.region_code),
    )
    users = queries.UserNames()
    counts = await queries.household_counts(principal, scope.region_code)
    proposing: set[str] = set()
    if options.dataset is Dataset.HOUSEHOLDS:
        proposing = set(
            await queries.visit_villages(
                principal, scope.region_code, scope.round_id, proposals_only=True
            )
        )
        for village in proposing:
            counts.setdefault(village, 0)
    for group in queries.pack(counts):
        after = 0
        while True:
            page = await queries.household_page(principal, group, after)
            if not page:
                break
            latest = await queries.latest_visits(principal, scope.round_id, [h["id"] for h in page])
            chosen = sorted(
                (h for h in page if _wanted(latest.get(h["id"]), options.only)),
                key=lambda h: (h["region_code"], h["id"]),
            )
            flags = await queries.flag_codes([v["id"] for v in latest.values() if v["flag_count"]])
            names = dict(await users.fetch({v["enumerator_id"] for v in latest.values()}))
            page_ctx = register.RowContext(
                ctx.round_name, ctx.full_identity, ctx.names, names, flags
            )
            if options.dataset is Dataset.MEMBERS:
                needs_baseline = [
                    h["id"] for h in chosen if (latest.get(h["id"]) or {}).get("outcome") != "found"
                ]
                baseline = await queries.members_of(needs_baseline)
                yield _member_builder(chosen, latest, baseline, page_ctx)
            else:
                yield _household_builder(chosen, latest, page_ctx)
            if len(page) < queries.PAGE_SIZE:
                break
            after = page[-1]["id"]
        for village in group:
            if village not in proposing:
                continue  # no proposed households here (and a proposal has no member list)
            cursor: uuid.UUID | None = None
            while True:
                proposals, cursor = await queries.proposal_page(
                    principal, scope.round_id, village, cursor, queries.PAGE_SIZE
                )
                chosen = [p for p in proposals if _wanted(p, options.only)]
                if chosen:
                    flags = await queries.flag_codes([p["id"] for p in chosen if p["flag_count"]])
                    names = dict(await users.fetch({p["enumerator_id"] for p in chosen}))
                    page_ctx = register.RowContext(
                        ctx.round_name, ctx.full_identity, ctx.names, names, flags
                    )
                    yield _proposal_builder(chosen, page_ctx)
                if cursor is None:
                    break


async def _ahead(pages: AsyncGenerator[Build, None]) -> AsyncGenerator[Build, None]:
    """The next page is read from the database while the current one is serialised on
    the worker thread (the two overlap instead of taking turns)."""
    iterator = pages.__aiter__()
    pending: asyncio.Future[Build] = asyncio.ensure_future(iterator.__anext__())
    try:
        while True:
            try:
                build = await pending
            except StopAsyncIteration:
                return
            pending = asyncio.ensure_future(iterator.__anext__())
            yield build
    finally:
        if not pending.done():  # the client went away: stop reading
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        await pages.aclose()


def _household_builder(
    households: list[dict[str, Any]], latest: dict[int, dict[str, Any]], ctx: register.RowContext
) -> Build:
    return lambda: [register.household_row(h, latest.get(h["id"]), ctx) for h in households]


def _member_builder(
    households: list[dict[str, Any]],
    latest: dict[int, dict[str, Any]],
    baseline: dict[int, list[dict[str, Any]]],
    ctx: register.RowContext,
) -> Build:
    def build() -> list[list[Any]]:
        rows: list[list[Any]] = []
        for h in households:
            rows.extend(
                register.member_rows(h, latest.get(h["id"]), baseline.get(h["id"], []), ctx)
            )
        return rows

    return build


def _proposal_builder(proposals: list[dict[str, Any]], ctx: register.RowContext) -> Build:
    return lambda: [register.proposal_row(p, ctx) for p in proposals]


# --- CSV ----------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Columns typed by people (names, addresses): the only ones that can start like a formula.
FREE_TEXT = {"NAMA_KRT", "ALAMAT", "PETUGAS", "NAMA", "DESA", "KECAMATAN", "KABUPATEN",
             "PROVINSI", "PUTARAN"}  # fmt: skip


def _free_text_positions(dataset: Dataset) -> list[int]:
    names, _ = columns(dataset)
    return [i for i, name in enumerate(names) if name in FREE_TEXT]


def _csv_safe(rows: list[list[Any]], positions: list[int]) -> list[list[Any]]:
    """Text a spreadsheet would run as a formula (CSV injection) gets a leading quote."""
    for row in rows:
        for i in positions:
            value = row[i]
            if isinstance(value, str) and value.startswith(_FORMULA_START):
                row[i] = "'" + value
    return rows


def _csv_page(build: Build, positions: list[int]) -> bytes:
    return _csv_chunk(_csv_safe(build(), positions))


def _csv_chunk(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


async def csv_stream(
    principal: Principal, scope: ReportScope, options: ExportOptions
) -> AsyncGenerator[bytes, None]:
    """UTF-8 with a BOM (so Excel reads the • of masked numbers), comma-separated, CRLF."""
    names, _ = columns(options.dataset)
    positions = _free_text_positions(options.dataset)
    yield "\ufeff".encode() + _csv_chunk([names])
    async with contextlib.aclosing(_ahead(_pages(principal, scope, options))) as pages:
        async for build in pages:
            yield await to_thread.run_sync(_csv_page, build, positions)


# --- XLSX ---------------------------------------------------------------------------------


def _xlsx_page(workbook: XlsxStream, build: Build) -> bytes:
    return workbook.add_rows(build())


async def xlsx_stream(
    principal: Principal, scope: ReportScope, options: ExportOptions
) -> AsyncGenerator[bytes, None]:
    names, widths = columns(options.dataset)
    workbook = XlsxStream(SHEET_TITLES[options.dataset], names, widths)
    yield workbook.start()
    async with contextlib.aclosing(_ahead(_pages(principal, scope, options))) as pages:
        async for build in pages:
            chunk = await to_thread.run_sync(_xlsx_page, workbook, build)
            if chunk:
                yield chunk
    yield await to_thread.run_sync(workbook.finish)


def stream(
    fmt: Format, principal: Principal, scope: ReportScope, options: ExportOptions
) -> AsyncGenerator[bytes, None]:
    if fmt is Format.XLSX:
        return xlsx_stream(principal, scope, options)
    return csv_stream(principal, scope, options)


# --- GeoJSON ------------------------------------------------------------------------------

_encode = msgspec.json.Encoder().encode


def _feature(visit: dict[str, Any], scope: ReportScope, ctx: dict[str, Any]) -> dict[str, Any]:
    village = visit["region_code"]
    visited_on = local_date(visit["started_at"], village)
    return {
        "type": "Feature",
        "id": str(visit["id"]),
        "geometry": {
            "type": "Point",
            "coordinates": [round(visit["gps_lon"], 6), round(visit["gps_lat"], 6)],
        },
        "properties": {
            "visit_id": str(visit["id"]),
            "round_id": scope.round_id,
            "round": scope.round_name,
            "village_code": village,
            "village": ctx["names"].get(village, ""),
            "outcome": visit["outcome"],
            "outcome_label": outcome_label(visit["outcome"]),
            "eligibility": visit["eligibility"],
            "eligibility_label": eligibility_label(visit["eligibility"], village),
            "state": visit["state"],
            "state_label": state_label(visit["state"]),
            "flags": ctx["flags"].get(visit["id"], []),
            "flag_count": visit["flag_count"],
            "proposed_household": bool(visit["proposed_household"]),
            "visited_on": visited_on.isoformat() if visited_on else None,
            "gps_accuracy_m": visit["gps_accuracy_m"],
        },
    }


def _features_chunk(
    visits: list[dict[str, Any]], scope: ReportScope, ctx: dict[str, Any], first: bool
) -> bytes:
    body = _encode([_feature(v, scope, ctx) for v in visits])[1:-1]
    return body if first else b"," + body


async def geojson_stream(principal: Principal, scope: ReportScope) -> AsyncGenerator[bytes, None]:
    """A FeatureCollection of every visit of the round in the region: a Point at the visit's
    GPS fix, its outcome, review state, flags, round and village. No personal data: no
    names, NIK, No. KK, addresses or household ids. Visits without a fix are counted in
    ``skipped_without_gps``."""
    names = await queries.region_names_around(scope.region_code)
    header = {
        "type": "FeatureCollection",
        "name": f"verval-visits-{scope.region_code}-round-{scope.round_id}",
        "region_code": scope.region_code,
        "round_id": scope.round_id,
        "round": scope.round_name,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    yield _encode(header)[:-1] + b',"features":['
    skipped = 0
    first = True
    counts = await queries.visit_counts(principal, scope.region_code, scope.round_id)
    for group in queries.pack(counts):
        cursor: uuid.UUID | None = None
        while True:
            page = await queries.visit_page(
                principal, scope.round_id, group, cursor, queries.PAGE_SIZE
            )
            located = sorted(
                (v for v in page if v["gps_lat"] is not None and v["gps_lon"] is not None),
                key=lambda v: (v["region_code"], str(v["id"])),
            )
            skipped += len(page) - len(located)
            if located:
                flags = await queries.flag_codes([v["id"] for v in located if v["flag_count"]])
                ctx = {"names": names, "flags": flags}
                yield await to_thread.run_sync(_features_chunk, located, scope, ctx, first)
                first = False
            if len(page) < queries.PAGE_SIZE:
                break
            cursor = page[-1]["id"]
    yield b'],"skipped_without_gps":' + str(skipped).encode() + b"}"

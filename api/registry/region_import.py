"""``verval regions import``: the Kemendagri code list into the region tree.

Streams the CSV (``kode,nama``), keeps the rows under ``--only`` (plus that code's
ancestors, so the tree stays connected), and upserts in batches: new codes are
inserted, renamed ones updated, the rest left alone, so running it again is a no-op.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from api import db
from api.audit.service import Actor, append_event
from api.registry import bulk
from api.registry.codes import ancestors, is_region_code, level_of, parent_of, village_kind

SHIPPED_REGIONS = Path(__file__).parent / "data" / "wilayah_kemendagri_2025.csv"
BATCH = 2000


@dataclass
class RegionImportSummary:
    read: int = 0
    created: int = 0
    renamed: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)


def region_rows(path: Path, only: str | None = None) -> Iterator[tuple[int, str, str]]:
    """(line, code, name) of the file's rows under ``only`` (and its ancestors)."""
    keep_exact = set(ancestors(only)) if only else set()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [h.strip().lower() for h in next(reader, [])]
        try:
            code_at, name_at = header.index("kode"), header.index("nama")
        except ValueError:
            raise ValueError("the region file needs the columns kode,nama") from None
        for line, row in enumerate(reader, start=2):
            if len(row) <= max(code_at, name_at):
                yield line, "", ""
                continue
            code, name = row[code_at].strip(), " ".join(row[name_at].split())
            if only and not (code == only or code.startswith(only + ".") or code in keep_exact):
                continue
            yield line, code, name


async def import_regions(
    actor: Actor,
    path: Path = SHIPPED_REGIONS,
    only: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> RegionImportSummary:
    if only is not None and not is_region_code(only):
        raise ValueError(f"--only {only!r} is not a region code such as 17.06")
    summary = RegionImportSummary()
    batch: list[tuple[str, str]] = []
    seen: set[str] = set()  # bounded by the code list (91,599 codes for the whole country)
    for line, code, name in region_rows(path, only):
        summary.read += 1
        if not is_region_code(code) or not name:
            summary.problems.append(f"line {line}: not a region code and name")
            continue
        parent = parent_of(code)
        if parent is not None and parent not in seen:
            if not await _exists(parent):
                summary.problems.append(f"line {line}: {code} comes before its parent {parent}")
                continue
        seen.add(code)
        batch.append((code, name))
        if len(batch) >= BATCH:
            await _upsert(actor, batch, summary)
            batch = []
            if on_progress:
                on_progress(summary.read)
    if batch:
        await _upsert(actor, batch, summary)
    if on_progress:
        on_progress(summary.read)
    return summary


async def _exists(code: str) -> bool:
    return bool(await bulk.fetch("SELECT code FROM region WHERE code = $1", code))


async def _upsert(actor: Actor, batch: list[tuple[str, str]], summary: RegionImportSummary) -> None:
    async with db.write_transaction():
        condition, args = bulk.any_of("code", [code for code, _ in batch], 1)
        rows = await bulk.fetch(f"SELECT code, name FROM region WHERE {condition}", *args)  # noqa: S608
        current = {row["code"]: row["name"] for row in rows}
        new = [(code, name) for code, name in batch if code not in current]
        renamed = [
            (code, name) for code, name in batch if code in current and current[code] != name
        ]
        await bulk.executemany(
            "INSERT INTO region (code, name, level, parent_code, village_kind, bps_code) "
            "VALUES ($1, $2, $3, $4, $5, NULL)",
            [(c, n, level_of(c), parent_of(c), village_kind(c)) for c, n in new],
        )
        await bulk.executemany("UPDATE region SET name = $2 WHERE code = $1", renamed)
        if new or renamed:
            await append_event(
                actor,
                "region.imported",
                "region",
                batch[0][0],
                details={
                    "first": batch[0][0],
                    "last": batch[-1][0],
                    "created": len(new),
                    "renamed": [code for code, _ in renamed][:200],
                },
            )
    summary.created += len(new)
    summary.renamed += len(renamed)
    summary.unchanged += len(batch) - len(new) - len(renamed)

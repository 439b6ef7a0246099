"""Import of a civil-registry extract (CSV or XLSX), streamed at flat memory.

Rows are read one at a time (``api.registry.baseline.readers``) and written in batches
of ``BATCH`` with set-wide SQL: per batch, one query reads the stored content hash of
the batch's NIKs, then new rows are inserted and changed rows updated. A row whose
content hash is already stored changes nothing, so the same file twice changes nothing.
A NIK met twice in one file with different content is a bad row (the first one wins);
an identical repeat is harmless and left alone. Bad rows go to the report (row number,
code, words; never the NIK).
"""

from __future__ import annotations

import csv
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from api import db
from api.audit.service import Actor, append_event
from api.civil_registry.columns import ExtractRow, map_headers, parse_row
from api.registry import bulk
from api.registry.baseline.readers import UnreadableFile, open_rows

BATCH = 1000
REPORT_LIMIT_IN_SUMMARY = 50
# (done, total, unit, counts so far: rows, inserted, updated, unchanged, bad_rows)
Progress = Callable[[int, int | None, str, dict[str, int]], Any]

_INSERT = (
    "INSERT INTO civil_registry_person (nik, kk_number, name, name_key, sex, birth_place, "
    "birth_date, relationship, region_code, death_date, moved_out_on, move_destination, "
    "kk_changed_on, content_hash, evidence, import_run, updated_at) VALUES "
    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
)
_UPDATE = (
    "UPDATE civil_registry_person SET kk_number = $2, name = $3, name_key = $4, sex = $5, "
    "birth_place = $6, birth_date = $7, relationship = $8, region_code = $9, death_date = $10, "
    "moved_out_on = $11, move_destination = $12, kk_changed_on = $13, content_hash = $14, "
    "evidence = $15, import_run = $16, updated_at = $17 WHERE nik = $1"
)


@dataclass
class ImportSummary:
    file_sha256: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    bad_rows: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)  # the first few, for screens

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "bad_rows": self.bad_rows,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_sha256": self.file_sha256,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "bad_rows": self.bad_rows,
            "problems": self.problems,
        }


class MissingColumns(ValueError):
    pass


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _values(row: ExtractRow, evidence: str, run: str, now: datetime) -> list[Any]:
    return [
        row.nik,
        row.kk_number,
        row.name,
        row.name_key,
        row.sex,
        row.birth_place,
        row.birth_date,
        row.relationship,
        row.region_code,
        row.death_date,
        row.moved_out_on,
        row.move_destination,
        row.kk_changed_on,
        row.content_hash,
        evidence,
        run,
        now,
    ]


class _Report:
    def __init__(self, path: Path | None) -> None:
        self.handle = path.open("w", newline="", encoding="utf-8") if path else None
        self.writer = csv.writer(self.handle) if self.handle else None
        if self.writer:
            self.writer.writerow(["row", "code", "message"])

    def write(self, row: int, code: str, message: str) -> None:
        if self.writer:
            self.writer.writerow([row, code, message])

    def close(self) -> None:
        if self.handle:
            self.handle.close()


async def _write_batch(
    batch: list[tuple[int, ExtractRow]],
    source: str,
    run: str,
    summary: ImportSummary,
    report: _Report,
) -> None:
    # The same NIK twice in one batch: the first row wins, a differing later one is bad.
    unique: dict[str, tuple[int, ExtractRow]] = {}
    for number, row in batch:
        first = unique.get(row.nik)
        if first is None:
            unique[row.nik] = (number, row)
        elif first[1].content_hash != row.content_hash:
            _bad(summary, report, number, "nik_duplicate_in_file", f"Same NIK as row {first[0]}.")
        else:
            summary.unchanged += 1
    clause, args = bulk.any_of("nik", list(unique), 1)
    stored = {
        r["nik"]: r
        for r in await bulk.fetch(
            "SELECT nik, content_hash, import_run, evidence FROM civil_registry_person "  # noqa: S608
            f"WHERE {clause}",
            *args,
        )
    }
    now = datetime.now(UTC)
    inserts: list[list[Any]] = []
    updates: list[list[Any]] = []
    for nik, (number, row) in unique.items():
        existing = stored.get(nik)
        evidence = f"extract {source} row {number}"
        if existing is None:
            inserts.append(_values(row, evidence, run, now))
        elif existing["content_hash"] == row.content_hash:
            summary.unchanged += 1
        elif existing["import_run"] == run:
            _bad(summary, report, number, "nik_duplicate_in_file", "Same NIK as an earlier row.")
        else:
            updates.append(_values(row, evidence, run, now))
    async with db.write_transaction():
        await bulk.executemany(_INSERT, inserts)
        await bulk.executemany(_UPDATE, updates)
    summary.inserted += len(inserts)
    summary.updated += len(updates)


def _bad(summary: ImportSummary, report: _Report, number: int, code: str, message: str) -> None:
    summary.bad_rows += 1
    report.write(number, code, message)
    if len(summary.problems) < REPORT_LIMIT_IN_SUMMARY:
        summary.problems.append({"row": number, "code": code, "message": message})


async def import_extract(
    actor: Actor,
    path: Path,
    report_path: Path | None = None,
    *,
    today: date | None = None,
    on_progress: Progress | None = None,
    file_name: str | None = None,
) -> ImportSummary:
    """Import ``path``; raises ``UnreadableFile``/``MissingColumns`` before writing anything."""
    digest = file_sha256(path)
    source = open_rows(path)
    columns, missing = map_headers(source.headers)
    if missing:
        if source.close:
            source.close()
        raise MissingColumns("The file lacks the column(s): " + ", ".join(missing))
    today = today or date.today()
    summary = ImportSummary(file_sha256=digest)
    run = uuid.uuid4().hex
    report = _Report(report_path)
    batch: list[tuple[int, ExtractRow]] = []
    try:
        for number, cells in source.rows:
            summary.rows += 1
            row, problems = parse_row(cells, columns, today)
            for code, message in problems:
                _bad(summary, report, number, code, message)
            if problems:
                summary.bad_rows -= len(problems) - 1  # one bad row, however many problems
            if row is not None:
                batch.append((number, row))
            if len(batch) >= BATCH:
                await _write_batch(batch, digest[:12], run, summary, report)
                batch = []
                if on_progress:
                    await on_progress(
                        source.progress[0], source.total, source.unit, summary.counts()
                    )
        if batch:
            await _write_batch(batch, digest[:12], run, summary, report)
    finally:
        report.close()
    if on_progress:
        await on_progress(
            source.total or source.progress[0], source.total, source.unit, summary.counts()
        )
    async with db.write_transaction():
        await append_event(
            actor,
            "civil_registry.extract_imported",
            "civil_registry_extract",
            digest[:12],
            details={
                "file_name": (file_name or path.name)[:200],
                **{k: v for k, v in summary.as_dict().items() if k != "problems"},
            },
        )
    return summary


__all__ = ["ImportSummary", "MissingColumns", "UnreadableFile", "import_extract"]

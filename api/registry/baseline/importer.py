"""``verval baseline import``: the register's household list into the database.

One row per member, the household's columns repeated on each of its rows (see
``docs/baseline-import.md``). Rows are streamed and handled in batches of whole
families, one transaction per batch, so memory stays flat for any file size.

The unit of acceptance is the family card: if any row of a family has an error, none of
its rows are imported (the others are reported as ``family_rejected``), so a household's
members on the phone are never a partial list. Warnings never reject: the row is
imported and the questionable value is left blank for the enumerator to fill in.

Idempotent upsert keyed on the No. KK: a household's normalised content is hashed; the
same content again changes nothing, different content updates the household and its
members (matched by NIK, so member ids survive corrections). Households that are not in
the file are left alone: the register is often exported one district at a time.
"""

from __future__ import annotations

import csv
import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TextIO

from api import db
from api.audit.service import Actor, append_event
from api.civil_registry.names import name_key
from api.registry import bulk, changes
from api.registry.baseline.columns import (
    SEX_CODES,
    Columns,
    answer_fields,
    answer_value,
    code_of,
    map_columns,
    parse_date,
    text_of,
)
from api.registry.baseline.readers import RowSource, UnreadableFile, open_rows
from api.registry.codes import is_region_code, level_of, normalise_rt_rw
from survey_forms.identity import check_kk, check_nik, mask_nik, today_in_indonesia

REPORT_COLUMNS = ("row", "no_kk", "nik", "level", "code", "reason")
# Indonesia's bounding box, with a margin: a reference location outside it is a typo.
LAT_RANGE, LON_RANGE = (-11.5, 6.5), (94.5, 141.5)
RELATIONSHIP_CODES = frozenset("12345678")
MARITAL_CODES = frozenset("1234")
HEAD = "1"

ProgressCallback = Callable[[int, int | None, str], None]


@dataclass(frozen=True)
class Issue:
    row: int
    kk: str
    nik: str
    level: str  # error | warning
    code: str
    reason: str

    def report_row(self) -> list[str]:
        return [
            str(self.row),
            mask_nik(self.kk) if self.kk else "",
            mask_nik(self.nik) if self.nik else "",
            self.level,
            self.code,
            self.reason,
        ]


@dataclass
class Member:
    row: int
    nik: str
    name: str
    sex: str
    birth_date: date | None
    relationship: str
    marital_status: str | None
    position: int
    answers: dict[str, Any]

    def content(self) -> dict[str, Any]:
        return {
            "nik": self.nik,
            "name": self.name,
            "sex": self.sex,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "relationship": self.relationship,
            "marital_status": self.marital_status,
            "position": self.position,
            "answers": self.answers,
        }


@dataclass
class Family:
    """The rows of one family card, parsed and checked."""

    kk: str
    rows: list[int]
    region_code: str = ""
    address: str = ""
    rt: str = ""
    rw: str = ""
    latitude: float | None = None
    longitude: float | None = None
    decile: int | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    members: list[Member] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    row_niks: dict[int, str] = field(default_factory=dict)
    duplicate: bool = False  # a No. KK already met earlier in this file

    @property
    def rejected(self) -> bool:
        return bool(self.errors)

    def error(self, row: int, nik: str, code: str, reason: str) -> None:
        self.errors.append(Issue(row, self.kk, nik, "error", code, reason))

    def warn(self, row: int, nik: str, code: str, reason: str) -> None:
        self.warnings.append(Issue(row, self.kk, nik, "warning", code, reason))

    def error_all_rows(self, code: str, reason: str) -> None:
        for row in self.rows:
            self.error(row, self.row_niks.get(row, ""), code, reason)

    @property
    def head(self) -> Member | None:
        return next((m for m in self.members if m.relationship == HEAD), None)

    def content(self) -> dict[str, Any]:
        return {
            "region_code": self.region_code,
            "address": self.address,
            "rt": self.rt,
            "rw": self.rw,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "decile": self.decile,
            "baseline": self.answers,
            "members": [m.content() for m in self.members],
        }

    @cached_property
    def digest(self) -> str:
        return self.content_hash()

    def content_hash(self) -> str:
        text = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class ImportSummary:
    run_id: str
    file_sha256: str = ""
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    households_created: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    households_rejected: int = 0
    members_written: int = 0
    warnings: int = 0
    ignored_columns: tuple[str, ...] = ()
    report_path: str | None = None

    @property
    def households_imported(self) -> int:
        return self.households_created + self.households_updated + self.households_unchanged


class ReportWriter:
    """The row report: one line per problem (errors and warnings), NIK and No. KK masked."""

    def __init__(self, handle: TextIO | None) -> None:
        self._writer = csv.writer(handle) if handle is not None else None
        if self._writer is not None:
            self._writer.writerow(REPORT_COLUMNS)

    def write(self, issues: list[Issue]) -> None:
        if self._writer is None:
            return
        for issue in sorted(issues, key=lambda i: (i.row, i.level != "error")):
            self._writer.writerow(issue.report_row())


# --- parsing ----------------------------------------------------------------------------


def _cell(row: list[Any], index: int | None) -> Any:
    if index is None or index >= len(row):
        return None
    return row[index]


def _digits(value: Any) -> str:
    """A NIK or No. KK cell as text; Excel may have stored it as a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return text_of(value).replace(" ", "").replace("'", "")


class Parser:
    def __init__(
        self, columns: Columns, today: date, is_known_district: Callable[[str], bool]
    ) -> None:
        self.columns = columns
        self.today = today
        self.is_known_district = is_known_district
        self.household_fields, self.member_fields = answer_fields()
        # (field, legacy column, cell) → (value, valid): answers are a few codes repeated
        # over every row, so each distinct cell is parsed once (bounded, see _answer).
        self._memo: dict[tuple[str, str | None, Any], tuple[Any, bool]] = {}
        # The per-row work, prepared once: (key, column index, legacy name, field).
        self._household_plan = [
            (key, index, legacy, self.household_fields[key])
            for key, (index, legacy) in columns.household_answers.items()
        ]
        self._member_plan = [
            (key, index, legacy, self.member_fields[key])
            for key, (index, legacy) in columns.member_answers.items()
        ]
        self._positions = dict(columns.positions)

    def _col(self, key: str) -> int | None:
        return self._positions.get(key)

    def kk_of(self, row: list[Any]) -> str:
        return _digits(_cell(row, self._col("no_kk")))

    def family(self, kk: str, rows: list[tuple[int, list[Any]]]) -> Family:
        family = Family(kk=kk, rows=[number for number, _ in rows])
        family.row_niks = {number: _digits(_cell(row, self._col("nik"))) for number, row in rows}
        first_number, first = rows[0]
        self._household_fields(family, first_number, first)
        for number, row in rows[1:]:
            code = text_of(_cell(row, self._col("region_code")))
            if code != family.region_code:
                family.error(
                    number,
                    "",
                    "region_differs",
                    f"The rows of this family card name different villages "
                    f"({family.region_code} on row {first_number}, {code or 'none'} here).",
                )
        for position, (number, row) in enumerate(rows, start=1):
            self._member(family, number, row, position)
        self._family_checks(family)
        return family

    def _household_fields(self, family: Family, number: int, row: list[Any]) -> None:
        if not family.kk:
            family.error_all_rows("kk_missing", "No. KK is empty.")
        else:
            check = check_kk(family.kk, today=self.today, is_known_district=self.is_known_district)
            for issue in check.errors:
                family.error_all_rows("kk_invalid", f"No. KK: {issue.message_en}.")
            for issue in check.warnings:
                family.warn(number, "", f"kk_{issue.code}", f"No. KK: {issue.message_en}.")
        region = text_of(_cell(row, self._col("region_code")))
        family.region_code = region
        if not region:
            family.error_all_rows("region_missing", "The region code (kode_wilayah) is empty.")
        elif not is_region_code(region):
            family.error_all_rows(
                "region_invalid",
                f"The region code {region!r} is not a Kemendagri code (e.g. 17.06.01.2005).",
            )
        elif level_of(region) != "village":
            family.error_all_rows(
                "region_not_village",
                f"The region code {region} is a {level_of(region)}, not a village.",
            )
        family.address = text_of(_cell(row, self._col("address")))[:500]
        for key in ("rt", "rw"):
            raw = _cell(row, self._col(key))
            value = normalise_rt_rw(raw)
            if value is None:
                family.warn(number, "", f"{key}_invalid", f"{key.upper()} {raw!r} is not a number.")
                value = ""
            setattr(family, key, value)
        family.latitude, family.longitude = self._location(family, number, row)
        decile = code_of(_cell(row, self._col("decile")))
        if decile:
            if decile.isdigit() and 1 <= int(decile) <= 10:
                family.decile = int(decile)
            else:
                family.warn(number, "", "decile_invalid", f"Decile {decile!r} is not 1-10.")
        family.answers = self._answers(family, number, "", row, self._household_plan)

    def _location(
        self, family: Family, number: int, row: list[Any]
    ) -> tuple[float | None, float | None]:
        raw_lat = text_of(_cell(row, self._col("latitude"))).replace(",", ".")
        raw_lon = text_of(_cell(row, self._col("longitude"))).replace(",", ".")
        if not raw_lat and not raw_lon:
            return None, None
        try:
            lat, lon = float(raw_lat), float(raw_lon)
        except ValueError:
            family.warn(number, "", "location_invalid", "The location is not a pair of numbers.")
            return None, None
        if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
            family.warn(number, "", "location_outside", "The location is outside Indonesia.")
            return None, None
        return round(lat, 7), round(lon, 7)

    def _answers(
        self,
        family: Family,
        number: int,
        nik: str,
        row: list[Any],
        plan: list[tuple[str, int, str | None, Any]],
    ) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        memo = self._memo
        width = len(row)
        for key, index, legacy_name, spec in plan:
            raw = row[index] if index < width else None
            if raw is None or raw == "":
                continue
            cached = memo.get((key, legacy_name, raw)) if type(raw) is not list else None
            if cached is None:
                cached = answer_value(raw, spec, legacy_name)
                if len(memo) < 100_000:
                    memo[(key, legacy_name, raw)] = cached
            value, ok = cached
            if not ok:
                family.warn(
                    number,
                    nik,
                    "value_invalid",
                    f"{legacy_name or key}: {text_of(raw)!r} is not a valid value; left blank.",
                )
            elif value is not None:
                answers[key] = list(value) if isinstance(value, list) else value
        return answers

    def _member(self, family: Family, number: int, row: list[Any], position: int) -> None:
        nik = _digits(_cell(row, self._col("nik")))
        derived_sex: str | None = None
        derived_birth: date | None = None
        if not nik:
            family.error(number, "", "nik_missing", "NIK is empty.")
        else:
            check = check_nik(nik, today=self.today, is_known_district=self.is_known_district)
            for issue in check.errors:
                family.error(number, nik, f"nik_{issue.code}", f"NIK: {issue.message_en}.")
            for issue in check.warnings:
                family.warn(number, nik, f"nik_{issue.code}", f"NIK: {issue.message_en}.")
            if check.sex:
                derived_sex = "1" if check.sex == "male" else "2"
            derived_birth = check.birth_date
        name = " ".join(text_of(_cell(row, self._col("name"))).split())[:200]
        if not name:
            family.error(number, nik, "name_missing", "The name is empty.")
        relationship = code_of(_cell(row, self._col("relationship")))
        if relationship not in RELATIONSHIP_CODES:
            family.error(
                number,
                nik,
                "relationship_invalid",
                f"Relationship to the head {relationship!r} is not a code 1-8.",
            )
        sex = self._sex(family, number, nik, row, derived_sex)
        birth = self._birth(family, number, nik, row, derived_birth)
        marital = code_of(_cell(row, self._col("marital_status"))) or None
        if marital is not None and marital not in MARITAL_CODES:
            family.warn(
                number, nik, "value_invalid", f"Marital status {marital!r} is not 1-4; left blank."
            )
            marital = None
        raw_position = code_of(_cell(row, self._col("position")))
        if raw_position.isdigit() and 0 < int(raw_position) < 100:
            position = int(raw_position)
        answers = self._answers(family, number, nik, row, self._member_plan)
        family.members.append(
            Member(number, nik, name, sex, birth, relationship, marital, position, answers)
        )

    def _sex(
        self, family: Family, number: int, nik: str, row: list[Any], derived: str | None
    ) -> str:
        raw = code_of(_cell(row, self._col("sex")))
        if not raw:
            return derived or ""
        sex = SEX_CODES.get(raw)
        if sex is None:
            family.warn(
                number, nik, "sex_invalid", f"Sex {raw!r} is not 1/2 or L/P; taken from the NIK."
            )
            return derived or ""
        if derived and sex != derived:
            family.warn(number, nik, "sex_mismatch", "The sex column does not match the NIK.")
        return sex

    def _birth(
        self, family: Family, number: int, nik: str, row: list[Any], derived: date | None
    ) -> date | None:
        raw = _cell(row, self._col("birth_date"))
        try:
            birth = parse_date(raw)
        except ValueError:
            family.warn(
                number,
                nik,
                "birth_date_invalid",
                "The birth date is not a date; taken from the NIK.",
            )
            return derived
        if birth is None:
            return derived
        if birth > self.today:
            family.warn(
                number,
                nik,
                "birth_date_future",
                "The birth date is in the future; taken from the NIK.",
            )
            return derived
        if derived and (birth.day, birth.month, birth.year % 100) != (
            derived.day,
            derived.month,
            derived.year % 100,
        ):
            family.warn(
                number, nik, "birth_date_mismatch", "The birth date does not match the NIK."
            )
        return birth

    def _family_checks(self, family: Family) -> None:
        seen: dict[str, int] = {}
        for member in family.members:
            if not member.nik:
                continue
            if member.nik in seen:
                family.error(
                    member.row,
                    member.nik,
                    "nik_duplicate_in_family",
                    f"The same NIK is on row {seen[member.nik]} of this family card.",
                )
            else:
                seen[member.nik] = member.row
        heads = [m for m in family.members if m.relationship == HEAD]
        if not heads and family.members:
            family.error(
                family.rows[0],
                "",
                "head_missing",
                "No member of this family card is the head (relationship 1).",
            )
        for extra in heads[1:]:
            family.error(
                extra.row,
                extra.nik,
                "head_multiple",
                f"A second head of the family (the first is on row {heads[0].row}).",
            )


def reject_rest(family: Family) -> None:
    """Every row of a rejected family without an error of its own gets ``family_rejected``."""
    with_errors = {issue.row for issue in family.errors}
    if not with_errors:
        return
    first = min(with_errors)
    for member in family.members:
        if member.row not in with_errors:
            family.error(
                member.row,
                member.nik,
                "family_rejected",
                f"Not imported: another row of this family card (row {first}) has an error.",
            )


# --- the import -------------------------------------------------------------------------


def _families(source: RowSource, parser: Parser) -> Iterator[Family]:
    """Consecutive rows with the same No. KK form one family."""
    current: list[tuple[int, list[Any]]] = []
    current_kk: str | None = None
    for number, row in source.rows:
        kk = parser.kk_of(row)
        if current and (kk != current_kk or not kk):
            yield parser.family(current_kk or "", current)
            current = []
        current_kk = kk
        current.append((number, row))
    if current:
        yield parser.family(current_kk or "", current)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


class BaselineImporter:
    def __init__(
        self,
        actor: Actor,
        *,
        batch_rows: int = 2000,
        today: date | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.actor = actor
        self.batch_rows = batch_rows
        self.today = today or today_in_indonesia()
        self.on_progress = on_progress
        self.run_id = uuid.uuid4().hex[:12]
        self._villages: dict[str, bool] = {}  # bounded by the region table, not the file
        self._districts: set[str] = set()

    async def run(
        self, path: Path, report: TextIO | None = None, *, sheet: str | None = None
    ) -> ImportSummary:
        source = open_rows(path, sheet)
        columns = map_columns(source.headers)
        if columns.missing:
            if source.close:
                source.close()
            raise UnreadableFile(
                "Required columns are missing: "
                + ", ".join(columns.missing)
                + " (see docs/baseline-import.md for the accepted names)."
            )
        summary = ImportSummary(
            run_id=self.run_id, file_sha256=_file_sha256(path), ignored_columns=columns.ignored
        )
        self._districts = {
            row["code"]
            for row in await bulk.fetch("SELECT code FROM region WHERE level = 'district'")
        }
        parser = Parser(columns, self.today, self._known_district)
        writer = ReportWriter(report)
        batch: list[Family] = []
        batch_size = 0
        for family in _families(source, parser):
            batch.append(family)
            batch_size += len(family.rows)
            if batch_size >= self.batch_rows:
                await self._batch(batch, summary, writer)
                batch, batch_size = [], 0
                if self.on_progress:
                    self.on_progress(source.progress[0], source.total, source.unit)
        if batch:
            await self._batch(batch, summary, writer)
        if self.on_progress:
            self.on_progress(source.total or source.progress[0], source.total, source.unit)
        async with db.write_transaction():
            await bulk.execute_count(
                "DELETE FROM baseline_import_mark WHERE import_run LIKE $1", f"{self.run_id}:%"
            )
            await append_event(
                self.actor,
                "baseline.imported",
                "baseline_import",
                self.run_id,
                details=_summary_details(summary),
            )
        return summary

    def _known_district(self, code: str) -> bool:
        # Before any region is loaded every prefix would be "unknown": no warning then.
        return not self._districts or code in self._districts

    async def _load_villages(self, codes: set[str]) -> None:
        unknown = [c for c in codes if c not in self._villages]
        if not unknown:
            return
        condition, args = bulk.any_of("code", unknown, 1)
        found = await bulk.fetch(
            f"SELECT code FROM region WHERE level = 'village' AND {condition}",  # noqa: S608
            *args,
        )
        known = {row["code"] for row in found}
        for code in unknown:
            self._villages[code] = code in known

    async def _batch(
        self, families: list[Family], summary: ImportSummary, writer: ReportWriter
    ) -> None:
        await self._load_villages({f.region_code for f in families if not f.rejected})
        for family in families:
            if not family.rejected and not self._villages.get(family.region_code, False):
                family.error_all_rows(
                    "region_unknown",
                    f"The village {family.region_code} is not in the region list "
                    "(run `verval regions import` first).",
                )
        existing = await self._existing_households(families)
        await self._duplicates(families)
        await self._nik_conflicts(families, existing)
        for family in families:
            reject_rest(family)
        accepted = [f for f in families if not f.rejected]

        created = [f for f in accepted if f.kk not in existing]
        changed = [
            f for f in accepted if f.kk in existing and existing[f.kk]["content_hash"] != f.digest
        ]
        unchanged = [
            f for f in accepted if f.kk in existing and existing[f.kk]["content_hash"] == f.digest
        ]
        async with db.write_transaction():
            finish_updates = await self._update(changed, existing)  # deletes go first
            created_ids = await self._insert(created)
            await finish_updates()
            await self._mark(families)
            changed_ids = [existing[f.kk]["id"] for f in changed]
            await changes.record_for_households(changed_ids)
            await append_event(
                self.actor,
                "baseline.import_batch",
                "baseline_import",
                self.run_id,
                details={
                    "rows": [families[0].rows[0], families[-1].rows[-1]],
                    "created": sorted(created_ids),
                    "updated": sorted(changed_ids),
                    "unchanged": len(unchanged),
                    "rejected_rows": sum(len(f.rows) for f in families if f.rejected),
                },
            )
        summary.households_created += len(created)
        summary.households_updated += len(changed)
        summary.households_unchanged += len(unchanged)
        summary.members_written += sum(len(f.members) for f in [*created, *changed])
        for family in families:
            summary.rows_read += len(family.rows)
            if family.rejected:
                summary.households_rejected += 1
                summary.rows_rejected += len(family.rows)
            else:
                summary.rows_imported += len(family.rows)
            summary.warnings += len(family.warnings)
            writer.write([*family.errors, *family.warnings])

    async def _existing_households(self, families: list[Family]) -> dict[str, dict[str, Any]]:
        kks = sorted({f.kk for f in families if f.kk})
        if not kks:
            return {}
        condition, args = bulk.any_of("kk_number", kks, 1)
        rows = await bulk.fetch(
            "SELECT id, kk_number, content_hash FROM household "  # noqa: S608
            f"WHERE {condition}",
            *args,
        )
        return {row["kk_number"]: row for row in rows}

    async def _duplicates(self, families: list[Family]) -> None:
        """The same No. KK twice in one file: the later family is rejected.

        Earlier batches left a mark per family card (``baseline_import_mark``); within the
        batch a dict does. Nothing about the file is kept in memory across batches.
        """
        kks = sorted({f.kk for f in families if f.kk})
        marks: dict[str, str] = {}
        if kks:
            condition, args = bulk.any_of("kk_number", kks, 1)
            rows = await bulk.fetch(
                f"SELECT kk_number, import_run FROM baseline_import_mark WHERE {condition}",  # noqa: S608
                *args,
            )
            marks = {row["kk_number"]: row["import_run"] for row in rows}
        first_rows: dict[str, int] = {}
        for family in families:
            if not family.kk:
                continue
            earlier: int | None = first_rows.get(family.kk)
            if earlier is None and family.kk in marks:
                run, _, row = marks[family.kk].partition(":")
                if run == self.run_id and row.isdigit():
                    earlier = int(row)
            if earlier is not None:
                family.duplicate = True
                family.errors.clear()
                family.warnings.clear()
                family.error_all_rows(
                    "kk_duplicate",
                    f"The same No. KK already appeared at row {earlier} of this file "
                    "(a family's rows must be together).",
                )
                continue
            first_rows[family.kk] = family.rows[0]

    async def _mark(self, families: list[Family]) -> None:
        await bulk.executemany(
            "INSERT INTO baseline_import_mark (kk_number, import_run) VALUES ($1, $2) "
            "ON CONFLICT (kk_number) DO UPDATE SET import_run = EXCLUDED.import_run",
            [
                (f.kk, f"{self.run_id}:{f.rows[0]}")
                for f in families
                if f.kk and len(f.kk) <= 16 and not f.duplicate
            ],
        )

    async def _nik_conflicts(
        self, families: list[Family], existing: dict[str, dict[str, Any]]
    ) -> None:
        """A NIK that belongs to another family card (in the database or earlier in this batch)."""
        niks = sorted({m.nik for f in families if not f.rejected for m in f.members})
        if not niks:
            return
        condition, args = bulk.any_of("m.nik", niks, 1)
        rows = await bulk.fetch(
            "SELECT m.nik AS nik, h.kk_number AS kk FROM household_member m "  # noqa: S608
            f"JOIN household h ON h.id = m.household WHERE {condition}",
            *args,
        )
        owner_in_db = {row["nik"]: row["kk"] for row in rows}
        by_kk = {f.kk: f for f in families}
        # A family rejected here may keep a NIK another family of this batch relied on
        # being released, so repeat until nothing changes (rare; usually one pass).
        for _ in range(5):
            changed = False
            claimed: dict[str, str] = {}
            for family in families:
                if family.rejected:
                    continue
                problems: list[tuple[Member, str]] = []
                for member in family.members:
                    other = claimed.get(member.nik)
                    if other is None:
                        owner = owner_in_db.get(member.nik)
                        if owner is not None and owner != family.kk:
                            releaser = by_kk.get(owner)
                            released = (
                                releaser is not None
                                and not releaser.rejected
                                and all(m.nik != member.nik for m in releaser.members)
                            )
                            if not released:
                                other = owner
                    if other is not None:
                        problems.append((member, other))
                for member, other in problems:
                    family.error(
                        member.row,
                        member.nik,
                        "nik_in_other_family",
                        f"This NIK already belongs to another family card ({mask_nik(other)}).",
                    )
                if problems:
                    changed = True
                    continue
                for member in family.members:
                    claimed[member.nik] = family.kk
            if not changed:
                break

    async def _insert(self, families: list[Family]) -> list[int]:
        if not families:
            return []
        now = datetime.now(UTC)
        await bulk.executemany(
            "INSERT INTO household (kk_number, region_code, address, rt, rw, head_name, "
            "head_nik, latitude, longitude, decile, baseline, member_count, status, "
            "content_hash, created_at, updated_at) VALUES "
            "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'active', $13, $14, $14)",
            [self._household_values(f, now) for f in families],
        )
        condition, args = bulk.any_of("kk_number", [f.kk for f in families], 1)
        rows = await bulk.fetch(
            f"SELECT id, kk_number FROM household WHERE {condition}",  # noqa: S608
            *args,
        )
        ids = {row["kk_number"]: row["id"] for row in rows}
        await self._insert_members([(ids[f.kk], m) for f in families for m in f.members])
        return list(ids.values())

    def _household_values(self, family: Family, now: datetime) -> tuple[Any, ...]:
        head = family.head
        return (
            family.kk,
            family.region_code,
            family.address,
            family.rt,
            family.rw,
            head.name if head else "",
            head.nik if head else None,
            family.latitude,
            family.longitude,
            family.decile,
            json.dumps(family.answers, sort_keys=True),
            len(family.members),
            family.digest,
            now,
        )

    async def _insert_members(self, members: list[tuple[int, Member]]) -> None:
        await bulk.executemany(
            "INSERT INTO household_member (household, position, nik, name, sex, birth_date, "
            "relationship, marital_status, answers, name_key) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            [
                (
                    household_id,
                    m.position,
                    m.nik,
                    m.name,
                    m.sex,
                    m.birth_date,
                    m.relationship,
                    m.marital_status,
                    json.dumps(m.answers, sort_keys=True),
                    name_key(m.name),
                )
                for household_id, m in members
            ],
        )

    async def _update(
        self, families: list[Family], existing: dict[str, dict[str, Any]]
    ) -> Callable[[], Awaitable[None]]:
        """Update changed households and delete their departed members now; returns the
        member updates and inserts to run after every delete of the batch (a NIK can move
        from one family of the batch to another)."""
        if not families:
            return _nothing
        now = datetime.now(UTC)
        await bulk.executemany(
            "UPDATE household SET region_code = $2, address = $3, rt = $4, rw = $5, "
            "head_name = $6, head_nik = $7, latitude = $8, longitude = $9, decile = $10, "
            "baseline = $11, member_count = $12, content_hash = $13, "
            "updated_at = $14 WHERE kk_number = $1",
            [self._household_values(f, now) for f in families],
        )
        ids = [existing[f.kk]["id"] for f in families]
        condition, args = bulk.any_of("household", ids, 1)
        rows = await bulk.fetch(
            f"SELECT id, household, nik FROM household_member WHERE {condition}",  # noqa: S608
            *args,
        )
        current: dict[tuple[int, str], int] = {(r["household"], r["nik"]): r["id"] for r in rows}
        wanted = {(existing[f.kk]["id"], m.nik): m for f in families for m in f.members}
        removed = [member_id for key, member_id in current.items() if key not in wanted]
        if removed:
            condition, args = bulk.any_of("id", removed, 1)
            await bulk.execute_count(f"DELETE FROM household_member WHERE {condition}", *args)  # noqa: S608

        async def members() -> None:
            await bulk.executemany(
                "UPDATE household_member SET position = $2, name = $3, sex = $4, "
                "birth_date = $5, relationship = $6, marital_status = $7, answers = $8, "
                "name_key = $9 WHERE id = $1",
                [
                    (
                        current[key],
                        m.position,
                        m.name,
                        m.sex,
                        m.birth_date,
                        m.relationship,
                        m.marital_status,
                        json.dumps(m.answers, sort_keys=True),
                        name_key(m.name),
                    )
                    for key, m in wanted.items()
                    if key in current
                ],
            )
            await self._insert_members(
                [(key[0], m) for key, m in wanted.items() if key not in current]
            )

        return members


async def _nothing() -> None:
    return None


def _summary_details(summary: ImportSummary) -> dict[str, Any]:
    return {
        "file_sha256": summary.file_sha256,
        "rows_read": summary.rows_read,
        "rows_imported": summary.rows_imported,
        "rows_rejected": summary.rows_rejected,
        "households_created": summary.households_created,
        "households_updated": summary.households_updated,
        "households_unchanged": summary.households_unchanged,
        "households_rejected": summary.households_rejected,
        "warnings": summary.warnings,
    }


async def import_baseline(
    actor: Actor,
    path: Path,
    report_path: Path | None = None,
    *,
    sheet: str | None = None,
    batch_rows: int = 2000,
    today: date | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportSummary:
    importer = BaselineImporter(actor, batch_rows=batch_rows, today=today, on_progress=on_progress)
    if report_path is None:
        return await importer.run(path, None, sheet=sheet)
    with report_path.open("w", newline="", encoding="utf-8") as handle:
        summary = await importer.run(path, handle, sheet=sheet)
    summary.report_path = str(report_path)
    return summary

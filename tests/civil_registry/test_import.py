"""Import of an extract: idempotent, bad rows reported (never the NIK), XLSX and SIAK names."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from api.civil_registry.importer import MissingColumns, import_extract
from api.civil_registry.tables import CivilPerson
from tests.civil_registry.world import ACTOR, EXTRACT, TODAY, extract_rows, kk, nik, write_extract


async def _snapshot() -> list[dict]:
    return await CivilPerson.select().order_by(CivilPerson.nik)  # type: ignore[no-any-return]


async def test_the_same_file_twice_changes_nothing(database, tmp_path: Path) -> None:
    path = write_extract(tmp_path / "extract.csv")
    first = await import_extract(ACTOR, path, today=TODAY)
    assert (first.rows, first.inserted, first.bad_rows) == (len(EXTRACT), len(EXTRACT), 0)
    before = await _snapshot()
    second = await import_extract(ACTOR, path, today=TODAY)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, len(EXTRACT))
    assert await _snapshot() == before
    row = next(r for r in before if r["nik"] == nik(1))
    assert row["evidence"] == f"extract {first.file_sha256[:12]} row 2"
    assert str(row["death_date"])[:10] == "2026-03-04"


async def test_a_newer_extract_updates_the_rows_that_changed(database, tmp_path: Path) -> None:
    await import_extract(ACTOR, write_extract(tmp_path / "old.csv"), today=TODAY)
    rows = extract_rows()
    rows[2][2] = "Ahmad Fauzi Rahman"
    summary = await import_extract(ACTOR, write_extract(tmp_path / "new.csv", rows), today=TODAY)
    assert (summary.updated, summary.unchanged, summary.inserted) == (1, len(EXTRACT) - 1, 0)
    row = await CivilPerson.select().where(CivilPerson.nik == nik(3)).first()
    assert row["name"] == "Ahmad Fauzi Rahman"
    assert row["evidence"].endswith("row 4")


async def test_bad_rows_are_reported_and_the_rest_imported(database, tmp_path: Path) -> None:
    good = extract_rows()[:2]
    bad = [
        ["17060100000000", kk(1), "Short Nik", "1", "", "1990-01-01", "1", "", "", "", "", ""],
        [nik(90), kk(1), "Bad Date", "1", "", "31-02-1990", "1", "", "", "", "", ""],
        [nik(91), kk(1), "", "1", "", "1990-01-01", "1", "", "", "", "", ""],
        [nik(92), kk(1), "Died Before", "1", "", "1990-01-01", "1", "1980-01-01", "", "", "", ""],
        [nik(93), kk(1), "Dies Later", "1", "", "1990-01-01", "1", "2030-01-01", "", "", "", ""],
        [nik(1), kk(1), "Someone Else", "2", "", "1999-09-09", "1", "", "", "", "", ""],
    ]
    report = tmp_path / "bad.csv"
    summary = await import_extract(
        ACTOR, write_extract(tmp_path / "x.csv", good + bad), report, today=TODAY
    )
    assert summary.inserted == 2
    assert summary.bad_rows == len(bad)
    with report.open(encoding="utf-8") as handle:
        reported = list(csv.DictReader(handle))
    codes = {(r["row"], r["code"]) for r in reported}
    assert ("4", "invalid_nik") in codes
    assert ("5", "birth_date_invalid") in codes
    assert ("6", "name_missing") in codes
    assert ("7", "death_before_birth") in codes
    assert ("8", "death_date_in_future") in codes
    assert ("9", "nik_duplicate_in_file") in codes
    text = report.read_text(encoding="utf-8")
    assert nik(1) not in text and "17060100000000" not in text  # never a NIK in the report
    assert await CivilPerson.count() == 2


async def test_xlsx_with_the_siak_column_names(database, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["NIK", "NO_KK", "NAMA_LGKP", "JENIS_KLMIN", "TGL_LHR", "STAT_HBKEL", "TGL_KEMATIAN"]
    )
    sheet.append(
        [nik(1), kk(1), "Muhamad Rizki", "LAKI-LAKI", "01-05-1980", "KEPALA KELUARGA", "04/03/2026"]
    )
    path = tmp_path / "siak.xlsx"
    workbook.save(path)
    summary = await import_extract(ACTOR, path, today=TODAY)
    assert (summary.inserted, summary.bad_rows) == (1, 0)
    row = await CivilPerson.select().where(CivilPerson.nik == nik(1)).first()
    assert (row["sex"], row["relationship"], str(row["death_date"])[:10]) == (
        "1",
        "1",
        "2026-03-04",
    )


async def test_a_file_without_the_required_columns_changes_nothing(
    database, tmp_path: Path
) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("nik,nama\n1706010000000001,Siti\n", encoding="utf-8")
    with pytest.raises(MissingColumns, match="kk_number"):
        await import_extract(ACTOR, path, today=TODAY)
    assert await CivilPerson.count() == 0

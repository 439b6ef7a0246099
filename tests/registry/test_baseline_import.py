"""Baseline import: every kind of bad row (exact report), idempotent re-import, corrections,
CSV and XLSX, the register's legacy column names. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openpyxl import Workbook

from api.audit.tables import AuditEvent
from api.civil_registry.names import name_key
from api.registry.baseline.columns import map_columns
from api.registry.baseline.readers import UnreadableFile
from api.registry.tables import Household, HouseholdMember, ImportMark
from tests.registry.conftest import read_report, run_import, write_rows

LEGACY_HEADER = [
    "nokk", "nik", "nama", "alamat", "rt", "rw", "kode_wilayah", "hubungan_keluarga",
    "jenis_kelamin", "tanggal_lahir", "sta_bangunan", "lantai", "dinding", "atap",
    "sumber_airminum", "sumber_penerangan", "bb_masak", "fasbab", "desil",
]  # fmt: skip
V = "17.06.01.2005"
KK_A = "1706011203150001"
HOUSING = ["1", "8", "1", "6", "5", "1", "3", "4"]  # BDT codes


def family_a() -> list[list[Any]]:
    return [
        [KK_A, "1706011505780001", "Sutrisno", "Jl. Merdeka No. 1", "1", "2", V, "1", "L", "15-05-1978", *HOUSING, "1"],
        [KK_A, "1706016208820002", "Siti Aminah", "Jl. Merdeka No. 1", "1", "2", V, "2", "P", "22/08/1982", *HOUSING, "1"],
        [KK_A, "1706010311050003", "Budi Santoso", "Jl. Merdeka No. 1", "1", "2", V, "3", "L", "2005-11-03", *HOUSING, "1"],
    ]  # fmt: skip


def every_kind_of_row() -> list[list[Any]]:
    def one(kk: str, nik: str, name: str = "Warga", rel: str = "1", village: str = V) -> list[Any]:
        return [kk, nik, name, "Dusun II", "3", "1", village, rel, "", "", *HOUSING, ""]

    return [
        *family_a(),  # rows 2-4: good
        [  # row 5: good, with warnings (RT not a number, decile out of range, sex mismatch)
            "1706011203150002",
            "1706014101900005",
            "Rukiah",
            "Dusun I",
            "abc",
            "1",
            V,
            "1",
            "L",
            "",
            *HOUSING,
            "12",
        ],
        one("1706011203150003", "1706011505780006", rel="1"),  # row 6: rejected with row 7
        one("1706011203150003", "170601150578000", rel="3"),  # row 7: NIK of 15 digits
        one("1706011203150004", "1706013505780007"),  # row 8: NIK day 35
        one("1706011203150000", "1706011505780008"),  # row 9: No. KK serial 0000
        one("1706011203150005", "1706011505780009", village="17.06.01.2999"),  # row 10
        one("1706011203150006", "1706011505780001"),  # row 11: family A's head
        one("1706011203150007", "1706011505780010"),  # row 12: rejected with row 13
        one("1706011203150007", "1706011505780010", rel="3"),  # row 13: NIK twice
        one("1706011203150008", "1706011505780011", rel="3"),  # row 14: no head
        one(KK_A, "1706011505780012"),  # row 15: family A again, after others
        one("", "1706011505780013"),  # row 16: no No. KK
        one("1706011203150009", "1706011505780014", village="17.06.01"),  # row 17: a district
        one("1706011203150010", "1706011505780015", name=""),  # row 18: no name
    ]


@pytest.mark.parametrize("batch_rows", [2000, 1])  # one batch; a batch per family
async def test_every_kind_of_bad_row_is_reported_exactly(database, mukomuko, tmp_path, batch_rows):
    source = write_rows(tmp_path / "baseline.csv", LEGACY_HEADER, every_kind_of_row())
    report = tmp_path / "report.csv"
    summary = await run_import(source, report, batch_rows=batch_rows)

    assert (summary.rows_read, summary.rows_imported, summary.rows_rejected) == (17, 4, 13)
    assert (summary.households_created, summary.households_rejected) == (2, 11)
    assert await ImportMark.count() == 0  # the run's marks are gone when it ends
    assert summary.warnings == 3
    got = [
        (r["row"], r["no_kk"], r["nik"], r["level"], r["code"], r["reason"])
        for r in read_report(report)
    ]
    assert got == [
        ("5", "1706••••••••0002", "", "warning", "rt_invalid", "RT 'abc' is not a number."),
        ("5", "1706••••••••0002", "", "warning", "decile_invalid", "Decile '12' is not 1-10."),
        ("5", "1706••••••••0002", "1706••••••••0005", "warning", "sex_mismatch",
         "The sex column does not match the NIK."),
        ("6", "1706••••••••0003", "1706••••••••0006", "error", "family_rejected",
         "Not imported: another row of this family card (row 7) has an error."),
        ("7", "1706••••••••0003", "170•••••••••000", "error", "nik_format",
         "NIK: A NIK must be exactly 16 digits."),
        ("8", "1706••••••••0004", "1706••••••••0007", "error", "nik_birth_date",
         "NIK: The birth date in the NIK is not valid."),
        ("9", "1706••••••••0000", "1706••••••••0008", "error", "kk_invalid",
         "No. KK: The No. KK serial (last 4 digits) cannot be 0000."),
        ("10", "1706••••••••0005", "1706••••••••0009", "error", "region_unknown",
         "The village 17.06.01.2999 is not in the region list (run `verval regions import` "
         "first)."),
        ("11", "1706••••••••0006", "1706••••••••0001", "error", "nik_in_other_family",
         "This NIK already belongs to another family card (1706••••••••0001)."),
        ("12", "1706••••••••0007", "1706••••••••0010", "error", "family_rejected",
         "Not imported: another row of this family card (row 13) has an error."),
        ("13", "1706••••••••0007", "1706••••••••0010", "error", "nik_duplicate_in_family",
         "The same NIK is on row 12 of this family card."),
        ("14", "1706••••••••0008", "", "error", "head_missing",
         "No member of this family card is the head (relationship 1)."),
        ("15", "1706••••••••0001", "1706••••••••0012", "error", "kk_duplicate",
         "The same No. KK already appeared at row 2 of this file (a family's rows must be "
         "together)."),
        ("16", "", "1706••••••••0013", "error", "kk_missing", "No. KK is empty."),
        ("17", "1706••••••••0009", "1706••••••••0014", "error", "region_not_village",
         "The region code 17.06.01 is a district, not a village."),
        ("18", "1706••••••••0010", "1706••••••••0015", "error", "name_missing",
         "The name is empty."),
    ]  # fmt: skip
    # The good families are in, with the legacy BDT codes translated to the form's codes.
    household = (
        await Household.select().where(Household.kk_number == KK_A).output(load_json=True).first()
    )
    assert household["head_name"] == "Sutrisno" and household["head_nik"] == "1706011505780001"
    assert (household["rt"], household["rw"], household["member_count"]) == ("001", "002", 3)
    assert household["baseline"] == {
        "house_ownership": "1",
        "floor_material": "5",  # BDT 8 kayu/papan kualitas rendah
        "wall_material": "1",
        "roof_material": "3",  # BDT 6 seng
        "drinking_water": "4",  # BDT 5 sumur bor/pompa
        "lighting": "1",
        "cooking_fuel": "4",  # BDT 3 gas 3 kg
        "toilet_facility": "6",  # BDT 4 tidak ada
    }
    members = (
        await HouseholdMember.select()
        .where(HouseholdMember.household == household["id"])
        .order_by(HouseholdMember.position)
    )
    assert [(m["name"], m["sex"], str(m["birth_date"]), m["relationship"]) for m in members] == [
        ("Sutrisno", "1", "1978-05-15", "1"),
        ("Siti Aminah", "2", "1982-08-22", "2"),
        ("Budi Santoso", "1", "2005-11-03", "3"),
    ]
    # Nothing personal in the audit trail: no NIK, no No. KK, no name.
    events = await AuditEvent.select(AuditEvent.details)
    text = json.dumps([e["details"] for e in events])
    for secret in (KK_A, "1706011505780001", "Sutrisno"):
        assert secret not in text


async def test_reimport_changes_nothing_and_a_corrected_file_updates_what_changed(
    database, mukomuko, tmp_path, synthetic_file
):
    from tests.registry.conftest import VILLAGES_01

    source = synthetic_file(VILLAGES_01, 40)
    first = await run_import(source)
    assert first.households_created == 40 and first.rows_rejected == 0
    before_households = await Household.select().order_by(Household.id).output(load_json=True)
    before_members = await HouseholdMember.select().order_by(HouseholdMember.id)

    again = await run_import(source)
    assert (again.households_created, again.households_updated, again.households_unchanged) == (
        0, 0, 40,
    )  # fmt: skip
    after_households = await Household.select().order_by(Household.id).output(load_json=True)
    assert after_households == before_households  # not even updated_at moved
    assert await HouseholdMember.select().order_by(HouseholdMember.id) == before_members

    # A corrected file: one family's floor and a member's name change, one member leaves.
    lines = source.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    rows = [line.split(",") for line in lines[1:]]
    target_kk = rows[0][header.index("no_kk")]
    family_rows = [r for r in rows if r[header.index("no_kk")] == target_kk]
    for row in family_rows:
        row[header.index("floor_material")] = "2"
    family_rows[0][header.index("name")] = "Nama Diperbaiki"
    leaving = family_rows[-1][header.index("nik")] if len(family_rows) > 1 else None
    if leaving:
        rows = [r for r in rows if r[header.index("nik")] != leaving]
    corrected = source.with_name("corrected.csv")
    corrected.write_text("\n".join([",".join(header), *(",".join(r) for r in rows)]) + "\n")
    result = await run_import(corrected)
    assert (result.households_updated, result.households_unchanged) == (1, 39)
    household = (
        await Household.select()
        .where(Household.kk_number == target_kk)
        .output(load_json=True)
        .first()
    )
    assert household["baseline"]["floor_material"] == "2"
    assert household["head_name"] == "Nama Diperbaiki"
    head_before = next(m for m in before_members if m["nik"] == family_rows[0][header.index("nik")])
    head_after = (
        await HouseholdMember.select().where(HouseholdMember.id == head_before["id"]).first()
    )
    assert head_after["name"] == "Nama Diperbaiki"  # the member keeps its id
    # The stored name key follows the name (reconciliation compares it in SQL).
    assert head_after["name_key"] == "nama diperbaiki"
    assert all(m["name_key"] == name_key(m["name"]) for m in before_members)
    if leaving:
        assert not await HouseholdMember.exists().where(HouseholdMember.nik == leaving)


async def test_a_nik_of_a_household_already_imported_is_refused(database, mukomuko, tmp_path):
    await run_import(write_rows(tmp_path / "a.csv", LEGACY_HEADER, family_a()))
    other = [["1706011203159999", "1706016208820002", "Siti", "Dusun I", "1", "1", V, "1", "P",
              "", *HOUSING, ""]]  # fmt: skip
    report = tmp_path / "report.csv"
    summary = await run_import(write_rows(tmp_path / "b.csv", LEGACY_HEADER, other), report)
    assert summary.households_rejected == 1
    assert [(r["code"], r["reason"]) for r in read_report(report)] == [
        ("nik_in_other_family",
         "This NIK already belongs to another family card (1706••••••••0001)."),
    ]  # fmt: skip


async def test_xlsx_with_canonical_names_and_excel_numbers(database, mukomuko, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "No KK",
            "NIK",
            "Name",
            "Region Code",
            "Relationship",
            "Sex",
            "Birth Date",
            "RT",
            "RW",
            "floor_material",
            "lighting",
            "electricity_power",
            "floor_area",
        ]
    )
    from datetime import datetime

    # Excel keeps 16-digit numbers only as floats, so registers store them as text; dates
    # are real date cells; RT/RW are numbers.
    sheet.append(
        [
            "1706051203150001",
            "1706051505780001",
            "Darmawan",
            "17.06.05.2004",
            1,
            "L",
            datetime(1978, 5, 15),
            4,
            1,
            6,
            1,
            2,
            36.0,
        ]
    )
    sheet.append(["1706051203150001", "1706055704800002", "Asnah", "17.06.05.2004", 2, "P",
                  datetime(1980, 4, 17), 4, 1, 6, 1, 2, 36.0])  # fmt: skip
    path = tmp_path / "baseline.xlsx"
    workbook.save(path)
    summary = await run_import(path)
    assert (summary.households_created, summary.rows_imported, summary.rows_rejected) == (1, 2, 0)
    household = await Household.select().output(load_json=True).first()
    assert household["region_code"] == "17.06.05.2004" and household["rt"] == "004"
    assert household["baseline"] == {
        "floor_material": "6", "lighting": "1", "electricity_power": "2", "floor_area": 36,
    }  # fmt: skip
    assert [
        m["birth_date"].isoformat()
        for m in await HouseholdMember.select().order_by(HouseholdMember.position)
    ] == ["1978-05-15", "1980-04-17"]
    # Same workbook again: nothing changes.
    again = await run_import(path)
    assert (again.households_unchanged, again.households_updated) == (1, 0)


async def test_semicolon_csv_and_a_file_without_required_columns(database, mukomuko, tmp_path):
    rows = [["1706011203150001;1706011505780001;Sutrisno;17.06.01.2005;1"]]
    path = tmp_path / "semicolon.csv"
    path.write_text("nokk;nik;nama;kode_wilayah;hubungan_keluarga\n" + rows[0][0] + "\n")
    summary = await run_import(path)
    assert summary.households_created == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("nama,alamat\nSiti,Dusun I\n")
    with pytest.raises(UnreadableFile, match="no_kk, region_code, nik, relationship"):
        await run_import(bad)


def test_column_mapping_prefers_canonical_names_and_reports_unknown_ones():
    columns = map_columns(["NOKK", "nik", "nama", "kode_wilayah", "hubungan_keluarga",
                           "lantai", "floor_material", "catatan"])  # fmt: skip
    assert columns.positions["no_kk"] == 0 and columns.positions["region_code"] == 3
    assert columns.household_answers["floor_material"] == (6, None)  # canonical wins
    assert columns.ignored == ("lantai", "catatan")
    assert columns.missing == ()


async def test_memory_stays_flat_in_batches(database, mukomuko, synthetic_file):
    """Batches of whole families: a file is never held in memory (tiny batches here)."""
    from tests.registry.conftest import VILLAGES_01

    source = synthetic_file(VILLAGES_01, 60, seed=11)
    summary = await run_import(source, batch_rows=100)
    assert summary.households_created == 60 and summary.rows_rejected == 0
    assert await Household.count() == 60
    batches = await AuditEvent.count().where(AuditEvent.action == "baseline.import_batch")
    assert batches >= summary.rows_read // 100


async def test_legacy_export_from_the_generator_imports_clean(database, mukomuko, synthetic_file):
    from tests.registry.conftest import VILLAGES_01

    summary = await run_import(synthetic_file(VILLAGES_01, 30, seed=3, legacy=True))
    assert summary.rows_rejected == 0 and summary.warnings == 0
    assert summary.households_created == 30 and not summary.ignored_columns


@pytest.mark.parametrize("flag", ["--report"])
def test_cli_help_mentions_the_report(flag: str):
    from click.testing import CliRunner

    from api.registry.cli import baseline

    result = CliRunner().invoke(baseline, ["import", "--help"])
    assert result.exit_code == 0 and flag in result.output

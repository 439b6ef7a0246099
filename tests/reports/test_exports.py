"""Register exports: CSV and XLSX round-trip with the register's columns, identity numbers
masked by default, full only for supervisors and admins, every download audited."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from api.audit.tables import AuditEvent
from api.registry.baseline.columns import answer_fields, answer_value, map_columns
from api.reports.register import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, TO_BDT
from survey_forms.identity import MASK, mask_nik
from survey_forms.samples import dtks_submission
from tests.reports.conftest import FOREIGN, INJECTION, VILLAGE_A, VILLAGE_B, Crafted

URL = "/api/v1/reports/exports"


def read_csv(body: bytes) -> tuple[list[str], list[dict[str, str]]]:
    assert body.startswith("\ufeff".encode()), "a BOM, so Excel reads UTF-8"
    reader = csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


def read_xlsx(body: bytes) -> tuple[list[str], list[dict[str, Any]], Any]:
    workbook = load_workbook(io.BytesIO(body))  # the full reader: validates every part
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(v) for v in rows[0]]
    return header, [dict(zip(header, row, strict=True)) for row in rows[1:]], workbook


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(row["ID_VERVAL"] or "proposal"): row for row in rows}


async def export(client, crafted: Crafted, headers, name: str, **params: Any):
    query = {"region": "17.06.01", "round": crafted.round_id, **params}
    return await client.get(f"{URL}/{name}", params=query, headers=headers)


async def test_households_csv_has_the_register_columns_and_masked_numbers(
    client, crafted: Crafted, as_role
):
    response = await export(client, crafted, as_role["supervisor"], "households.csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    header, rows = read_csv(response.content)
    assert header == HOUSEHOLD_COLUMNS
    for name in ("KODE_WILAYAH", "NO_KK", "NIK_KRT", "NAMA_KRT", "ALAMAT", "RT", "RW",
                 "HASIL_VERIFIKASI", "STATUS_KELAYAKAN", "STA_BANGUNAN", "LANTAI", "DINDING",
                 "ATAP", "SUMBER_AIRMINUM", "SUMBER_PENERANGAN", "BB_MASAK", "FASBAB"):  # fmt: skip
        assert name in header
    assert len(rows) == 10  # 9 households of the district + 1 proposed household
    assert {row["KODE_WILAYAH"] for row in rows} == {VILLAGE_A, VILLAGE_B}
    ids = {str(v) for k, v in crafted.households.items() if k != "f1"}
    assert set(by_id(rows)) == ids | {"proposal"}

    h1 = by_id(rows)[str(crafted.households["h1"])]
    assert h1["NO_KK"] == mask_nik(crafted.kk["h1"]) and MASK in h1["NO_KK"]
    assert h1["NO_KK"][:4] == crafted.kk["h1"][:4] and h1["NO_KK"][-4:] == crafted.kk["h1"][-4:]
    assert h1["NIK_KRT"] == mask_nik("1706031505780001")  # the verified head of the visit
    assert h1["NAMA_KRT"] == "Sutrisno"
    assert h1["JUMLAH_ART"] == "5"  # six listed, the grandmother died
    assert (h1["PROVINSI"], h1["KABUPATEN"], h1["KECAMATAN"], h1["DESA"]) == (
        "Bengkulu", "Kabupaten Mukomuko", "Lubuk Pinang", "Suka Pindah",
    )  # fmt: skip
    assert h1["HASIL_VERIFIKASI"] == "Ditemukan"
    assert h1["STATUS_KELAYAKAN"] == "Layak"
    assert h1["STATUS_PEMERIKSAAN"] == "Disetujui"
    assert h1["TGL_KUNJUNGAN"] == "2026-06-10"
    assert h1["PETUGAS"] == "Siti"
    assert h1["SUMBER_DATA"] == "HASIL VERVAL"
    answers = dtks_submission()
    # BDT names carry BDT codes; the R3xx columns the form's own codes
    assert h1["LANTAI"] == "6" and h1["R303"] == answers["floor_material"] == "6"
    assert h1["ATAP"] == "6" and h1["R305"] == "3"  # seng: Regsosek 3, BDT 6
    assert h1["BB_MASAK"] == "3" and h1["R308"] == "4"  # elpiji 3 kg: Regsosek 4, BDT 3
    assert h1["SUMBER_AIRMINUM"] == "5" and h1["R306A"] == "4"  # sumur bor/pompa
    assert h1["DAYA"] == "1" and h1["KLOSET"] == "1" and h1["BUANG_TINJA"] == "1"
    assert h1["LUAS_LANTAI"] == "48" and h1["JML_KAMBING"] == "3" and h1["STA_PKH"] == "1"

    h2 = by_id(rows)[str(crafted.households["h2"])]  # the revisit counts, not the returned one
    assert h2["STATUS_KELAYAKAN"] == "Dibahas di musdes"
    assert h2["STATUS_PEMERIKSAAN"] == "Menunggu pemeriksaan"
    assert h2["FLAG_KUALITAS"] == "gps_far_from_household"
    h4 = by_id(rows)[str(crafted.households["h4"])]  # not visited: baseline, unvisited
    assert h4["HASIL_VERIFIKASI"] == "" and h4["STATUS_PEMERIKSAAN"] == "Belum dikunjungi"
    assert h4["SUMBER_DATA"] == "DATA AWAL" and h4["LANTAI"] == "9" and h4["R303"] == "8"
    assert h4["NAMA_KRT"] == "'" + INJECTION  # a formula never runs in a spreadsheet
    h5 = by_id(rows)[str(crafted.households["h5"])]
    assert h5["HASIL_VERIFIKASI"] == "Pindah" and h5["STATUS_KELAYAKAN"] == ""
    assert h5["FLAG_KUALITAS"] == "gps_poor_accuracy;visit_too_short"
    proposal = by_id(rows)["proposal"]
    assert proposal["HASIL_VERIFIKASI"] == "Keluarga baru (usulan)"
    assert proposal["NO_KK"] == mask_nik(crafted.proposal_kk)
    assert proposal["NAMA_KRT"] == "Rahmat Hidayat" and proposal["RT"] == "003"

    body = response.content.decode("utf-8-sig")
    for kk in crafted.kk.values():
        assert kk not in body  # no full number anywhere
    event = (
        await AuditEvent.select()
        .where(AuditEvent.action == "report.export_downloaded")
        .output(load_json=True)
        .first()
    )
    assert event is not None and event["region_code"] == "17.06.01"
    assert event["details"] == {
        "round_id": crafted.round_id, "format": "csv", "dataset": "households",
        "identity": "masked", "only": "all",
    }  # fmt: skip


async def test_households_xlsx_round_trips_through_openpyxl(client, crafted: Crafted, as_role):
    response = await export(client, crafted, as_role["auditor"], "households.xlsx")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    header, rows, workbook = read_xlsx(response.content)
    assert header == HOUSEHOLD_COLUMNS
    sheet = workbook.worksheets[0]
    assert sheet.title == "RUMAH_TANGGA"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}11"
    assert len(rows) == 10
    h1 = by_id(rows)[str(crafted.households["h1"])]
    assert h1["NO_KK"] == mask_nik(crafted.kk["h1"])
    assert h1["RT"] == "002"  # text stays text: the leading zeros survive
    assert h1["JUMLAH_ART"] == 5 and h1["LINTANG"] == -2.5601
    assert h1["HASIL_VERIFIKASI"] == "Ditemukan" and h1["LANTAI"] == "6"
    h4 = by_id(rows)[str(crafted.households["h4"])]
    assert h4["NAMA_KRT"] == INJECTION  # an inline string, never a formula, in XLSX


async def test_full_numbers_only_for_supervisors_and_admins(client, crafted: Crafted, as_role):
    for role in ("supervisor", "admin"):
        response = await export(client, crafted, as_role[role], "households.xlsx", identity="full")
        assert response.status_code == 200, response.text
        _, rows, _ = read_xlsx(response.content)
        h1 = by_id(rows)[str(crafted.households["h1"])]
        assert h1["NO_KK"] == crafted.kk["h1"] and h1["NIK_KRT"] == "1706031505780001"
    refused = await export(client, crafted, as_role["auditor"], "households.csv", identity="full")
    assert refused.status_code == 403 and refused.json()["code"] == "identity_forbidden"
    enumerator = await export(client, crafted, as_role["enumerator"], "households.csv")
    assert enumerator.status_code == 403
    foreign = await export(client, crafted, as_role["foreign"], "households.csv", identity="full")
    assert foreign.status_code == 404  # outside the scope: no hint that it exists
    events = await AuditEvent.select(AuditEvent.details).where(
        AuditEvent.action == "report.export_downloaded"
    )
    assert len(events) == 2  # the refused requests left no download behind


async def test_only_approved_and_admin_regency(client, crafted: Crafted, as_role):
    response = await export(
        client, crafted, as_role["supervisor"], "households.csv", only="approved"
    )
    _, rows = read_csv(response.content)
    assert {row["STATUS_PEMERIKSAAN"] for row in rows} == {"Disetujui"}
    assert len(rows) == 4  # h1, h3, b1 and the proposal
    visited = await export(client, crafted, as_role["supervisor"], "households.csv", only="visited")
    assert len(read_csv(visited.content)[1]) == 7
    regency = await client.get(
        f"{URL}/households.csv",
        params={"region": "17.06", "round": crafted.round_id},
        headers=as_role["admin"],
    )
    _, rows = read_csv(regency.content)
    assert FOREIGN in {row["KODE_WILAYAH"] for row in rows} and len(rows) == 11


async def test_members_export(client, crafted: Crafted, as_role):
    response = await export(client, crafted, as_role["supervisor"], "members.csv")
    assert response.status_code == 200, response.text
    header, rows = read_csv(response.content)
    assert header == MEMBER_COLUMNS
    h1 = [row for row in rows if row["ID_VERVAL"] == str(crafted.households["h1"])]
    assert [row["NAMA"] for row in h1] == [
        "Sutrisno", "Siti Aminah", "Budi Santoso", "Dewi Lestari", "Painem", "Putri Ayu",
    ]  # fmt: skip
    painem = h1[4]
    assert painem["STATUS_KEBERADAAN"] == "2" and painem["KETERANGAN_KEBERADAAN"] == "Meninggal"
    assert painem["NIK"] == mask_nik("1706034107450005")
    assert h1[5]["NIK"] == "" and h1[5]["STATUS_KEBERADAAN"] == "5"  # a new-born, no NIK yet
    assert all(row["SUMBER_DATA"] == "HASIL VERVAL" for row in h1)
    h4 = [row for row in rows if row["ID_VERVAL"] == str(crafted.households["h4"])]
    assert len(h4) == 2 and h4[0]["SUMBER_DATA"] == "DATA AWAL" and MASK in h4[0]["NIK"]
    xlsx = await export(client, crafted, as_role["supervisor"], "members.xlsx")
    header, xrows, workbook = read_xlsx(xlsx.content)
    assert header == MEMBER_COLUMNS and len(xrows) == len(rows)
    assert workbook.worksheets[0].title == "ANGGOTA_KELUARGA"


def test_bdt_columns_read_back_through_the_baseline_importer():
    """The exported BDT names are the importer's legacy names, and a code written under
    them reads back to the same form answer wherever BDT is as fine as Regsosek."""
    columns = map_columns(HOUSEHOLD_COLUMNS)
    household_fields, _ = answer_fields()
    assert columns.positions["no_kk"] == HOUSEHOLD_COLUMNS.index("NO_KK")
    assert columns.positions["region_code"] == HOUSEHOLD_COLUMNS.index("KODE_WILAYAH")
    legacy_of = {field: legacy for field, (_, legacy) in columns.household_answers.items()}
    # BDT is coarser than Regsosek here; docs/exports.md lists these as lossy.
    lossy = {("lighting", "2"), ("cooking_fuel", "2"), ("cooking_fuel", "6"),
              ("toilet_facility", "3"), ("toilet_facility", "5"), ("toilet_type", "3")}  # fmt: skip
    for field, mapping in TO_BDT.items():
        assert legacy_of[field] is not None, field
        for form_code, bdt_code in mapping.items():
            value, ok = answer_value(bdt_code, household_fields[field], legacy_of[field])
            assert ok, (field, form_code)
            if (field, form_code) in lossy:
                assert value != form_code
            else:
                assert value == form_code, (field, form_code, bdt_code, value)


def test_small_villages_share_a_page_and_big_ones_have_their_own():
    from api.reports.queries import pack

    counts = {"17.06.01.2001": 3, "17.06.01.2002": 4, "17.06.01.2003": 12, "17.06.01.2004": 1}
    assert pack(counts, limit=8) == [
        ["17.06.01.2001", "17.06.01.2002"], ["17.06.01.2003"], ["17.06.01.2004"],
    ]  # fmt: skip
    assert pack({}, limit=8) == []


async def test_tiny_pages_give_the_same_file(client, crafted: Crafted, as_role, monkeypatch):
    """Keyset paging across page and village boundaries loses and repeats nothing."""
    from api.reports import queries

    expected = await export(client, crafted, as_role["admin"], "households.csv", region="17.06")
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    paged = await export(client, crafted, as_role["admin"], "households.csv", region="17.06")
    assert paged.status_code == 200
    _, rows = read_csv(paged.content)
    _, want = read_csv(expected.content)
    assert len(rows) == 11
    assert sorted(map(str, rows)) == sorted(map(str, want))
    members = await export(client, crafted, as_role["admin"], "members.csv", region="17.06")
    # five families interviewed (six members listed each), five from the register (two each)
    assert len(read_csv(members.content)[1]) == 5 * 6 + 5 * 2
    geo = await client.get(
        "/api/v1/reports/visits.geojson",
        params={"region": "17.06", "round": crafted.round_id},
        headers=as_role["admin"],
    )
    assert len(geo.json()["features"]) == 8  # nine visits, one without GPS
    assert geo.json()["skipped_without_gps"] == 1


async def test_a_client_that_goes_away_stops_the_export(crafted: Crafted, monkeypatch):
    from api.reports import exports, queries
    from api.reports.scope import resolve
    from auth.roles import Principal, Role

    monkeypatch.setattr(queries, "PAGE_SIZE", 1)
    admin = Principal(0, "t", "t", Role.ADMIN, (), "s")
    scope = await resolve(admin, "17.06", crafted.round_id)
    stream = exports.xlsx_stream(admin, scope, exports.ExportOptions())
    assert (await stream.__anext__()).startswith(b"PK")
    await stream.__anext__()
    await stream.aclose()  # what Litestar does when the connection drops

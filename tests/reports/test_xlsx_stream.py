"""The streamed XLSX writer on its own: valid workbooks, sheets that roll over, text that
stays text, and bytes that leave as rows arrive (memory bounded by a page)."""

from __future__ import annotations

import io
import tracemalloc
from datetime import date

from openpyxl import load_workbook

from api.reports.xlsx import XlsxStream, rows_per_sheet


def collect(stream: XlsxStream, pages: list[list[list[object]]]) -> bytes:
    out = io.BytesIO()
    out.write(stream.start())
    for page in pages:
        out.write(stream.add_rows(page))
    out.write(stream.finish())
    return out.getvalue()


def test_values_round_trip_as_their_types():
    stream = XlsxStream("DATA", ["TEKS", "ANGKA", "DESIMAL", "TANGGAL", "KOSONG"], [10] * 5)
    body = collect(
        stream,
        [
            [["001", 12, -2.560123, date(2026, 6, 10), None]],
            [["a & b <c>", 0, 1.5, "", ""], ["  spasi  ", 7, 0.0, "x\x01y", None]],
            [["=SUM(A1:A2)", 3, 2.0, "1706••••••••0001", None]],
        ],
    )
    workbook = load_workbook(io.BytesIO(body))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("TEKS", "ANGKA", "DESIMAL", "TANGGAL", "KOSONG")
    assert rows[1] == ("001", 12, -2.560123, "2026-06-10", None)
    assert rows[2] == ("a & b <c>", 0, 1.5, None, None)
    assert rows[3] == ("  spasi  ", 7, 0.0, "xy", None)  # illegal control characters dropped
    assert rows[4] == ("=SUM(A1:A2)", 3, 2.0, "1706••••••••0001", None)
    assert sheet["A5"].data_type == "s"  # an inline string, never a formula
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:E5"
    assert sheet["A1"].font.bold
    assert stream.rows_written == 4


def test_a_long_table_continues_on_further_sheets():
    stream = XlsxStream("RUMAH_TANGGA", ["NO", "NAMA"], [6, 20], sheet_rows=3)
    pages = [[[n, f"warga {n}"] for n in range(start, start + 2)] for start in range(0, 8, 2)]
    workbook = load_workbook(io.BytesIO(collect(stream, pages)))
    assert workbook.sheetnames == ["RUMAH_TANGGA", "RUMAH_TANGGA_2", "RUMAH_TANGGA_3"]
    seen = []
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("NO", "NAMA")
        assert sheet.auto_filter.ref == f"A1:B{len(rows)}"
        seen += [row[0] for row in rows[1:]]
    assert seen == list(range(8))
    assert rows_per_sheet(73) == 300_000 and rows_per_sheet(20) == 1_000_000


def test_bytes_flow_as_rows_arrive_and_memory_stays_flat():
    columns = [f"K{i}" for i in range(40)]
    stream = XlsxStream("DATA", columns, [8] * 40)
    row = [f"nilai {i}" for i in range(20)] + list(range(20))
    page = [row] * 2000
    tracemalloc.start()
    try:
        sizes = [len(stream.start())]
        for _ in range(15):  # 30,000 rows
            sizes.append(len(stream.add_rows(page)))
        _, peak = tracemalloc.get_traced_memory()
        sizes.append(len(stream.finish()))
    finally:
        tracemalloc.stop()
    assert all(size > 0 for size in sizes[1:-1])  # every page left as compressed bytes
    assert peak < 25_000_000  # a page of XML and the deflater, not the ~60 MB sheet

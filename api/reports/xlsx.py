"""A streamed XLSX: the workbook is made by openpyxl (write-only), its rows flow out as made.

openpyxl's write-only mode builds the package — styles, the bold frozen header row,
column widths, the auto-filter, the workbook parts — and its own row writer would need
about 7 minutes and a temp file for a regency (a Cell object per value, ~1,000 rows/s
here). So the header and every part come from openpyxl, and the data rows are
serialised into the same sheet XML by :meth:`XlsxStream.add_rows` (inline strings, as
openpyxl itself writes them) and deflated into a ZIP written to an unseekable sink: each
call returns the bytes ready to send, and memory holds one page of rows, never the file.

The ZIP uses data descriptors (sizes after the data, as any streaming ZIP writer must),
which Excel, LibreOffice and openpyxl read. A table longer than one sheet should hold
(Excel's 1,048,576 rows, or ~1.5 GB of sheet XML so that no entry needs ZIP64) goes on
over further sheets with the same header.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

SHEET_PATH = "xl/worksheets/sheet1.xml"  # the first sheet's part
WORKBOOK_PATH = "xl/workbook.xml"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


_CACHE_LIMIT = 50_000


def _cell(value: Any) -> str:
    """The XML of one cell after ``<c r="A2"``: a number, or an inline string."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"><v>{value!r}</v></c>"
    if isinstance(value, datetime | date):
        text = value.isoformat()
    else:
        text = str(value)
        if _NEEDS_ESCAPE.search(text):
            text = _ILLEGAL.sub("", text).translate(_ESCAPES)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


class _Sink:
    """A write-only, unseekable file: the ZIP writer appends, the response takes."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def seek(self, *_: Any) -> int:
        raise OSError("not seekable")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _skeleton(
    titles: Sequence[str], columns: Sequence[str], widths: Sequence[int], creator: str
) -> dict[str, bytes]:
    """Every part of a workbook whose sheets hold just the styled, frozen header row."""
    workbook = Workbook(write_only=True)
    workbook.properties.creator = creator
    last = get_column_letter(len(columns))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    centre = Alignment(horizontal="center")
    for title in titles:
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.auto_filter.ref = f"A1:{last}1"
        header = []
        for name in columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font, cell.fill, cell.alignment = bold, fill, centre
            header.append(cell)
        sheet.append(header)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as package:
        return {name: package.read(name) for name in package.namelist()}


def rows_per_sheet(columns: int) -> int:
    """Rows that keep one sheet's XML under ~1.5 GB (a ZIP entry stays below 2 GiB without
    ZIP64, which not every reader takes) and under Excel's 1,048,576 rows."""
    fit = int(1.5e9 // (columns * 64))
    return max(1000, min(1_000_000, fit // 50_000 * 50_000 or fit))


class XlsxStream:
    """Worksheets of one table: ``start()``, ``add_rows()`` per page, then ``finish()``.

    Past ``sheet_rows`` rows the table continues on a new sheet (``TITLE_2`` …) with the
    same header, so a regency's members still fit Excel's row limit.
    """

    def __init__(
        self,
        title: str,
        columns: Sequence[str],
        widths: Sequence[int],
        *,
        sheet_rows: int | None = None,
        creator: str = "Verval",
        compresslevel: int = 1,
    ) -> None:
        self._title = title
        self._columns = list(columns)
        self._widths = list(widths)
        self._creator = creator
        self._letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
        self._last = self._letters[-1]
        self.sheet_rows = sheet_rows or rows_per_sheet(len(columns))
        sheet = _skeleton([title], columns, widths, creator)[SHEET_PATH].decode()
        head, _, tail = sheet.partition("</sheetData>")
        self._head, self._tail = head, "</sheetData>" + tail
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(
            self._sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
        )
        self._entry: Any = None
        self._sheet_last_rows: list[int] = []  # per finished sheet: its last row number
        self._row = 1  # the current sheet's last written row (1: the header)
        # A cell's XML after its reference, by value: register codes repeat endlessly.
        self._cells: dict[Any, str] = {}
        self.rows_written = 0

    def _open_sheet(self) -> None:
        number = len(self._sheet_last_rows) + 1
        self._entry = self._zip.open(f"xl/worksheets/sheet{number}.xml", "w")
        self._entry.write(self._head.encode())
        self._row = 1

    def _close_sheet(self) -> None:
        tail = self._tail.replace(
            f'<autoFilter ref="A1:{self._last}1"', f'<autoFilter ref="A1:{self._last}{self._row}"'
        )
        self._entry.write(tail.encode())
        self._entry.close()
        self._sheet_last_rows.append(self._row)

    def start(self) -> bytes:
        self._open_sheet()
        return self._sink.take()

    def add_rows(self, rows: Iterable[Sequence[Any]]) -> bytes:
        parts: list[str] = []
        append = parts.append
        letters = self._letters
        cache = self._cells
        for values in rows:
            if self._row > self.sheet_rows:  # the header plus sheet_rows rows are written
                self._entry.write("".join(parts).encode())
                parts.clear()
                self._close_sheet()
                self._open_sheet()
            self._row += 1
            number = self._row
            append(f'<row r="{number}">')
            for letter, value in zip(letters, values, strict=False):
                if value is None or value == "":
                    continue
                cell = cache.get(value)
                if cell is None:
                    cell = _cell(value)
                    if len(cache) < _CACHE_LIMIT:
                        cache[value] = cell
                append(f'<c r="{letter}{number}"{cell}')
            append("</row>")
            self.rows_written += 1
        self._entry.write("".join(parts).encode())
        return self._sink.take()

    def sheet_titles(self) -> list[str]:
        count = len(self._sheet_last_rows)
        return [self._title] + [f"{self._title}_{i}" for i in range(2, count + 1)]

    def finish(self) -> bytes:
        self._close_sheet()
        titles = self.sheet_titles()
        parts = _skeleton(titles, self._columns, self._widths, self._creator)
        workbook = parts[WORKBOOK_PATH].decode()
        for title, last_row in zip(titles, self._sheet_last_rows, strict=True):
            workbook = workbook.replace(
                f"'{title}'!$A$1:${self._last}$1", f"'{title}'!$A$1:${self._last}${last_row}"
            )
        parts[WORKBOOK_PATH] = workbook.encode()
        for name in sorted(parts, key=lambda n: (n != "[Content_Types].xml", n)):
            if not name.startswith("xl/worksheets/sheet"):
                self._zip.writestr(name, parts[name])
        self._zip.close()
        return self._sink.take()

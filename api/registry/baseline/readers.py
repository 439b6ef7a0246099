"""Streaming readers for baseline files: CSV (any size, ',' or ';') and XLSX (read-only).

Both yield one row at a time, so memory stays flat whatever the file's size. Row numbers
are the spreadsheet's: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class UnreadableFile(ValueError):
    """The file is not a baseline file we can read (format, encoding, no header)."""


@dataclass
class RowSource:
    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    total: int | None  # progress total (bytes for CSV, rows for XLSX), when known
    progress: list[int] = field(default_factory=lambda: [0])  # progress so far, same unit
    unit: str = "bytes"
    close: Any = None


def _counted_lines(raw: io.BufferedReader, encoding: str, progress: list[int]) -> Iterator[str]:
    """The file's lines as text, noting the bytes consumed (for the progress bar)."""
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    for number, line in enumerate(text):
        if number % 512 == 0:
            progress[0] = raw.tell()
        yield line
    progress[0] = raw.tell()


def _detect_encoding(sample: bytes) -> str:
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 4:  # a character cut by the sample's end
            return "utf-8"
        return "cp1252"  # Excel on Windows saves CSV in the ANSI code page


def open_csv(path: Path) -> RowSource:
    raw = path.open("rb")
    sample = raw.read(64 * 1024)
    raw.seek(0)
    encoding = _detect_encoding(sample)
    first_line = sample.decode(encoding, errors="replace").splitlines()[0] if sample else ""
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    if first_line.count("\t") > max(first_line.count(";"), first_line.count(",")):
        delimiter = "\t"
    progress = [0]
    reader = csv.reader(_counted_lines(raw, encoding, progress), delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        raw.close()
        raise UnreadableFile("The file is empty.") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raw.close()
        raise UnreadableFile(f"The file is not a readable CSV file: {error}") from None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, row in enumerate(reader, start=2):
                if any(cell.strip() for cell in row):
                    yield number, list(row)
        finally:
            raw.close()

    return RowSource(
        headers=[h.strip() for h in headers],
        rows=rows(),
        total=path.stat().st_size,
        progress=progress,
        close=raw.close,
    )


def open_xlsx(path: Path, sheet: str | None = None) -> RowSource:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that isn't XLSX
        raise UnreadableFile(f"The file is not a readable XLSX workbook: {error}") from None
    try:
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    except KeyError:
        workbook.close()
        raise UnreadableFile(f"The workbook has no sheet named {sheet!r}.") from None
    iterator = worksheet.iter_rows(values_only=True)
    try:
        headers = ["" if h is None else str(h).strip() for h in next(iterator)]
    except StopIteration:
        workbook.close()
        raise UnreadableFile("The sheet is empty.") from None
    progress = [0]
    max_row = worksheet.max_row  # from the sheet's dimension; may be None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, row in enumerate(iterator, start=2):
                progress[0] = number
                if any(cell is not None and str(cell).strip() for cell in row):
                    yield number, list(row)
        finally:
            workbook.close()

    return RowSource(
        headers=headers,
        rows=rows(),
        total=max_row if isinstance(max_row, int) and max_row > 1 else None,
        progress=progress,
        unit="rows",
        close=workbook.close,
    )


def open_rows(path: Path, sheet: str | None = None) -> RowSource:
    """A reader for ``path``, chosen by content (XLSX is a ZIP), not by the file's name."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"PK\x03\x04":
        return open_xlsx(path, sheet)
    return open_csv(path)

"""The extract's columns, their accepted names, and one row parsed and checked (pure).

A civil-registry extract has one row per person. Column names are matched case- and
punctuation-insensitively; Dukcapil's own SIAK export names (``NAMA_LGKP``,
``STAT_HBKEL``, …) are accepted beside ours. See ``docs/civil-registry.md``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from api.civil_registry.names import name_key

COLUMNS: dict[str, tuple[str, ...]] = {
    "nik": ("nik",),
    "kk_number": ("no_kk", "kk_number", "nkk", "nomor_kk", "kk"),
    "name": ("name", "nama", "nama_lengkap", "nama_lgkp"),
    "sex": ("sex", "jenis_kelamin", "jenis_klmin", "jk"),
    "birth_place": ("birth_place", "tempat_lahir", "tmpt_lhr"),
    "birth_date": ("birth_date", "tanggal_lahir", "tgl_lhr"),
    "relationship": ("relationship", "hubungan_keluarga", "stat_hbkel", "shdk"),
    "death_date": ("death_date", "tanggal_meninggal", "tgl_kematian", "tgl_meninggal"),
    "moved_out_on": ("moved_out_on", "tanggal_pindah", "tgl_pindah"),
    "move_destination": ("move_destination", "tujuan_pindah", "alamat_tujuan"),
    "kk_changed_on": ("kk_changed_on", "tanggal_perubahan_kk", "tgl_ubah_kk"),
    "region_code": ("region_code", "kode_wilayah", "kode_desa"),
}
REQUIRED = ("nik", "kk_number", "name", "birth_date")
DATE_FIELDS = ("birth_date", "death_date", "moved_out_on", "kk_changed_on")
_SEX = {"1": "1", "l": "1", "laki-laki": "1", "laki laki": "1", "2": "2", "p": "2"}
_SEX |= {"perempuan": "2", "wanita": "2", "pria": "1"}
_RELATIONSHIP = {
    "kepala keluarga": "1", "suami": "2", "istri": "2", "isteri": "2", "anak": "3",
    "menantu": "4", "cucu": "5", "orang tua": "6", "mertua": "6", "famili lain": "8",
    "pembantu": "7", "lainnya": "8",
}  # fmt: skip
_DIGITS16 = re.compile(r"^\d{16}$")
_REGION = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def map_headers(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column index per field, and the required fields the header lacks."""
    keys = [_key(h) for h in headers]
    found: dict[str, int] = {}
    for field, names in COLUMNS.items():
        for index, key in enumerate(keys):
            if key in names and field not in found:
                found[field] = index
    return found, [f for f in REQUIRED if f not in found]


@dataclass(frozen=True)
class ExtractRow:
    nik: str
    kk_number: str
    name: str
    name_key: str
    sex: str
    birth_place: str
    birth_date: date
    relationship: str
    death_date: date | None
    moved_out_on: date | None
    move_destination: str
    kk_changed_on: date | None
    region_code: str
    content_hash: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_row(
    cells: list[Any], columns: dict[str, int], today: date
) -> tuple[ExtractRow | None, list[tuple[str, str]]]:
    """The row, or the problems (code, message in words; never the NIK itself)."""

    def cell(field: str) -> Any:
        index = columns.get(field)
        return cells[index] if index is not None and index < len(cells) else None

    problems: list[tuple[str, str]] = []
    nik, kk = _text(cell("nik")), _text(cell("kk_number"))
    if not _DIGITS16.match(nik):
        problems.append(("invalid_nik", "The NIK is not 16 digits."))
    if not _DIGITS16.match(kk):
        problems.append(("invalid_kk", "The No. KK is not 16 digits."))
    name = _text(cell("name"))
    if len(name) < 2:
        problems.append(("name_missing", "The name is missing."))
    dates: dict[str, date | None] = {}
    for field in DATE_FIELDS:
        try:
            dates[field] = _date(cell(field))
        except ValueError:
            dates[field] = None
            problems.append((f"{field}_invalid", f"{field} is not a date (YYYY-MM-DD)."))
            continue
        if dates[field] is not None and dates[field] > today:  # type: ignore[operator]
            problems.append((f"{field}_in_future", f"{field} is in the future."))
    born = dates["birth_date"]
    if born is None and not any(code == "birth_date_invalid" for code, _ in problems):
        problems.append(("birth_date_missing", "The date of birth is missing."))
    death = dates["death_date"]
    if born and death and death < born:
        problems.append(("death_before_birth", "The date of death is before the birth."))
    raw_sex = _text(cell("sex")).lower()
    sex = _SEX.get(raw_sex, "")
    if raw_sex and not sex:
        problems.append(("sex_invalid", "The sex is not 1/2, L/P or in words."))
    raw_rel = _text(cell("relationship")).lower()
    relationship = raw_rel if raw_rel.isdigit() else _RELATIONSHIP.get(raw_rel, "")
    region = _text(cell("region_code"))
    if region and not _REGION.match(region):
        problems.append(("region_code_invalid", "The region code is not a village code."))
    if problems or born is None:
        return None, problems
    values = [nik, kk, name, sex, _text(cell("birth_place")), born.isoformat(), relationship]
    values += [d.isoformat() if d else "" for d in (death, dates["moved_out_on"])]
    values += [_text(cell("move_destination")), str(dates["kk_changed_on"] or ""), region]
    digest = hashlib.sha256("\x1f".join(values).encode()).hexdigest()
    return (
        ExtractRow(
            nik=nik,
            kk_number=kk,
            name=name[:200],
            name_key=name_key(name),
            sex=sex,
            birth_place=_text(cell("birth_place"))[:100],
            birth_date=born,
            relationship=relationship[:2],
            death_date=death,
            moved_out_on=dates["moved_out_on"],
            move_destination=_text(cell("move_destination"))[:200],
            kk_changed_on=dates["kk_changed_on"],
            region_code=region,
            content_hash=digest,
        ),
        [],
    )

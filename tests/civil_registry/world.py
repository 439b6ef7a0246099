"""A small register and the civil-registry extract that meets it, one case per finding.

Every household is in Suka Pindah (17.06.01.2005) unless named otherwise. Each case
has a true match (a finding) and a false one (no finding, or another finding), so the
tests show both sides of each rule.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from api.audit.service import Actor
from api.civil_registry.names import name_key
from api.registry.region_import import import_regions
from api.registry.tables import Household, HouseholdMember

TODAY = date(2026, 6, 1)
ACTOR = Actor("system:test")
VILLAGE = "17.06.01.2005"
FOREIGN_VILLAGE = "17.06.05.2004"
HEADER = [
    "nik", "no_kk", "nama", "jenis_kelamin", "tempat_lahir", "tanggal_lahir",
    "hubungan_keluarga", "tanggal_meninggal", "tanggal_pindah", "tujuan_pindah",
    "tanggal_perubahan_kk", "kode_wilayah",
]  # fmt: skip


def nik(n: int) -> str:
    return f"170601{n:010d}"


def kk(n: int) -> str:
    return f"170601120315{n:04d}"


# household key → (No. KK, village, [(member key, NIK, name, birth date)])
REGISTER: dict[str, tuple[str, str, list[tuple[str, str, str, str]]]] = {
    "deaths": (kk(1), VILLAGE, [
        ("rizki", nik(1), "Muhammad Rizki", "1980-05-01"),  # died; spelt "Muhamad" there
        ("nurhaliza", nik(2), "Siti Nurhaliza", "1982-02-02"),  # "Siti Nurjanah" died there
        ("fauzi", nik(3), "Ahmad Fauzi", "2001-01-01"),  # agrees: nothing
        ("hamdan", nik(4), "Hamdan Rahman", "1987-04-11"),  # born 1990 there
        ("nur", nik(5), "Siti Nur", "1995-03-03"),  # "Siti Nurhaliza" there: the same person
    ]),
    "moves": (kk(2), VILLAGE, [
        ("budi", nik(10), "Budi Santoso", "1979-09-09"),  # unknown NIK
        ("wahyuni", nik(11), "Sri Wahyuni", "1990-10-10"),  # moved to Kota Bengkulu
        ("lestari", nik(12), "Dewi Lestari", "1992-12-12"),  # moved within the regency
    ]),
    "cards": (kk(3), VILLAGE, [
        ("hartono", nik(20), "Rudi Hartono", "1975-07-07"),  # on another KK there
        ("rina", nik(21), "Rina Hartono", "1978-08-08"),  # same KK: nothing
    ]),
    "twice": (kk(4), VILLAGE, [
        ("joko_copy", nik(30), "Djoko Susilo", "1970-07-07"),  # mistyped NIK; J. Susilo below
        ("andi", nik(31), "Andi Wijaya", "1985-01-01"),  # unknown; an Andi Wijaya of 1986
    ]),
    "original": (kk(5), VILLAGE, [
        ("joko", nik(32), "Joko Susilo", "1970-07-07"),
        ("andi_other", nik(33), "Andi Wijaya", "1986-01-01"),
    ]),
    "foreign": (kk(6), FOREIGN_VILLAGE, [
        ("ipuh", nik(40), "Yusuf Ipuh", "1966-06-06"),
    ]),
}  # fmt: skip

# Extract rows: (NIK, No. KK, name, birth date, death date, moved on, destination, KK changed)
EXTRACT: list[tuple[str, str, str, str, str, str, str, str]] = [
    (nik(1), kk(1), "MUHAMAD RIZKI", "1980-05-01", "2026-03-04", "", "", ""),
    (nik(2), kk(1), "Siti Nurjanah", "1982-02-02", "2026-01-15", "", "", ""),
    (nik(3), kk(1), "Ahmad Fauzi", "2001-01-01", "", "", "", ""),
    (nik(4), kk(1), "Hamdan Rahman", "1990-04-11", "", "", "", ""),
    (nik(5), kk(1), "Siti Nurhaliza", "1995-03-03", "", "", "", ""),
    (nik(11), kk(2), "Sri Wahyuni", "1990-10-10", "", "2026-02-01", "17.71.01.1001", ""),
    (nik(12), kk(2), "Dewi Lestari", "1992-12-12", "", "2026-02-01", "17.06.05.2004", ""),
    (nik(20), kk(9), "Rudi Hartono", "1975-07-07", "", "", "", "2026-04-20"),
    (nik(21), kk(3), "Rina Hartono", "1978-08-08", "", "", "", ""),
    (nik(22), kk(3), "Putri Hartono", "2026-04-01", "", "", "", ""),  # a birth on kk(3)
    (nik(23), kk(3), "Dimas Hartono", "2010-04-01", "", "", "", ""),  # not a newborn
    (nik(32), kk(5), "Joko Susilo", "1970-07-07", "", "", "", ""),
    (nik(33), kk(5), "Andi Wijaya", "1986-01-01", "", "", "", ""),
    (nik(40), kk(6), "Yusuf Ipuh", "1966-06-06", "", "", "", ""),
]


@dataclass
class RegisterWorld:
    households: dict[str, int] = field(default_factory=dict)
    members: dict[str, int] = field(default_factory=dict)


async def build_register(*, name_keys: bool = True) -> RegisterWorld:
    await import_regions(ACTOR, only="17.06")
    world = RegisterWorld()
    for key, (kk_number, village, members) in REGISTER.items():
        rows = await Household.insert(
            Household(
                kk_number=kk_number,
                region_code=village,
                address=f"Jl. {key}",
                rt="001",
                rw="001",
                head_name=members[0][2],
                head_nik=members[0][1],
                member_count=len(members),
            )
        ).returning(Household.id)
        world.households[key] = rows[0]["id"]
        for position, (member_key, member_nik, name, born) in enumerate(members):
            inserted = await HouseholdMember.insert(
                HouseholdMember(
                    household=rows[0]["id"],
                    position=position,
                    nik=member_nik,
                    name=name,
                    # Without: as written before household_member.name_key existed.
                    name_key=name_key(name) if name_keys else "",
                    sex="1",
                    birth_date=date.fromisoformat(born),
                    relationship="1" if position == 0 else "3",
                )
            ).returning(HouseholdMember.id)
            world.members[member_key] = inserted[0]["id"]
    return world


def extract_rows(rows: list[tuple[str, ...]] | None = None) -> list[list[Any]]:
    result = []
    for r in rows if rows is not None else EXTRACT:
        result.append([r[0], r[1], r[2], "1", "MUKOMUKO", r[3], "3", r[4], r[5], r[6], r[7], ""])
    return result


def write_extract(
    path: Path, rows: list[list[Any]] | None = None, header: list[str] | None = None
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header or HEADER)
        writer.writerows(rows if rows is not None else extract_rows())
    return path

"""Synthetic civil-registry data derived from the register (demo and benchmark).

``write_extract`` pages through the register's members (keyset, flat memory) and writes
the extract the civil registry would hand over for the same people, with what real
reconciliations meet (national audit figures scaled to a regency):

- deaths: about 0.6 % a year, dated in the last twelve months;
- moves out of the regency (0.8 %) and to another family card (0.5 %);
- births on register households' cards in the last ten months (2 % of households);
- register NIKs the civil registry does not know (2 %: invalid or mistyped NIKs);
- name or birth date that disagree (0.4 %), and harmless spelling variants (4 %);
- other residents the register does not hold (so 1 M members meet ~1.1 M rows);
- a few rows the import must refuse (0.05 %: a 15-digit NIK).

``plant_duplicates`` copies a few members into another household of the same village
under a mistyped NIK: the same person twice in the register, which the unique NIK of
the register cannot stop. Choices hash the member id with the seed, so a run is stable.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from api.civil_registry.names import name_key
from api.registry import bulk
from api.registry.synthetic import FAMILY, FEMALE, MALE

HEADER = [
    "NIK", "NO_KK", "NAMA_LGKP", "JENIS_KLMIN", "TMPT_LHR", "TGL_LHR", "STAT_HBKEL",
    "TGL_KEMATIAN", "TGL_PINDAH", "TUJUAN_PINDAH", "TGL_UBAH_KK", "KODE_WILAYAH",
]  # fmt: skip
PAGE = 5000
_VARIANTS = (("Muhammad", "Muhamad"), ("Nur", "Noer"), ("Yusuf", "Yusup"), ("Siti", "Sitti"))
_DESTINATIONS = ("17.71.01.1001", "16.71.03.1004", "13.71.04.1005", "31.74.05.1002")


@dataclass
class ExtractStats:
    rows: int = 0
    members: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1


def _draw(seed: int, key: Any, salt: str) -> float:
    digest = hashlib.blake2b(f"{seed}:{salt}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _variant(name: str, pick: float) -> str:
    for old, new in _VARIANTS:
        if old in name:
            return name.replace(old, new)
    words = name.split()
    if len(words) > 1 and pick < 0.5:
        return " ".join([*words[:-1], words[-1][:3]])  # shortened last word: "Siti Nur"
    return name.upper()


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


class _Niks:
    def __init__(self) -> None:
        self.used: set[str] = set()
        self.counter = 0

    def new(self, region: str, born: date, female: bool) -> str:
        prefix = region.replace(".", "")[:6].ljust(6, "0")
        day = born.day + (40 if female else 0)
        while True:
            self.counter += 1
            nik = f"{prefix}{day:02d}{born.month:02d}{born.year % 100:02d}{9000 + self.counter % 1000:04d}"
            if self.counter > 1000:
                nik = nik[:12] + f"{(self.counter * 7919) % 10000:04d}"
            if nik not in self.used:
                self.used.add(nik)
                return nik


async def _pages(region: str, up_to: int = 2**62) -> Any:
    after = 0
    while True:
        rows = await bulk.fetch(
            "SELECT m.id, m.nik, m.name, m.sex, m.birth_date, m.relationship, h.id AS hid, "  # noqa: S608
            "h.kk_number, h.region_code FROM household_member m "
            "JOIN household h ON h.id = m.household "
            "WHERE m.id > $1 AND m.id <= $4 AND (h.region_code = $2 OR h.region_code LIKE $3) "
            f"ORDER BY m.id LIMIT {PAGE}",
            after,
            region,
            region + ".%",
            up_to,
        )
        if not rows:
            return
        after = rows[-1]["id"]
        yield rows


async def write_extract(path: Path, region: str, *, seed: int, today: date) -> ExtractStats:
    stats = ExtractStats()
    niks = _Niks()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)

        def emit(values: list[Any], key: str) -> None:
            writer.writerow(["" if v is None else v for v in values])
            stats.rows += 1
            stats.add(key)

        last_household = None
        async for rows in _pages(region):
            for m in rows:
                stats.members += 1
                mid, born = m["id"], _date(m["birth_date"]) or date(1980, 1, 1)
                r = _draw(seed, mid, "fate")
                base = [
                    m["nik"], m["kk_number"], m["name"], m["sex"] or "", "MUKOMUKO",
                    born.isoformat(), m["relationship"] or "", None, None, None, None,
                    m["region_code"],
                ]  # fmt: skip
                if r < 0.02:
                    stats.add("unknown")  # the civil registry has no such NIK
                elif r < 0.026:
                    base[7] = (today - timedelta(days=int(_draw(seed, mid, "d") * 360))).isoformat()
                    emit(base, "died")
                elif r < 0.034:
                    base[8] = (today - timedelta(days=int(_draw(seed, mid, "m") * 300))).isoformat()
                    base[9] = _DESTINATIONS[int(_draw(seed, mid, "w") * len(_DESTINATIONS))]
                    emit(base, "moved_out")
                elif r < 0.039:
                    base[1] = base[1][:10] + f"{int(_draw(seed, mid, 'k') * 999999):06d}"
                    base[10] = (
                        today - timedelta(days=int(_draw(seed, mid, "c") * 200))
                    ).isoformat()
                    emit(base, "kk_changed")
                elif r < 0.043:
                    if _draw(seed, mid, "x") < 0.5:
                        base[5] = born.replace(
                            year=born.year - 3, day=min(born.day, 28)
                        ).isoformat()
                    else:
                        base[2] = FAMILY[int(_draw(seed, mid, "n") * len(FAMILY))] + " Saputra"
                    emit(base, "identity_mismatch")
                elif r < 0.083:
                    base[2] = _variant(m["name"], _draw(seed, mid, "v"))
                    emit(base, "spelling_variant")
                elif r < 0.0835:
                    base[0] = base[0][:15]
                    emit(base, "invalid_row")
                else:
                    emit(base, "same")
                if m["hid"] != last_household:
                    last_household = m["hid"]
                    if _draw(seed, m["hid"], "birth") < 0.02:
                        baby_born = today - timedelta(days=20 + int(_draw(seed, mid, "b") * 280))
                        female = _draw(seed, mid, "s") < 0.5
                        first = (FEMALE if female else MALE)[int(_draw(seed, mid, "f") * 10)]
                        emit(
                            [
                                niks.new(m["region_code"], baby_born, female), m["kk_number"],
                                f"{first} {m['name'].split()[-1]}", "2" if female else "1",
                                "MUKOMUKO", baby_born.isoformat(), "3", None, None, None, None,
                                m["region_code"],
                            ],
                            "birth",
                        )  # fmt: skip
                if _draw(seed, mid, "other") < 0.125:
                    # A resident of the regency the register does not hold.
                    other_born = date(1950, 1, 1) + timedelta(
                        days=int(_draw(seed, mid, "o") * 25000)
                    )
                    female = _draw(seed, mid, "os") < 0.5
                    first = (FEMALE if female else MALE)[int(_draw(seed, mid, "of") * 10)]
                    emit(
                        [
                            niks.new(m["region_code"], other_born, female),
                            f"{m['region_code'].replace('.', '')[:6]}99{int(_draw(seed, mid, 'ok') * 1e8):08d}",
                            f"{first} {FAMILY[int(_draw(seed, mid, 'ol') * len(FAMILY))]}",
                            "2" if female else "1", "MUKOMUKO", other_born.isoformat(), "1",
                            None, None, None, None, m["region_code"],
                        ],
                        "not_in_register",
                    )  # fmt: skip
    return stats


async def plant_duplicates(region: str, *, seed: int, share: float = 0.001) -> int:
    """Copy ``share`` of the members into another household of their village under a
    mistyped NIK (the last digits changed): the same person registered twice."""
    planted = 0
    top = await bulk.fetch("SELECT max(id) AS top FROM household_member")
    async for rows in _pages(region, int(top[0]["top"] or 0)):
        chosen = [m for m in rows if _draw(seed, m["id"], "dup") < share]
        for m in chosen:
            other = await bulk.fetch(
                "SELECT id FROM household WHERE region_code = $1 AND id <> $2 "
                "AND status = 'active' ORDER BY id LIMIT 1",
                m["region_code"],
                m["hid"],
            )
            typo = m["nik"][:12] + f"{(int(m['nik'][12:]) + 5003) % 10000:04d}"
            taken = await bulk.fetch("SELECT id FROM household_member WHERE nik = $1", typo)
            if not other or taken:
                continue
            await bulk.execute_count(
                "INSERT INTO household_member (household, position, nik, name, sex, birth_date, "
                "relationship, answers, name_key) VALUES ($1, 90, $2, $3, $4, $5, '8', '{}', $6)",
                other[0]["id"],
                typo,
                m["name"],
                m["sex"] or "",
                _date(m["birth_date"]),
                name_key(m["name"]),
            )
            planted += 1
    return planted

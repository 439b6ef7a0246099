"""Synthetic, plausible baseline data: the demo (a few thousand households) and the
benchmark (400,000 households, a million members) use the same generator.

Deterministic for a seed. NIKs and No. KKs follow the real structure (district of the
village, birth date with +40 for women, a serial unique per district and date), so they
pass ``survey_forms.identity``; names are common Indonesian names as found in Bengkulu
(Malay, Minang and Javanese transmigrant families). Nothing here is a real person.
"""

from __future__ import annotations

import csv
import hashlib
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from api.registry.baseline.columns import LEGACY

MALE = (
    "Ahmad Budi Hendra Joko Slamet Sutrisno Agus Bambang Dedi Eko Hasan Irwan Jamal Kurniawan "
    "Rahmat Syafri Zulkifli Yusuf Wahyu Rudi Arif Darmawan Fauzi Hamdan Iskandar Mulyadi "
    "Nasrul Rizal Sudirman Taufik Usman Wagiman Yanto Zainal Suparman Edi Gunawan Heri "
    "Indra Khairul Lukman Marzuki Novri Oktavianus Purnomo Riki Safrudin Tono"
).split()
FEMALE = (
    "Siti Aminah Dewi Sri Rahayu Nurhayati Fitri Lestari Yuliani Wati Ratna Sumarni Ernawati "
    "Indah Juwita Kartini Lina Maya Nina Puspita Rina Sari Titin Umi Wulan Yeni Zubaidah "
    "Asnah Baiduri Cici Desi Eli Farida Hasnah Irma Jumiati Khadijah Marlina Nurjanah "
    "Rosmini Salmah Tuti Yusnita Halimah Rukiah Suryani Mardiana"
).split()
FAMILY = (
    "Saputra Putri Hidayat Santoso Wijaya Lubis Siregar Harahap Nasution Effendi Syahputra "
    "Susanto Pratama Rahman Hasibuan Kurnia Ramadhan Firmansyah Setiawan Maulana Sari "
    "Anggraini Yuliana Wibowo Purnama Handayani Utami Hakim Sembiring Tanjung"
).split()
STREETS = (
    "Jl. Merdeka|Jl. Sudirman|Jl. Lintas Barat|Jl. Imam Bonjol|Jl. Pasar|Jl. Pantai|"
    "Jl. Kebun Sawit|Jl. Masjid|Jl. Sekolah|Jl. Pahlawan|Dusun I|Dusun II|Dusun III|"
    "Jl. Air Manjuto|Jl. Selagan|Jl. Transmigrasi"
).split("|")

# Where Kabupaten Mukomuko is: districts spread along the coast around this point.
MUKOMUKO_CENTRE = (-2.6, 101.1)

# Common codes of each housing answer (all of them have a BDT legacy counterpart).
CHOICES: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "house_ownership": (("1", "2", "3", "5"), (0.78, 0.08, 0.12, 0.02)),
    "land_proof": (("1", "4", "5", "6"), (0.35, 0.1, 0.4, 0.15)),
    "floor_material": (("2", "4", "5", "6", "8"), (0.25, 0.05, 0.3, 0.35, 0.05)),
    "wall_material": (("1", "3", "4", "6"), (0.45, 0.4, 0.1, 0.05)),
    "roof_material": (("2", "3", "4", "6"), (0.05, 0.8, 0.1, 0.05)),
    "drinking_water": (("2", "3", "4", "5", "6"), (0.35, 0.05, 0.3, 0.2, 0.1)),
    "sewage_distance": (("1", "2", "3"), (0.4, 0.45, 0.15)),
    "lighting": (("1", "3", "4"), (0.9, 0.07, 0.03)),
    "electricity_power": (("1", "2", "3"), (0.55, 0.4, 0.05)),
    "cooking_fuel": (("1", "3", "4", "7", "10"), (0.02, 0.03, 0.7, 0.05, 0.2)),
    "toilet_facility": (("1", "2", "4", "6"), (0.75, 0.1, 0.05, 0.1)),
    "toilet_type": (("1", "2", "4"), (0.8, 0.1, 0.1)),
    "sewage_disposal": (("1", "3", "4", "5"), (0.6, 0.15, 0.2, 0.05)),
}
ASSETS = (
    "asset_gas_cylinder asset_refrigerator asset_air_conditioner asset_water_heater "
    "asset_television asset_gold asset_computer asset_motorcycle asset_car asset_boat "
    "asset_smartphone asset_land_elsewhere asset_house_elsewhere"
).split()
ASSET_YES = {
    "asset_refrigerator": 0.35, "asset_television": 0.3, "asset_motorcycle": 0.65,
    "asset_smartphone": 0.7, "asset_gas_cylinder": 0.1, "asset_gold": 0.05, "asset_car": 0.02,
}  # fmt: skip
PROGRAMMES = (
    "program_pkh program_bpnt program_pbi_jk program_pip program_blt_dd "
    "program_electricity_subsidy program_regional_aid"
).split()
LIVESTOCK = "livestock_cattle livestock_buffalo livestock_horse livestock_pig livestock_goat"
HOUSEHOLD_SIZES = ((1, 2, 3, 4, 5, 6), (0.22, 0.32, 0.24, 0.14, 0.06, 0.02))

CANONICAL_HEADER = [
    "no_kk", "region_code", "address", "rt", "rw", "latitude", "longitude", "decile",
    "nik", "name", "sex", "birth_date", "relationship", "marital_status",
    "disability", "chronic_illness", "working",
    "house_ownership", "land_proof", "floor_area",
    *[key for key in CHOICES if key not in ("house_ownership", "land_proof")],
    *ASSETS, *LIVESTOCK.split(), *PROGRAMMES,
]  # fmt: skip
# The register's legacy names for the columns the issue names (nokk, nama, lantai, …).
LEGACY_NAMES = {
    "no_kk": "nokk", "name": "nama", "address": "alamat", "region_code": "kode_wilayah",
    "sex": "jenis_kelamin", "birth_date": "tanggal_lahir", "relationship": "hubungan_keluarga",
    "house_ownership": "sta_bangunan", "floor_material": "lantai", "wall_material": "dinding",
    "roof_material": "atap", "drinking_water": "sumber_airminum",
    "lighting": "sumber_penerangan", "cooking_fuel": "bb_masak", "toilet_facility": "fasbab",
}  # fmt: skip


def _legacy_inverse() -> dict[str, dict[str, str]]:
    inverse: dict[str, dict[str, str]] = {}
    for legacy_name in set(LEGACY_NAMES.values()):
        legacy = LEGACY.get(legacy_name)
        if legacy is None:
            continue
        table: dict[str, str] = {}
        for legacy_code, form_code in (legacy.codes or {}).items():
            if form_code is not None:
                table.setdefault(form_code, legacy_code)
        inverse[legacy_name] = table
    return inverse


@dataclass(frozen=True)
class Village:
    code: str
    name: str


def village_centre(code: str) -> tuple[float, float]:
    """A stable point for a village: districts along the coast, villages around them."""
    district = int(code.split(".")[2])
    rnd = random.Random(code)
    lat = MUKOMUKO_CENTRE[0] + 0.28 - 0.045 * district + rnd.uniform(-0.03, 0.03)
    lon = MUKOMUKO_CENTRE[1] - 0.12 + 0.035 * district + rnd.uniform(-0.04, 0.04)
    return lat, lon


class Generator:
    def __init__(self, seed: int = 2026, today: date = date(2026, 6, 1)) -> None:
        self.rnd = random.Random(seed)
        self.today = today
        self._serials: dict[str, int] = defaultdict(int)

    def _serial(self, key: str) -> str:
        self._serials[key] += 1
        return f"{self._serials[key]:04d}"

    def _nik(self, district6: str, born: date, female: bool) -> str:
        ddmmyy = f"{born.day + (40 if female else 0):02d}{born.month:02d}{born.year % 100:02d}"
        return district6 + ddmmyy + self._serial(district6 + ddmmyy)

    def _kk(self, district6: str) -> str:
        issued = self.today - timedelta(days=self.rnd.randint(200, 7000))
        ddmmyy = f"{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}"
        # Each issue date's serials start at a place of their own, so the last four digits
        # (all a masked No. KK shows besides the district) tell households apart.
        key = "kk" + district6 + ddmmyy
        start = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 5000
        return district6 + ddmmyy + f"{start + int(self._serial(key)):04d}"

    def _born(self, age_low: int, age_high: int) -> date:
        return self.today - timedelta(days=self.rnd.randint(age_low * 365, age_high * 365 + 364))

    def _pick(self, key: str) -> str:
        codes, weights = CHOICES[key]
        return self.rnd.choices(codes, weights)[0]

    def _answers(self) -> dict[str, Any]:
        answers: dict[str, Any] = {key: self._pick(key) for key in CHOICES}
        if answers["house_ownership"] != "1":
            answers.pop("land_proof")
        if answers["lighting"] != "1":
            answers.pop("electricity_power")
        if answers["toilet_facility"] == "6":
            answers.pop("toilet_type")
        answers["floor_area"] = self.rnd.randint(18, 120)
        for asset in ASSETS:
            answers[asset] = "1" if self.rnd.random() < ASSET_YES.get(asset, 0.03) else "2"
        for livestock in LIVESTOCK.split():
            chance = {"livestock_goat": 0.15, "livestock_cattle": 0.08}.get(livestock, 0.01)
            answers[livestock] = self.rnd.randint(1, 6) if self.rnd.random() < chance else 0
        for programme in PROGRAMMES:
            answers[programme] = "1" if self.rnd.random() < 0.35 else "2"
        return answers

    def household(self, village: Village) -> list[dict[str, Any]]:
        """One family: a row per member with the household's columns repeated."""
        district6 = village.code.replace(".", "")[:6]
        lat0, lon0 = village_centre(village.code)
        rnd = self.rnd
        family = rnd.choice(FAMILY)
        size = rnd.choices(*HOUSEHOLD_SIZES)[0]
        head_female = rnd.random() < 0.12  # widows head about one family in eight
        head_age = rnd.randint(24, 78)
        household = {
            "no_kk": self._kk(district6),
            "region_code": village.code,
            "address": f"{rnd.choice(STREETS)} No. {rnd.randint(1, 120)}",
            "rt": f"{rnd.randint(1, 8):03d}",
            "rw": f"{rnd.randint(1, 4):03d}",
            "latitude": round(lat0 + rnd.uniform(-0.004, 0.004), 6),
            "longitude": round(lon0 + rnd.uniform(-0.004, 0.004), 6),
            # BPS's decile, 1-10, weighted to the poor as the register is (one draw, as before).
            "decile": rnd.choices(range(1, 11), (16, 15, 14, 13, 11, 9, 8, 6, 5, 3))[0],
            **self._answers(),
        }
        members: list[tuple[str, bool, date, str]] = []  # name, female, born, relationship
        first = rnd.choice(FEMALE if head_female else MALE)
        members.append((f"{first} {family}", head_female, self._born(head_age, head_age), "1"))
        if size > 1 and not head_female:
            spouse_age = max(18, head_age - rnd.randint(0, 8))
            members.append((f"{rnd.choice(FEMALE)}", True, self._born(spouse_age, spouse_age), "2"))
        while len(members) < size:
            if head_age > 60 and rnd.random() < 0.2:
                female = rnd.random() < 0.5
                name = rnd.choice(FEMALE if female else MALE)
                members.append((name, female, self._born(18, max(18, head_age - 20)), "4"))
                continue
            female = rnd.random() < 0.5
            child_age_high = max(0, min(head_age - 18, 30))
            name = f"{rnd.choice(FEMALE if female else MALE)} {family}"
            members.append((name, female, self._born(0, child_age_high), "3"))
        rows = []
        for name, female, born, relationship in members:
            age = (self.today - born).days // 365
            married = relationship in ("1", "2") and (size > 1 or rnd.random() < 0.5)
            rows.append(
                {
                    **household,
                    "nik": self._nik(district6, born, female),
                    "name": name,
                    "sex": "2" if female else "1",
                    "birth_date": born.isoformat(),
                    "relationship": relationship,
                    "marital_status": "2" if married else ("4" if relationship == "1" else "1"),
                    "disability": "1" if rnd.random() < 0.03 else "2",
                    "chronic_illness": "1" if rnd.random() < 0.08 else "2",
                    "working": "1" if 18 <= age <= 64 and rnd.random() < 0.7 else "2",
                }
            )
        return rows

    def rows(self, villages: list[Village], households: int) -> Iterator[dict[str, Any]]:
        """``households`` families spread round-robin over ``villages``."""
        for index in range(households):
            yield from self.household(villages[index % len(villages)])


def write_csv(
    path: Path,
    villages: list[Village],
    households: int,
    *,
    seed: int = 2026,
    legacy: bool = False,
    today: date = date(2026, 6, 1),
) -> int:
    """Write a baseline CSV; returns the number of member rows. Streams: flat memory."""
    generator = Generator(seed, today)
    inverse = _legacy_inverse() if legacy else {}
    header = [LEGACY_NAMES.get(c, c) if legacy else c for c in CANONICAL_HEADER]
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in generator.rows(villages, households):
            values = []
            for column in CANONICAL_HEADER:
                value = row.get(column, "")
                if legacy and column in LEGACY_NAMES:
                    legacy_name = LEGACY_NAMES[column]
                    value = inverse.get(legacy_name, {}).get(str(value), value)
                values.append(value)
            writer.writerow(values)
            count += 1
    return count

"""Realistic example answers for the shipped forms: used by tests, the benchmark and demos.

The NIKs are structurally valid but synthetic (district 17.06.03, Kabupaten Mukomuko).
"""

from __future__ import annotations

import copy
from typing import Any

_DTKS_HOUSEHOLD: dict[str, Any] = {
    "house_ownership": "1",
    "land_proof": "5",
    "floor_area": 48,
    "floor_material": "6",
    "wall_material": "3",
    "roof_material": "3",
    "drinking_water": "4",
    "sewage_distance": "2",
    "lighting": "1",
    "electricity_power": "1",
    "cooking_fuel": "4",
    "toilet_facility": "1",
    "toilet_type": "1",
    "sewage_disposal": "1",
    "asset_gas_cylinder": "2",
    "asset_refrigerator": "1",
    "asset_air_conditioner": "2",
    "asset_water_heater": "2",
    "asset_television": "2",
    "asset_gold": "2",
    "asset_computer": "2",
    "asset_motorcycle": "1",
    "asset_car": "2",
    "asset_boat": "2",
    "asset_smartphone": "1",
    "asset_land_elsewhere": "2",
    "asset_house_elsewhere": "2",
    "livestock_cattle": 0,
    "livestock_buffalo": 0,
    "livestock_horse": 0,
    "livestock_pig": 0,
    "livestock_goat": 3,
    "program_pkh": "1",
    "program_bpnt": "1",
    "program_pbi_jk": "1",
    "program_pip": "1",
    "program_blt_dd": "2",
    "program_electricity_subsidy": "1",
    "program_regional_aid": "2",
}

_MEMBERS: list[dict[str, Any]] = [
    {  # head
        "nik": "1706031505780001",
        "full_name": "Sutrisno",
        "presence": "1",
        "sex": "1",
        "birth_date": "1978-05-15",
        "marital_status": "2",
        "relationship": "1",
        "disability": "2",
        "chronic_illness": "1",
        "working": "1",
    },
    {  # wife
        "nik": "1706036208820002",
        "full_name": "Siti Aminah",
        "presence": "1",
        "sex": "2",
        "birth_date": "1982-08-22",
        "marital_status": "2",
        "relationship": "2",
        "disability": "2",
        "chronic_illness": "2",
        "working": "2",
    },
    {  # son with a disability
        "nik": "1706030311050003",
        "full_name": "Budi Santoso",
        "presence": "1",
        "sex": "1",
        "birth_date": "2005-11-03",
        "marital_status": "1",
        "relationship": "3",
        "disability": "1",
        "disability_kind": ["1", "5"],
        "chronic_illness": "2",
        "working": "1",
    },
    {  # daughter
        "nik": "1706035001120004",
        "full_name": "Dewi Lestari",
        "presence": "1",
        "sex": "2",
        "birth_date": "2012-01-10",
        "marital_status": "1",
        "relationship": "3",
        "disability": "2",
        "chronic_illness": "2",
        "working": "2",
    },
    {  # grandmother who died since the last round
        "nik": "1706034107450005",
        "full_name": "Painem",
        "presence": "2",
    },
    {  # new-born without a NIK yet
        "nik": "",
        "full_name": "Putri Ayu",
        "presence": "5",
        "sex": "2",
        "birth_date": "2025-09-30",
        "marital_status": "1",
        "relationship": "5",
        "disability": "2",
        "chronic_illness": "2",
        "working": "2",
    },
]


# What version 2 asks about each member change (keyed by the member's position above).
_V2_MEMBER_DETAILS: dict[int, dict[str, Any]] = {
    4: {
        "birth_date": "1945-07-01",
        "death_date": "2026-08-14",
        "death_certificate_no": "1706-KM-0815",
    },
    5: {"new_member_kind": "2"},  # a grandchild who came to live here, not born since the round
}


def dtks_submission(version: int = 1) -> dict[str, Any]:
    """A complete, valid dtks_verval submission (version 1 or 2): a household of six members."""
    answers = copy.deepcopy(_DTKS_HOUSEHOLD)
    answers["members"] = copy.deepcopy(_MEMBERS)
    if version >= 2:
        for index, details in _V2_MEMBER_DETAILS.items():
            answers["members"][index].update(details)
    return answers


def usulan_v2_submission() -> dict[str, Any]:
    """A complete, valid usulan_baru v2 submission: the head and three members with NIKs."""
    answers = {k: v for k, v in usulan_submission().items() if k != "members_count"}
    answers["members"] = [
        {"nik": "1706035203920002", "full_name": "Siti Aminah", "sex": "2",
         "birth_date": "1992-03-12", "relationship": "2"},
        {"nik": "1706031408150003", "full_name": "Fajar Hidayat", "sex": "1",
         "birth_date": "2015-08-14", "relationship": "3"},
        {"nik": "1706036101240001", "full_name": "Nur Aisyah", "sex": "2",
         "birth_date": "2024-01-21", "relationship": "3"},
    ]  # fmt: skip
    return answers


def usulan_submission() -> dict[str, Any]:
    """A complete, valid usulan_baru v1 submission."""
    return {
        "address": "Jl. Lintas Barat No. 12, Desa Pondok Baru",
        "rt": "003",
        "rw": "01",
        "kk_number": "1706031203150004",
        "head_name": "Rahmat Hidayat",
        "head_nik": "1706030707900001",
        "members_count": 4,
        "reason": "2",
        "notes": "Pecah KK dari orang tua tahun lalu",
    }

"""The register's columns: what each export row holds, under SIKS-NG / BDT names.

One row per household (``households``) or per member (``members``). The housing columns
carry two codings side by side:

* the BDT names the register's operators know (``LANTAI``, ``ATAP``, ``BB_MASAK`` …) with
  the BDT 2015 codes those names have always meant, translated from the form's answers
  (the inverse of ``api.registry.baseline.columns.LEGACY``, so an exported file reads
  back through the baseline importer to the same answers wherever BDT is as fine as
  Regsosek);
* the Regsosek 2022 question numbers (``R303`` …) with the form's own codes, unchanged,
  so nothing is lost where BDT is coarser (elpiji 5,5 kg vs 12 kg, MCK komunal …).

docs/exports.md is the human-readable version of this module; keep them together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from api.reports.labels import (
    PRESENCE_LABELS,
    eligibility_label,
    local_date,
    outcome_label,
    state_label,
)
from survey_forms.identity import mask_nik

# --- code translation: form (Regsosek 2022) → BDT 2015 ----------------------------------------

TO_BDT: dict[str, dict[str, str]] = {
    "floor_material": {
        "1": "1", "2": "2", "3": "3", "4": "4", "5": "5", "6": "6", "7": "7", "8": "9", "9": "10",
    },
    "roof_material": {
        "1": "1", "2": "4", "3": "6", "4": "5", "5": "8", "6": "7", "7": "9", "8": "10",
    },
    "drinking_water": {
        "1": "1", "2": "2", "3": "3", "4": "5", "5": "6", "6": "7", "7": "8", "8": "9",
        "9": "10", "10": "11", "11": "12",
    },
    "lighting": {"1": "1", "2": "1", "3": "2", "4": "3"},
    "cooking_fuel": {
        "0": "9", "1": "1", "2": "2", "3": "2", "4": "3", "5": "4", "6": "4", "7": "5",
        "8": "6", "9": "7", "10": "8",
    },
    "toilet_facility": {"1": "1", "2": "2", "3": "3", "4": "3", "5": "4", "6": "4"},
    "toilet_type": {"1": "1", "2": "2", "3": "2", "4": "3"},
    "sewage_disposal": {"1": "1", "2": "2", "3": "4", "4": "3", "5": "5", "6": "6"},
}  # fmt: skip


def _code(answers: dict[str, Any], key: str) -> str:
    value = answers.get(key)
    return "" if value is None else str(value)


def _bdt(answers: dict[str, Any], key: str) -> str:
    value = _code(answers, key)
    return TO_BDT[key].get(value, "") if value else ""


def _daya(answers: dict[str, Any]) -> str:
    if _code(answers, "lighting") == "2":
        return "6"  # BDT: listrik PLN tanpa meteran
    return _code(answers, "electricity_power")


def _kloset(answers: dict[str, Any]) -> str:
    if _code(answers, "toilet_facility") in ("5", "6"):
        return "4"  # BDT: tidak pakai
    return _bdt(answers, "toilet_type")


def _same(key: str) -> Callable[[dict[str, Any]], Any]:
    def get(answers: dict[str, Any]) -> Any:
        value = answers.get(key)
        return "" if value is None else value

    return get


def _translated(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda answers: _bdt(answers, key)


# (column, width in XLSX characters, value from the answers)
HOUSING: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("STA_BANGUNAN", _same("house_ownership")),
    ("LUAS_LANTAI", _same("floor_area")),
    ("LANTAI", _translated("floor_material")),
    ("DINDING", _same("wall_material")),
    ("ATAP", _translated("roof_material")),
    ("SUMBER_AIRMINUM", _translated("drinking_water")),
    ("SUMBER_PENERANGAN", _translated("lighting")),
    ("DAYA", _daya),
    ("BB_MASAK", _translated("cooking_fuel")),
    ("FASBAB", _translated("toilet_facility")),
    ("KLOSET", _kloset),
    ("BUANG_TINJA", _translated("sewage_disposal")),
]
REGSOSEK: list[tuple[str, str]] = [
    ("R301A", "house_ownership"),
    ("R301B", "land_proof"),
    ("R302", "floor_area"),
    ("R303", "floor_material"),
    ("R304", "wall_material"),
    ("R305", "roof_material"),
    ("R306A", "drinking_water"),
    ("R306B", "sewage_distance"),
    ("R307A", "lighting"),
    ("R307B", "electricity_power"),
    ("R308", "cooking_fuel"),
    ("R309A", "toilet_facility"),
    ("R309B", "toilet_type"),
    ("R310", "sewage_disposal"),
]
ASSETS: list[tuple[str, str]] = [
    ("ADA_TABUNG_GAS", "asset_gas_cylinder"),
    ("ADA_LEMARI_ES", "asset_refrigerator"),
    ("ADA_AC", "asset_air_conditioner"),
    ("ADA_PEMANAS", "asset_water_heater"),
    ("ADA_TV", "asset_television"),
    ("ADA_EMAS", "asset_gold"),
    ("ADA_LAPTOP", "asset_computer"),
    ("ADA_MOTOR", "asset_motorcycle"),
    ("ADA_MOBIL", "asset_car"),
    ("ADA_PERAHU_MOTOR", "asset_boat"),
    ("ADA_SMARTPHONE", "asset_smartphone"),
    ("ASET_TANAH_LAIN", "asset_land_elsewhere"),
    ("ASET_RUMAH_LAIN", "asset_house_elsewhere"),
    ("JML_SAPI", "livestock_cattle"),
    ("JML_KERBAU", "livestock_buffalo"),
    ("JML_KUDA", "livestock_horse"),
    ("JML_BABI", "livestock_pig"),
    ("JML_KAMBING", "livestock_goat"),
    ("STA_PKH", "program_pkh"),
    ("STA_BPNT", "program_bpnt"),
    ("STA_PBI_JK", "program_pbi_jk"),
    ("STA_PIP", "program_pip"),
    ("STA_BLT_DD", "program_blt_dd"),
    ("STA_SUBSIDI_LISTRIK", "program_electricity_subsidy"),
    ("STA_BANTUAN_DAERAH", "program_regional_aid"),
]

# Identification and result columns: (name, XLSX width)
HOUSEHOLD_LEAD: list[tuple[str, int]] = [
    ("KODE_WILAYAH", 15),
    ("PROVINSI", 14),
    ("KABUPATEN", 22),
    ("KECAMATAN", 18),
    ("DESA", 20),
    ("ID_VERVAL", 10),
    ("NO_KK", 19),
    ("NIK_KRT", 19),
    ("NAMA_KRT", 26),
    ("ALAMAT", 30),
    ("RT", 5),
    ("RW", 5),
    ("JUMLAH_ART", 11),
    ("DESIL", 6),
    ("PUTARAN", 20),
    ("HASIL_VERIFIKASI", 22),
    ("STATUS_KELAYAKAN", 20),
    ("STATUS_PEMERIKSAAN", 24),
    ("TGL_KUNJUNGAN", 13),
    ("PETUGAS", 22),
    ("FLAG_KUALITAS", 24),
    ("SUMBER_DATA", 13),
    ("LINTANG", 11),
    ("BUJUR", 11),
]
HOUSEHOLD_COLUMNS: list[str] = [
    *(name for name, _ in HOUSEHOLD_LEAD),
    *(name for name, _ in HOUSING),
    *(name for name, _ in REGSOSEK),
    *(name for name, _ in ASSETS),
]
HOUSEHOLD_WIDTHS: list[int] = [width for _, width in HOUSEHOLD_LEAD] + [10] * (
    len(HOUSEHOLD_COLUMNS) - len(HOUSEHOLD_LEAD)
)

MEMBER_LEAD: list[tuple[str, int]] = [
    ("KODE_WILAYAH", 15),
    ("DESA", 20),
    ("ID_VERVAL", 10),
    ("NO_KK", 19),
    ("NO_URUT", 8),
    ("NIK", 19),
    ("NAMA", 26),
    ("JNSKEL", 7),
    ("TGL_LAHIR", 11),
    ("HUB_KELUARGA", 12),
    ("STA_KAWIN", 10),
    ("STATUS_KEBERADAAN", 10),
    ("KETERANGAN_KEBERADAAN", 24),
    ("STA_DISABILITAS", 10),
    ("STA_PENYAKIT_KRONIS", 10),
    ("STA_BEKERJA", 10),
    ("PUTARAN", 20),
    ("HASIL_VERIFIKASI", 22),
    ("STATUS_PEMERIKSAAN", 24),
    ("SUMBER_DATA", 13),
]
MEMBER_COLUMNS: list[str] = [name for name, _ in MEMBER_LEAD]
MEMBER_WIDTHS: list[int] = [width for _, width in MEMBER_LEAD]

FROM_VISIT = "HASIL VERVAL"
FROM_BASELINE = "DATA AWAL"
LIVING_HERE = ("1", "5")  # tinggal bersama keluarga, anggota baru


@dataclass
class RowContext:
    """What every row of one export shares."""

    round_name: str
    full_identity: bool
    names: dict[str, str]  # region code → name
    users: dict[int, str] = field(default_factory=dict)  # enumerator id → display name
    flags: dict[Any, list[str]] = field(default_factory=dict)  # visit id → flag codes

    def identity(self, value: str | None) -> str:
        if not value:
            return ""
        return value if self.full_identity else mask_nik(value)

    def place(self, village: str) -> list[str]:
        parts = village.split(".")
        codes = [".".join(parts[: i + 1]) for i in range(len(parts))]
        names = [self.names.get(code, "") for code in codes]
        return [*names, "", "", "", ""][:4]


def verified_head(members: list[dict[str, Any]]) -> dict[str, Any] | None:
    for member in members:
        if str(member.get("relationship")) == "1" and str(member.get("presence")) in LIVING_HERE:
            return member
    return None


def _iso(value: date | datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _coordinate(value: float | None) -> float | str:
    return round(value, 6) if value is not None else ""


def _result_columns(visit: dict[str, Any] | None, village: str, ctx: RowContext) -> list[Any]:
    if visit is None:
        return [ctx.round_name, "", "", state_label(None), "", "", ""]
    return [
        ctx.round_name,
        outcome_label(visit["outcome"]),
        eligibility_label(visit["eligibility"], village),
        state_label(visit["state"]),
        _iso(local_date(visit["started_at"], village)),
        ctx.users.get(visit["enumerator_id"], ""),
        ";".join(ctx.flags.get(visit["id"], [])),
    ]


def _answer_columns(answers: dict[str, Any]) -> list[Any]:
    return [
        *(get(answers) for _, get in HOUSING),
        *(_same(key)(answers) for _, key in REGSOSEK),
        *(_same(key)(answers) for _, key in ASSETS),
    ]


def household_row(
    household: dict[str, Any], visit: dict[str, Any] | None, ctx: RowContext
) -> list[Any]:
    village = household["region_code"]
    interviewed = visit is not None and visit["outcome"] == "found"
    answers: dict[str, Any] = visit["answers"] if interviewed and visit else household["baseline"]
    head_name, head_nik = household["head_name"], household["head_nik"]
    member_count: Any = household["member_count"]
    if interviewed and visit is not None:
        members = [m for m in answers.get("members") or [] if isinstance(m, dict)]
        head = verified_head(members)
        if head is not None:
            head_name = head.get("full_name") or head_name
            head_nik = head.get("nik") or head_nik
        member_count = sum(1 for m in members if str(m.get("presence")) in LIVING_HERE)
    latitude = visit["gps_lat"] if visit and visit["gps_lat"] is not None else household["latitude"]
    longitude = (
        visit["gps_lon"] if visit and visit["gps_lon"] is not None else household["longitude"]
    )
    return [
        village,
        *ctx.place(village),
        household["id"],
        ctx.identity(household["kk_number"]),
        ctx.identity(head_nik),
        head_name,
        household["address"],
        household["rt"],
        household["rw"],
        member_count,
        household["decile"] if household["decile"] is not None else "",
        *_result_columns(visit, village, ctx),
        FROM_VISIT if interviewed else FROM_BASELINE,
        _coordinate(latitude),
        _coordinate(longitude),
        *_answer_columns(answers),
    ]


def proposal_row(visit: dict[str, Any], ctx: RowContext) -> list[Any]:
    """A household found in the field (usulan baru): identity and address from its form."""
    village = visit["region_code"]
    answers = visit["answers"]
    return [
        village,
        *ctx.place(village),
        "",
        ctx.identity(str(answers.get("kk_number") or "")),
        ctx.identity(str(answers.get("head_nik") or "")),
        answers.get("head_name", ""),
        answers.get("address", ""),
        answers.get("rt", ""),
        answers.get("rw", ""),
        answers.get("members_count", ""),
        "",
        *_result_columns(visit, village, ctx),
        FROM_VISIT,
        _coordinate(visit["gps_lat"]),
        _coordinate(visit["gps_lon"]),
        *_answer_columns({}),
    ]


def member_rows(
    household: dict[str, Any],
    visit: dict[str, Any] | None,
    baseline_members: list[dict[str, Any]],
    ctx: RowContext,
) -> list[list[Any]]:
    """One row per member: from the visit when the family was interviewed, else baseline."""
    village = household["region_code"]
    place = ctx.place(village)
    results = _result_columns(visit, village, ctx)
    tail = [results[0], results[1], results[3]]  # round, outcome, review state
    kk = ctx.identity(household["kk_number"])
    rows: list[list[Any]] = []
    if visit is not None and visit["outcome"] == "found":
        members = [m for m in visit["answers"].get("members") or [] if isinstance(m, dict)]
        for position, member in enumerate(members, start=1):
            presence = str(member.get("presence") or "")
            rows.append(
                [
                    village,
                    place[3],
                    household["id"],
                    kk,
                    position,
                    ctx.identity(str(member.get("nik") or "")),
                    member.get("full_name", ""),
                    member.get("sex", ""),
                    member.get("birth_date", ""),
                    member.get("relationship", ""),
                    member.get("marital_status", ""),
                    presence,
                    PRESENCE_LABELS.get(presence, ""),
                    member.get("disability", ""),
                    member.get("chronic_illness", ""),
                    member.get("working", ""),
                    *tail,
                    FROM_VISIT,
                ]
            )
        return rows
    for position, member in enumerate(baseline_members, start=1):
        answers = member["answers"]
        presence = member["presence"] or ""
        rows.append(
            [
                village,
                place[3],
                household["id"],
                kk,
                position,
                ctx.identity(member["nik"]),
                member["name"],
                member["sex"],
                _iso(member["birth_date"]),
                member["relationship"],
                member["marital_status"] or "",
                presence,
                PRESENCE_LABELS.get(presence, ""),
                answers.get("disability", ""),
                answers.get("chronic_illness", ""),
                answers.get("working", ""),
                *tail,
                FROM_BASELINE,
            ]
        )
    return rows

"""Indonesian wording of codes, local dates and the time zone of a region.

Every document and export is in Indonesian (SPEC §1). The labels here are the ones the
register's operators read; docs/exports.md lists them so a machine can map them back.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

OUTCOME_LABELS = {
    "found": "Ditemukan",
    "not_found": "Tidak ditemukan",
    "moved": "Pindah",
    "dissolved": "Keluarga bubar",
    "duplicate": "Data ganda",
    "refused": "Menolak diwawancarai",
    "not_home": "Tidak ada di rumah",
    "new_household": "Keluarga baru (usulan)",
}
OUTCOME_ORDER = list(OUTCOME_LABELS)

ELIGIBILITY_ORDER = ["layak", "tidak_layak", "musdes"]

STATE_LABELS = {
    "submitted": "Menunggu foto",
    "complete": "Menunggu pemeriksaan",
    "approved": "Disetujui",
    "returned": "Dikembalikan (kunjungan ulang)",
    "escalated": "Dieskalasi",
}
NOT_VISITED = "Belum dikunjungi"

PRESENCE_LABELS = {
    "1": "Tinggal bersama keluarga",
    "2": "Meninggal",
    "3": "Pindah dalam negeri",
    "4": "Pindah ke luar negeri",
    "5": "Anggota baru",
    "6": "Tidak ditemukan",
}

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

# Indonesia keeps no daylight saving time, so fixed offsets are exact.
WIB = timezone(timedelta(hours=7), "WIB")
WITA = timezone(timedelta(hours=8), "WITA")
WIT = timezone(timedelta(hours=9), "WIT")
_WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96", "97"}


def local_zone(region_code: str) -> timezone:
    """The time zone of a region, from its province code (Kemendagri)."""
    province = region_code[:2]
    if province in _WIT_PROVINCES:
        return WIT
    if province in _WITA_PROVINCES:
        return WITA
    return WIB


def local_today(region_code: str) -> date:
    return datetime.now(local_zone(region_code)).date()


def local_date(moment: datetime | None, region_code: str) -> date | None:
    if moment is None:
        return None
    return moment.astimezone(local_zone(region_code)).date()


def long_date(day: date) -> str:
    """'15 Juni 2026'."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def weekday(day: date) -> str:
    return DAYS[day.weekday()]


def is_kelurahan(village_code: str) -> bool:
    """A village's last part starts with 1 for a kelurahan, 2 for a desa."""
    return village_code.rsplit(".", 1)[-1].startswith("1")


def outcome_label(outcome: str | None) -> str:
    if not outcome:
        return ""
    return OUTCOME_LABELS.get(outcome, outcome)


def eligibility_label(eligibility: str | None, village_code: str = "") -> str:
    if eligibility == "layak":
        return "Layak"
    if eligibility == "tidak_layak":
        return "Tidak layak"
    if eligibility == "musdes":
        return "Dibahas di muskel" if is_kelurahan(village_code) else "Dibahas di musdes"
    return ""


def state_label(state: str | None) -> str:
    if not state:
        return NOT_VISITED
    return STATE_LABELS.get(state, state)

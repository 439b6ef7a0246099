"""The seven kinds of finding and their words (pure): staff labels and the phone's hints."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any


class FindingKind(StrEnum):
    DIED = "died"  # died according to the civil registry, active in the register
    NIK_UNKNOWN = "nik_unknown"  # the register's NIK is not in the civil registry
    IDENTITY_MISMATCH = "identity_mismatch"  # NIK known, name or birth date disagree
    DUPLICATE_NIK = "duplicate_nik"  # one person in two register households
    KK_CHANGED = "kk_changed"  # on another family card (KK changed or split)
    BIRTH = "birth"  # a birth on a register household's KK: a new member to confirm
    MOVED_OUT = "moved_out"  # moved out of the regency


class FindingState(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"  # the visit agreed with the civil registry
    CONTRADICTED = "contradicted"  # the visit found otherwise
    GONE = "gone"  # a newer extract or event no longer supports it


LABELS: dict[FindingKind, dict[str, str]] = {
    FindingKind.DIED: {"id": "Meninggal menurut Dukcapil", "en": "Died per the civil registry"},
    FindingKind.NIK_UNKNOWN: {"id": "NIK tidak dikenal Dukcapil", "en": "NIK unknown to Dukcapil"},
    FindingKind.IDENTITY_MISMATCH: {
        "id": "Nama atau tanggal lahir berbeda dengan Dukcapil",
        "en": "Name or birth date differ from the civil registry",
    },
    FindingKind.DUPLICATE_NIK: {
        "id": "Orang yang sama di dua keluarga",
        "en": "The same person in two register households",
    },
    FindingKind.KK_CHANGED: {"id": "Pindah KK / KK dipecah", "en": "KK changed or split"},
    FindingKind.BIRTH: {"id": "Kelahiran: anggota baru", "en": "A birth: new member to confirm"},
    FindingKind.MOVED_OUT: {
        "id": "Pindah keluar kabupaten",
        "en": "Moved out of the regency",
    },
}
_MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def tanggal(value: str | date | None) -> str:
    """'2026-03-04' → '4 Maret 2026'."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def hint(kind: str, details: dict[str, Any]) -> str:
    """What the phone shows on the member (or the household, for a birth)."""
    match FindingKind(kind):
        case FindingKind.DIED:
            return f"Dukcapil: meninggal {tanggal(details.get('death_date'))} — konfirmasi"
        case FindingKind.MOVED_OUT:
            return f"Dukcapil: pindah keluar kabupaten {tanggal(details.get('moved_out_on'))} — konfirmasi"
        case FindingKind.NIK_UNKNOWN:
            return "Dukcapil: NIK tidak dikenal — periksa KTP/KK"
        case FindingKind.IDENTITY_MISMATCH:
            return (
                f"Dukcapil: tercatat {details.get('civil_name', '')}, lahir "
                f"{tanggal(details.get('civil_birth_date'))} — periksa KTP"
            )
        case FindingKind.DUPLICATE_NIK:
            return "Dukcapil: orang yang sama terdaftar di keluarga lain — konfirmasi"
        case FindingKind.KK_CHANGED:
            changed = tanggal(details.get("kk_changed_on"))
            return (
                f"Dukcapil: sudah di KK lain{' sejak ' + changed if changed else ''} — konfirmasi"
            )
        case FindingKind.BIRTH:
            return (
                f"Dukcapil: kelahiran {details.get('civil_name', '')} "
                f"{tanggal(details.get('birth_date'))} — tambahkan anggota baru"
            )

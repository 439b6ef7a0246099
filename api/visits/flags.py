"""Flags in words: what a reviewer reads next to the evidence (Indonesian and English)."""

from __future__ import annotations

from typing import Any

from api.visits.schemas import FlagOut

_TEXT: dict[str, tuple[str, str]] = {
    "gps_missing": ("Tidak ada titik GPS", "No GPS fix"),
    "gps_accuracy_missing": ("Akurasi GPS tidak diketahui", "GPS accuracy unknown"),
    "gps_accuracy_zero": (
        "Akurasi GPS tepat 0 m (tanda lokasi palsu)",
        "GPS accuracy exactly 0 m (a sign of a mocked location)",
    ),
    "gps_poor_accuracy": (
        "Akurasi GPS {accuracy_m} m (batas {threshold_m} m)",
        "GPS accuracy {accuracy_m} m (threshold {threshold_m} m)",
    ),
    "far_from_household": (
        "GPS {distance_m} m dari lokasi rumah tangga yang tercatat",
        "GPS {distance_m} m from the household's recorded location",
    ),
    "photo_far_from_visit": (
        "Foto {kind} diambil {distance_m} m dari lokasi kunjungan",
        "Photo {kind} taken {distance_m} m from the visit location",
    ),
    "photo_outside_visit_window": (
        "Foto {kind} diambil {minutes_outside} menit di luar waktu kunjungan",
        "Photo {kind} taken {minutes_outside} min outside the visit",
    ),
    "visit_too_short": (
        "Kunjungan hanya {minutes} menit (minimum {minimum_min})",
        "Visit lasted only {minutes} min (minimum {minimum_min})",
    ),
    "impossible_travel": (
        "Perjalanan mustahil: {speed_kmh} km/jam dari kunjungan sebelumnya",
        "Impossible travel: {speed_kmh} km/h from the neighbouring visit",
    ),
    "many_households_same_spot": (
        "{households} rumah tangga 'dikunjungi' dari titik yang sama",
        "{households} households 'visited' from the same spot",
    ),
    "photo_reused": (
        "Foto yang sama persis dengan kunjungan {other_visit} (rumah tangga {other_household_id})",
        "Same photo as visit {other_visit} of household {other_household_id}",
    ),
    "photo_corrupt": (
        "Foto rusak atau terpotong: gambarnya tidak utuh",
        "Photo is corrupt or cut short: the picture is incomplete",
    ),
    "photo_near_duplicate": (
        "Foto hampir sama dengan foto rumah tangga {other_household_id}",
        "Photo nearly identical to one of household {other_household_id}",
    ),
    "member_died": (
        "Anggota #{member_number} dilaporkan meninggal: perlu cek Dukcapil",
        "Member #{member_number} reported dead: needs a civil-registry check",
    ),
    "member_new_nik": (
        "Anggota #{member_number} memiliki NIK baru: perlu cek Dukcapil",
        "Member #{member_number} has a new NIK: needs a civil-registry check",
    ),
    "member_nik_in_other_household": (
        "NIK anggota #{member_number} sudah ada di rumah tangga {other_household_id}",
        "Member #{member_number}'s NIK is already in household {other_household_id}",
    ),
    "nik_unknown_region": (
        "Kode wilayah NIK {where_id} ({district}) tidak ada dalam daftar wilayah: periksa NIK",
        "The region code of the NIK of {where_en} ({district}) is not in the region list: "
        "check the NIK",
    ),
    "proposal_kk_in_register": (
        "No. KK usulan ini sudah terdaftar pada rumah tangga {other_household_id}",
        "This proposal's family card number is already held by household {other_household_id}",
    ),
    "proposal_nik_in_register": (
        "NIK {where_id} sudah terdaftar pada rumah tangga {other_household_id}",
        "The NIK of {where_en} is already in household {other_household_id}",
    ),
}


def describe_flag(row: dict[str, Any]) -> FlagOut:
    evidence = row["evidence"] if isinstance(row["evidence"], dict) else {}
    indonesian, english = _TEXT.get(row["code"], (row["code"], row["code"]))
    values = dict(evidence)
    if isinstance(values.get("member_index"), int):
        # People count from one: the evidence keeps the list index, the words the number.
        values["member_number"] = values["member_index"] + 1
        values["where_id"] = f"anggota #{values['member_number']}"
        values["where_en"] = f"member #{values['member_number']}"
    elif values.get("field") == "head_nik":
        values["where_id"], values["where_en"] = "kepala keluarga", "the head of the family"
    try:
        message = {"id": indonesian.format(**values), "en": english.format(**values)}
    except (KeyError, IndexError):
        message = {"id": indonesian, "en": english}
    return FlagOut(
        code=row["code"],
        severity=row["severity"],
        message=message,
        evidence={
            **evidence,
            **({"photo_id": str(row["photo_id"])} if row.get("photo_id") else {}),
        },
    )

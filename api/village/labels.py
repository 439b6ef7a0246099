"""The words of the village process, in Indonesian (the public pages and the minutes)."""

from __future__ import annotations

REMOVAL_REASONS = {
    "died": "Meninggal dunia",
    "moved": "Pindah domisili",
    "not_found": "Tidak ditemukan",
    "dissolved": "Keluarga bubar",
    "duplicate": "Data ganda",
    "not_eligible": "Tidak layak lagi",
}
ADDITION = "Usulan keluarga baru"
DECISIONS = {"agreed": "Disetujui", "rejected": "Ditolak", "deferred": "Ditunda"}
CHANGES = {"added": "Masuk daftar", "removed": "Keluar dari daftar", "unchanged": "Tetap"}
POSITIONS = {
    "kepala_desa": "Kepala Desa/Lurah",
    "bpd": "BPD",
    "rt_rw": "Ketua RT/RW",
    "tksk": "TKSK",
    "pendamping_pkh": "Pendamping PKH",
    "babinsa": "Babinsa",
    "bhabinkamtibmas": "Bhabinkamtibmas",
    "tokoh_masyarakat": "Tokoh masyarakat",
    "perangkat_desa": "Perangkat desa/kelurahan",
    "dinas_sosial": "Dinas Sosial",
}
OBJECTION_CATEGORIES = {
    "not_eligible": "Tidak layak menerima (mampu)",
    "eligible_left_out": "Layak tetapi dikeluarkan",
    "died": "Sudah meninggal dunia",
    "moved": "Sudah pindah",
    "duplicate": "Data ganda",
    "wrong_data": "Data tidak sesuai",
    "other": "Lainnya",
}
MISSING_CATEGORY = "missing_household"
MISSING_LABEL = "Keluarga miskin belum terdaftar"
OBJECTION_STATES = {
    "open": "Sedang diperiksa",
    "accepted": "Diterima, akan dikunjungi ulang",
    "rejected": "Ditolak",
}
# A visit's outcome that takes a household out of the register when the deliberation agrees.
REMOVING_OUTCOMES = {
    "not_found": "not_found",
    "moved": "moved",
    "dissolved": "dissolved",
    "duplicate": "duplicate",
}


def reason_label(kind: str, reason: str) -> str:
    if kind == "addition":
        return ADDITION
    return REMOVAL_REASONS.get(reason, reason)


def change_words(change: str, reason: str) -> str:
    if change == "removed":
        return f"{CHANGES['removed']}: {REMOVAL_REASONS.get(reason, reason).lower()}"
    if change == "added":
        return f"{CHANGES['added']}: {ADDITION.lower()}"
    return CHANGES["unchanged"]

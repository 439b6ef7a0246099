"""Kemendagri region codes: levels, parents, ancestors; RT/RW numbers."""

from __future__ import annotations

from auth.roles import REGION_CODE_PATTERN, is_region_code

LEVELS = ("province", "regency", "district", "village")

__all__ = [
    "LEVELS",
    "REGION_CODE_PATTERN",
    "ancestors",
    "is_region_code",
    "level_of",
    "normalise_rt_rw",
    "parent_of",
    "village_kind",
]


def level_of(code: str) -> str:
    """'17' province, '17.06' regency, '17.06.01' district, '17.06.01.2005' village."""
    return LEVELS[code.count(".")]


def parent_of(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def ancestors(code: str) -> list[str]:
    """Every code above ``code``, top first: '17.06.01' → ['17', '17.06']."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def village_kind(code: str) -> str | None:
    """A village's last part starts with 1 for a kelurahan, 2 for a desa."""
    if level_of(code) != "village":
        return None
    return {"1": "kelurahan", "2": "desa"}.get(code.rsplit(".", 1)[1][0])


def normalise_rt_rw(value: object) -> str | None:
    """'1', '01', '001', 1, 1.0 → '001'; '' → ''; anything else → None (not valid)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    text = str(value).strip()
    if text == "":
        return ""
    if not text.isdigit() or len(text) > 3:
        return None
    return f"{int(text):03d}"

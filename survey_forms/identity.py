"""NIK and No. KK checks (SPEC §3). The PWA has the same checks in pwa/src/forms/identity.ts;
both run survey_forms/identity_vectors.json.

A NIK is 16 digits: PP.KK.CC (province, regency, district of issue), the birth date DDMMYY
with 40 added to the day for women, and a 4-digit serial that is never 0000. The structure
and the date are errors; an unknown region prefix is only a warning, because the Kemendagri
code list changes (splits of regencies and provinces) and old NIKs keep their old prefix.
A No. KK is 16 digits: PP.KK.CC, the issue date DDMMYY and a serial.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Literal

Sex = Literal["male", "female"]
DistrictCheck = Callable[[str], bool]

# Indonesia's easternmost time zone (WIT, UTC+9): the last place where a date has begun, so a
# date that is "today" anywhere in the country is never taken as future.
WIT = timezone(timedelta(hours=9))
MASK = "\u2022"  # •


def today_in_indonesia() -> date:
    return datetime.now(WIT).date()


@dataclass(frozen=True, slots=True)
class IdentityIssue:
    code: str
    message_id: str
    message_en: str


@dataclass(frozen=True, slots=True)
class IdentityCheck:
    """Outcome of check_nik/check_kk. ``valid`` means no errors; warnings do not count."""

    errors: tuple[IdentityIssue, ...] = ()
    warnings: tuple[IdentityIssue, ...] = ()
    region_code: str | None = None  # 'PP.KK.CC'
    sex: Sex | None = None  # NIK only
    birth_date: date | None = None  # NIK only
    issue_date: date | None = None  # No. KK only

    @property
    def valid(self) -> bool:
        return not self.errors


def _issue(code: str, id_: str, en: str) -> IdentityIssue:
    return IdentityIssue(code, id_, en)


def _is_16_digits(value: object) -> bool:
    return isinstance(value, str) and len(value) == 16 and all("0" <= c <= "9" for c in value)


def _region(value: str) -> tuple[str, list[IdentityIssue]]:
    pp, kk, cc = value[0:2], value[2:4], value[4:6]
    errors = []
    if "00" in (pp, kk, cc):
        errors.append(
            _issue(
                "region",
                "Kode wilayah (6 digit pertama) tidak sah",
                "The region code (first 6 digits) is not valid",
            )
        )
    return f"{pp}.{kk}.{cc}", errors


def _unknown_region(code: str, is_known_district: DistrictCheck | None) -> list[IdentityIssue]:
    if is_known_district is None or is_known_district(code):
        return []
    return [
        _issue(
            "region_unknown",
            f"Kode kecamatan {code} tidak dikenal",
            f"District code {code} is not known",
        )
    ]


def _pick_century(day: int, month: int, yy: int, today: date) -> tuple[date | None, bool]:
    """The latest real date DD-MM-(19|20)YY that is not after today.

    Returns (date, False), or (None, True) when DDMMYY is a real date only in the future, or
    (None, False) when it is not a real date at all.
    """
    future = False
    for century in (2000, 1900):
        try:
            d = date(century + yy, month, day)
        except ValueError:
            continue
        if d <= today:
            return d, False
        future = True
    return None, future


def check_nik(
    nik: str,
    *,
    today: date | None = None,
    is_known_district: DistrictCheck | None = None,
) -> IdentityCheck:
    """Check a NIK's structure and date; derive sex and birth date."""
    if not _is_16_digits(nik):
        return IdentityCheck(
            errors=(
                _issue("format", "NIK harus 16 digit angka", "A NIK must be exactly 16 digits"),
            )
        )
    today = today or today_in_indonesia()
    region, errors = _region(nik)
    dd, mm, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex: Sex | None = None
    birth: date | None = None
    if 41 <= dd <= 71:
        sex, dd = "female", dd - 40
    elif 1 <= dd <= 31:
        sex = "male"
    if sex is None:
        errors.append(
            _issue(
                "birth_date",
                "Tanggal lahir pada NIK tidak sah",
                "The birth date in the NIK is not valid",
            )
        )
    else:
        birth, future = _pick_century(dd, mm, yy, today)
        if birth is None:
            errors.append(
                _issue(
                    "birth_date_future" if future else "birth_date",
                    "Tanggal lahir pada NIK di masa depan"
                    if future
                    else "Tanggal lahir pada NIK tidak sah",
                    "The birth date in the NIK is in the future"
                    if future
                    else "The birth date in the NIK is not valid",
                )
            )
            sex = None
    if nik[12:16] == "0000":
        errors.append(
            _issue(
                "serial",
                "Nomor urut NIK (4 digit terakhir) tidak boleh 0000",
                "The NIK serial (last 4 digits) cannot be 0000",
            )
        )
    warnings = _unknown_region(region, is_known_district) if not errors else []
    return IdentityCheck(
        errors=tuple(errors),
        warnings=tuple(warnings),
        region_code=region,
        sex=sex if not errors else None,
        birth_date=birth if not errors else None,
    )


def check_kk(
    kk: str,
    *,
    today: date | None = None,
    is_known_district: DistrictCheck | None = None,
) -> IdentityCheck:
    """Check a No. KK (family card number): 16 digits, region and serial structure.

    Its DDMMYY is the card's issue date; old cards do not always follow that, so a date that
    is not real is only a warning.
    """
    if not _is_16_digits(kk):
        return IdentityCheck(
            errors=(
                _issue(
                    "format", "No. KK harus 16 digit angka", "A No. KK must be exactly 16 digits"
                ),
            )
        )
    today = today or today_in_indonesia()
    region, errors = _region(kk)
    if kk[12:16] == "0000":
        errors.append(
            _issue(
                "serial",
                "Nomor urut No. KK (4 digit terakhir) tidak boleh 0000",
                "The No. KK serial (last 4 digits) cannot be 0000",
            )
        )
    issued, _ = _pick_century(int(kk[6:8]), int(kk[8:10]), int(kk[10:12]), today)
    warnings: list[IdentityIssue] = []
    if not errors:
        if issued is None:
            warnings.append(
                _issue(
                    "issue_date",
                    "Tanggal terbit pada No. KK tidak lazim",
                    "The issue date in the No. KK is unusual",
                )
            )
        warnings.extend(_unknown_region(region, is_known_district))
    return IdentityCheck(
        errors=tuple(errors),
        warnings=tuple(warnings),
        region_code=region,
        issue_date=issued if not errors else None,
    )


def mask_nik(value: str) -> str:
    """'3507010101900003' -> '3507••••••••0003': first and last 4 kept, the rest masked.

    Any other length keeps at most a quarter of the characters at each end, so short or
    malformed values are never shown whole.
    """
    n = len(value)
    keep = min(4, n // 4)
    if keep == 0:
        return MASK * n
    return value[:keep] + MASK * (n - 2 * keep) + value[-keep:]


mask_kk = mask_nik

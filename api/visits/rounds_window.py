"""Which visits a round takes: its state, its days, its form version.

A round runs from the start of ``starts_on`` to the end of ``ends_on`` (the whole end
day), in the local time of the round's region: WIB (UTC+7), WITA (UTC+8) or WIT (UTC+9),
by province. Indonesia has no daylight saving, so a fixed offset is exact. What counts is
the visit's ``ended_at`` (when the enumerator closed it at the door), not when it reached
the server: a phone that was offline for days still delivers a visit made inside the
window. A round that is planned or closed takes no visit at all, whatever its dates.
The refusals are 409 problems whose ``detail`` is in Indonesian, so the phone can show it
as it is; ``message`` carries both languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from api.errors import Conflict, NotFound
from api.forms.service import compiled_form
from api.registry import queries
from api.visits.schemas import VisitSubmission

WIB = timezone(timedelta(hours=7), "WIB")
WITA = timezone(timedelta(hours=8), "WITA")
WIT = timezone(timedelta(hours=9), "WIT")
# Province codes (Kemendagri) outside WIB. Kalimantan Barat (61) and Tengah (62) are WIB.
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96", "97"}

_MONTHS = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
).split()


@dataclass(frozen=True, slots=True)
class RoundTerms:
    """What a visit must agree with: the round's state, window and form."""

    id: int
    region_code: str
    state: str
    starts_on: date
    ends_on: date
    form_id: str
    form_version: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RoundTerms:
        return cls(
            id=row["id"],
            region_code=row["region_code"],
            state=row["state"],
            starts_on=_as_date(row["starts_on"]),
            ends_on=_as_date(row["ends_on"]),
            form_id=row["form_id"],
            form_version=row["form_version"],
        )


def _as_date(value: Any) -> Any:
    """A date, also when read through JSON (``db.fetch_together`` on PostgreSQL)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def local_zone(region_code: str) -> timezone:
    province = region_code[:2]
    if province in _WIT:
        return WIT
    if province in _WITA:
        return WITA
    return WIB


def window(terms: RoundTerms) -> tuple[datetime, datetime]:
    """[first instant, first instant after the end day) of the round, as aware datetimes."""
    zone = local_zone(terms.region_code)
    first = datetime.combine(terms.starts_on, time(0), zone)
    after = datetime.combine(terms.ends_on + timedelta(days=1), time(0), zone)
    return first, after


def _tanggal(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _refuse(code: str, indonesian: str, english: str, terms: RoundTerms) -> Conflict:
    return Conflict(
        indonesian,
        code=code,
        extra={
            "message": {"id": indonesian, "en": english},
            "round": {
                "id": terms.id,
                "state": terms.state,
                "starts_on": terms.starts_on.isoformat(),
                "ends_on": terms.ends_on.isoformat(),
                "time_zone": local_zone(terms.region_code).tzname(None),
            },
        },
    )


def check_round(terms: RoundTerms, ended_at: datetime) -> None:
    """Refuse (409) a visit the round does not take: round_not_open or round_closed."""
    period = f"{_tanggal(terms.starts_on)} sampai {_tanggal(terms.ends_on)}"
    english_period = f"{terms.starts_on.isoformat()} to {terms.ends_on.isoformat()}"
    if terms.state == "planned":
        raise _refuse(
            "round_not_open",
            "Putaran verifikasi ini belum dibuka. Kunjungan tetap tersimpan di ponsel; "
            "hubungi pengawas.",
            "This verification round is not open yet.",
            terms,
        )
    if terms.state != "open":
        raise _refuse(
            "round_closed",
            "Putaran verifikasi ini sudah ditutup; kunjungan tidak dapat dikirim. Kunjungan "
            "tetap tersimpan di ponsel; hubungi pengawas.",
            "This verification round is closed.",
            terms,
        )
    first, after = window(terms)
    if ended_at < first:
        raise _refuse(
            "round_not_open",
            f"Kunjungan dilakukan sebelum putaran verifikasi dimulai ({period}).",
            f"The visit was made before the round started ({english_period}).",
            terms,
        )
    if ended_at >= after:
        raise _refuse(
            "round_closed",
            f"Kunjungan dilakukan setelah putaran verifikasi berakhir ({period}).",
            f"The visit was made after the round ended ({english_period}).",
            terms,
        )


def check_form(terms: RoundTerms, form_id: str, form_version: int) -> None:
    """A household visit is filled with the form version its round names (409)."""
    if (form_id, form_version) != (terms.form_id, terms.form_version):
        indonesian = (
            f"Kunjungan memakai formulir {form_id} versi {form_version}, padahal putaran ini "
            f"memakai versi {terms.form_version}. Sinkronkan tugas lalu isi ulang."
        )
        raise Conflict(
            indonesian,
            code="wrong_form_version",
            extra={
                "message": {
                    "id": indonesian,
                    "en": f"The visit uses {form_id} version {form_version}; this round uses "
                    f"{terms.form_id} version {terms.form_version}.",
                },
                "expected_form": {"id": terms.form_id, "version": terms.form_version},
            },
        )


_UNREAD: Any = object()


async def enforce(
    submission: VisitSubmission, region_code: str, *, round_row: Any = _UNREAD
) -> None:
    """The round of a visit exists over its region, is open, and the visit ended in it;
    a household visit names the round's form version (proposals use the proposal form).
    ``round_row``: the round's terms when the caller read them already (None: no round)."""
    row = await queries.round_terms(submission.round_id) if round_row is _UNREAD else round_row
    if row is None or not in_region(region_code, row["region_code"]):
        # 404 as for any object outside the caller's reach.
        raise NotFound("No such round for this household.", code="round_not_found")
    terms = RoundTerms.from_row(row)
    check_round(terms, submission.ended_at)
    form = submission.form
    if submission.proposal is None and (form.id, form.version) != (
        terms.form_id,
        terms.form_version,
    ):
        await compiled_form(form.id, form.version)  # a version never published: 422 first
        check_form(terms, form.id, form.version)


def in_region(code: str, region: str) -> bool:
    return code == region or code.startswith(region + ".")

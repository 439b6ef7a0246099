"""The canonical record of a visit: what an evidence bundle shows and the chain seals.

At intake the visit's record is built from the rows just written (in the same transaction)
and its SHA-256, ``record_hash``, goes into the ``visit.received`` event. A bundle carries
the same record as the exact bytes that were hashed (one line of ``records.jsonl``), so
anyone can recompute the hash without Verval (see ``docs/evidence-bundle.md``).

The record holds the answers masked as the auditor's screens mask them (NIK and No. KK
keep their first and last four digits; names as recorded), so a bundle never carries a
whole identity number. ``content_hash`` (the phone's full submission) stays sealed too;
only Verval, holding the full digits, can recompute that one.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from api.audit.service import canonical_json
from api.visits.tables import Photo, Visit

RECORD_FORMAT = "verval-visit-record/1"


def _instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite may hand back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def build_record(
    visit: Mapping[str, Any], photos: Sequence[Mapping[str, Any]], masked_answers: dict[str, Any]
) -> dict[str, Any]:
    """The record as plain JSON values (strings, numbers, booleans, null, lists, objects)."""
    gps = None
    if visit["gps_lat"] is not None:
        gps = {
            "lat": visit["gps_lat"],
            "lon": visit["gps_lon"],
            "accuracy_m": visit["gps_accuracy_m"],
            "altitude_m": visit["gps_altitude_m"],
            "fixed_at": _instant(visit["gps_fixed_at"]),
        }
    return {
        "format": RECORD_FORMAT,
        "visit_id": str(visit["id"]),
        "household_id": visit["household_id"],
        "proposed_household": bool(visit["proposed_household"]),
        "round_id": visit["round_id"],
        "region_code": visit["region_code"],
        "enumerator_id": visit["enumerator_id"],
        "form": {"id": visit["form_id"], "version": visit["form_version"]},
        "outcome": visit["outcome"],
        "eligibility": visit["eligibility"],
        "answers": masked_answers,
        "started_at": _instant(visit["started_at"]),
        "ended_at": _instant(visit["ended_at"]),
        "received_at": _instant(visit["received_at"]),
        "gps": gps,
        "gps_poor_fix_reason": visit["gps_poor_fix_reason"],
        "device_id": visit["device_id"],
        "app_version": visit["app_version"],
        "revisit_of": _text(visit["revisit_of"]),
        "note": visit["note"],
        "photos": [
            {
                "id": str(p["id"]),
                "kind": p["kind"],
                "sha256": p["sha256"],
                "size": p["size"],
                "captured_at": _instant(p["captured_at"]),
            }
            for p in sorted(photos, key=lambda p: str(p["id"]))
        ],
    }


def record_line(record: dict[str, Any]) -> bytes:
    """The exact bytes that are hashed: canonical JSON (sorted keys, no spaces, UTF-8)."""
    return canonical_json(record).encode()


def record_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(record_line(record)).hexdigest()


class FormCache:
    """Compiled forms by (id, version), each asked for once (None: not published here)."""

    def __init__(self) -> None:
        self._forms: dict[tuple[str, int], Any] = {}

    async def get(self, form_id: str, version: int) -> Any:
        from api.errors import DomainError
        from api.forms.service import compiled_form

        key = (form_id, version)
        if key not in self._forms:
            try:
                self._forms[key] = await compiled_form(form_id, version)
            except DomainError:
                self._forms[key] = None
        return self._forms[key]


async def record_of(
    visit: Mapping[str, Any], photos: Sequence[Mapping[str, Any]], forms: FormCache
) -> dict[str, Any]:
    """The one way a record is made, at intake and in a bundle: the bytes must agree."""
    # Imported here: the review module masks answers for the screens, and imports intake.
    from api.review.compare import mask_answers

    form = await forms.get(visit["form_id"], visit["form_version"])
    answers = visit["answers"] if isinstance(visit["answers"], dict) else {}
    return build_record(visit, photos, mask_answers(form, answers))


async def photos_of(visit_ids: list[uuid.UUID]) -> dict[str, list[dict[str, Any]]]:
    """The declared photos of these visits, by visit id (as text)."""
    photos: dict[str, list[dict[str, Any]]] = {}
    for photo in await Photo.select(
        Photo.id, Photo.visit, Photo.kind, Photo.sha256, Photo.size, Photo.captured_at
    ).where(Photo.visit.is_in(visit_ids)):
        photos.setdefault(str(photo["visit"]), []).append(photo)
    return photos


async def visit_records(visit_ids: list[uuid.UUID]) -> dict[str, dict[str, Any]]:
    """The canonical records of these visits, by visit id (as text)."""
    if not visit_ids:
        return {}
    visits = await Visit.select().where(Visit.id.is_in(visit_ids)).output(load_json=True)
    photos = await photos_of(visit_ids)
    forms = FormCache()
    return {str(v["id"]): await record_of(v, photos.get(str(v["id"]), []), forms) for v in visits}


async def visit_record_hash(visit_id: uuid.UUID) -> str:
    """The hash of a stored visit's record, read back from the database."""
    records = await visit_records([visit_id])
    return record_hash(records[str(visit_id)])


async def record_hash_at_intake(
    visit: Mapping[str, Any], photos: Sequence[Mapping[str, Any]]
) -> str:
    """At intake, from the rows being written (no read back, no extra round trip): the hash
    the ``visit.received`` event seals. A bundle rebuilds the same bytes from the database."""
    return record_hash(await record_of(visit, photos, FormCache()))


__all__ = [
    "RECORD_FORMAT",
    "build_record",
    "record_hash",
    "record_hash_at_intake",
    "record_line",
    "visit_record_hash",
]

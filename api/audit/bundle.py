"""Evidence bundles: a ZIP an auditor can verify offline, streamed at constant memory.

Layout::

    manifest.json   scope, counts, households, visits, decisions, photos (with SHA-256)
    photos.csv      one line per photo: id, visit, household, kind, sha256, size, captured_at
    chain.jsonl     the audit-chain segment from the first to the last event about these
                    records; events about other records appear only as (seq, prev_hash,
                    event_hash), so the links can be checked without revealing them
    photos/<sha256>.jpg   the evidence bytes

``verify_bundle`` checks all of it with nothing but the file (``verval audit verify-bundle``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.audit.service import canonical_json, event_hash
from api.audit.tables import AuditEvent
from api.visits.tables import Photo, Visit
from media.store import ObjectStore
from survey_forms.identity import mask_nik

BUNDLE_FORMAT = "verval-evidence-bundle/1"


class _Sink:
    """A write-only, unseekable file for zipfile: bytes pile up until drained."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


@dataclass
class BundleScope:
    region: str | None = None
    household_id: int | None = None

    def describe(self) -> dict[str, Any]:
        return {"region": self.region, "household_id": self.household_id}


async def _visits(scope: BundleScope) -> list[dict[str, Any]]:
    query = Visit.select(
        Visit.id,
        Visit.household_id,
        Visit.round_id,
        Visit.region_code,
        Visit.enumerator_id,
        Visit.outcome,
        Visit.eligibility,
        Visit.state,
        Visit.started_at,
        Visit.ended_at,
        Visit.received_at,
        Visit.content_hash,
        Visit.gps_lat,
        Visit.gps_lon,
        Visit.gps_accuracy_m,
        Visit.revisit_of,
    )
    if scope.household_id is not None:
        query = query.where(Visit.household_id == scope.household_id)
    if scope.region:
        query = query.where(
            (Visit.region_code == scope.region) | Visit.region_code.like(scope.region + ".%")
        )
    return await query.order_by(Visit.received_at)


async def _households(ids: list[int]) -> list[dict[str, Any]]:
    from api.registry.tables import Household

    if not ids:
        return []
    rows = await Household.select(
        Household.id,
        Household.region_code,
        Household.kk_number,
        Household.head_nik,
        Household.rt,
        Household.rw,
    ).where(Household.id.is_in(ids))
    return [
        {
            "id": r["id"],
            "region_code": r["region_code"],
            "kk_number": mask_nik(r["kk_number"]),
            "head_nik": mask_nik(r["head_nik"]) if r["head_nik"] else None,
            "rt": r["rt"],
            "rw": r["rw"],
        }
        for r in rows
    ]


async def _decisions(visit_ids: list[Any]) -> list[dict[str, Any]]:
    try:
        from api.review.tables import Decision  # the review module records decisions
    except ImportError:  # pragma: no cover - the review module ships with the app
        return []
    if not visit_ids:
        return []
    rows = (
        await Decision.select().where(Decision.visit.is_in(visit_ids)).order_by(Decision.created_at)
    )
    return [
        {k: (str(v) if not isinstance(v, int | type(None)) else v) for k, v in r.items()}
        for r in rows
    ]


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(canonical_json(row))


async def build_bundle(store: ObjectStore, scope: BundleScope) -> AsyncIterator[bytes]:
    """Yield the ZIP's bytes as they are made: one photo chunk in memory at a time."""
    visits = await _visits(scope)
    visit_ids = [v["id"] for v in visits]
    photos = (
        await Photo.select(
            Photo.id,
            Photo.visit,
            Photo.kind,
            Photo.sha256,
            Photo.size,
            Photo.captured_at,
            Photo.gps_lat,
            Photo.gps_lon,
            Photo.gps_accuracy_m,
            Photo.storage_key,
            Photo.stored_at,
        )
        .where(Photo.visit.is_in(visit_ids) & Photo.stored_at.is_not_null())
        .order_by(Photo.captured_at)
        if visit_ids
        else []
    )
    household_of = {v["id"]: v["household_id"] for v in visits}
    households = await _households(sorted({h for h in household_of.values() if h is not None}))
    decisions = await _decisions(visit_ids)
    related = {str(v) for v in visit_ids} | {str(p["id"]) for p in photos}

    sink = _Sink()
    archive = zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)  # type: ignore[call-overload]
    manifest = {
        "format": BUNDLE_FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "scope": scope.describe(),
        "counts": {
            "households": len(households),
            "visits": len(visits),
            "photos": len(photos),
            "decisions": len(decisions),
        },
        "households": households,
        "visits": [_jsonable(v) for v in visits],
        "decisions": decisions,
        "photos": [
            _jsonable(
                {
                    **{k: v for k, v in p.items() if k not in ("storage_key", "visit")},
                    "visit_id": p["visit"],
                    "household_id": household_of.get(p["visit"]),
                    "file": f"photos/{p['sha256']}.jpg",
                }
            )
            for p in photos
        ],
    }
    archive.writestr("manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False))
    yield sink.drain()

    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(
        ["photo_id", "visit_id", "household_id", "kind", "sha256", "size", "captured_at"]
    )
    for p in photos:
        writer.writerow(
            [
                p["id"],
                p["visit"],
                household_of.get(p["visit"]),
                p["kind"],
                p["sha256"],
                p["size"],
                p["captured_at"].isoformat(),
            ]
        )
    archive.writestr("photos.csv", table.getvalue())
    yield sink.drain()

    with archive.open("chain.jsonl", mode="w", force_zip64=True) as chain:
        async for line in _chain_segment(related):
            chain.write(line)
            if sink.tell():
                yield sink.drain()
    yield sink.drain()

    written: set[str] = set()
    for p in photos:
        if p["sha256"] in written:
            continue  # content-addressed: one file per distinct photo
        written.add(p["sha256"])
        info = zipfile.ZipInfo(
            f"photos/{p['sha256']}.jpg", date_time=p["captured_at"].timetuple()[:6]
        )
        info.compress_type = zipfile.ZIP_STORED  # JPEG does not compress
        with archive.open(info, mode="w", force_zip64=True) as member:
            async for chunk in store.open(p["storage_key"]):
                member.write(chunk)
                yield sink.drain()
        yield sink.drain()
    archive.close()
    yield sink.drain()


async def _chain_segment(related: set[str]) -> AsyncIterator[bytes]:
    if not related:
        return
    bounds = await (
        AuditEvent.select(AuditEvent.seq)
        .where(AuditEvent.object_id.is_in(sorted(related)))
        .order_by(AuditEvent.seq)
    )
    if not bounds:
        return
    first, last = bounds[0]["seq"], bounds[-1]["seq"]
    cursor = first - 1
    while cursor < last:
        rows = await (
            AuditEvent.select()
            .where((AuditEvent.seq > cursor) & (AuditEvent.seq <= last))
            .order_by(AuditEvent.seq)
            .limit(2000)
            .output(load_json=True)
        )
        if not rows:
            return
        for row in rows:
            if row["object_id"] in related:
                entry = {
                    k: row[k]
                    for k in (
                        "seq",
                        "occurred_at",
                        "actor",
                        "action",
                        "object_type",
                        "object_id",
                        "region_code",
                        "details",
                        "prev_hash",
                        "event_hash",
                    )
                }
                entry["occurred_at"] = (
                    row["occurred_at"].astimezone(UTC).isoformat(timespec="microseconds")
                )
            else:
                entry = {
                    "seq": row["seq"],
                    "prev_hash": row["prev_hash"],
                    "event_hash": row["event_hash"],
                }
            yield (canonical_json(entry) + "\n").encode()
        cursor = rows[-1]["seq"]


# --- offline verification -------------------------------------------------------------


@dataclass
class BundleReport:
    problems: list[str] = field(default_factory=list)
    events: int = 0
    photos: int = 0
    visits: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _chain_problems(lines: Iterable[bytes], report: BundleReport) -> dict[str, dict[str, Any]]:
    """Check the segment's links and hashes; returns the full events by object id."""
    previous: dict[str, Any] | None = None
    about: dict[str, dict[str, Any]] = {}
    for raw in lines:
        if not raw.strip():
            continue
        event = json.loads(raw)
        report.events += 1
        if previous is not None:
            if event["seq"] != previous["seq"] + 1:
                report.problems.append(
                    f"chain: event {previous['seq'] + 1} is missing before {event['seq']}"
                )
            if event["prev_hash"] != previous["event_hash"]:
                report.problems.append(
                    f"chain: event {event['seq']} does not link to event {previous['seq']}"
                )
        if "action" in event:
            computed = event_hash(
                seq=event["seq"],
                occurred_at=datetime.fromisoformat(event["occurred_at"]),
                actor=event["actor"],
                action=event["action"],
                object_type=event["object_type"],
                object_id=event["object_id"],
                region_code=event["region_code"],
                details=event["details"],
                prev_hash=event["prev_hash"],
            )
            if computed != event["event_hash"]:
                report.problems.append(
                    f"chain: event {event['seq']} ({event['action']}) hash mismatch: "
                    f"expected {event['event_hash']}, computed {computed}"
                )
            about.setdefault(event["object_id"], {})[event["action"]] = event
        previous = event
    if previous is None:
        report.problems.append("chain: the bundle holds no chain segment")
    return about


def verify_bundle(path: Path) -> BundleReport:
    """Check a bundle with nothing but the file: chain, records against chain, photo bytes."""
    report = BundleReport()
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for required in ("manifest.json", "chain.jsonl"):
            if required not in names:
                report.problems.append(f"{required} is missing")
        if not report.ok:
            return report
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != BUNDLE_FORMAT:
            report.problems.append(f"unknown bundle format {manifest.get('format')!r}")
        with archive.open("chain.jsonl") as chain:
            about = _chain_problems(chain, report)
        for visit in manifest.get("visits", []):
            report.visits += 1
            event = about.get(visit["id"], {}).get("visit.received")
            if event is None:
                report.problems.append(f"visit {visit['id']}: no visit.received event in the chain")
            elif event["details"].get("content_hash") != visit["content_hash"]:
                report.problems.append(
                    f"visit {visit['id']}: content hash {visit['content_hash']} differs from the "
                    f"chain's {event['details'].get('content_hash')}"
                )
        for photo in manifest.get("photos", []):
            report.photos += 1
            event = about.get(photo["id"], {}).get("photo.received")
            if event is None:
                report.problems.append(f"photo {photo['id']}: no photo.received event in the chain")
            elif event["details"].get("sha256") != photo["sha256"]:
                report.problems.append(
                    f"photo {photo['id']}: manifest hash {photo['sha256']} differs from the chain's "
                    f"{event['details'].get('sha256')}"
                )
            if photo["file"] not in names:
                report.problems.append(f"photo {photo['id']}: {photo['file']} is missing")
                continue
            digest = hashlib.sha256()
            size = 0
            with archive.open(photo["file"]) as data:
                while chunk := data.read(1 << 16):
                    digest.update(chunk)
                    size += len(chunk)
            if digest.hexdigest() != photo["sha256"] or size != photo["size"]:
                report.problems.append(
                    f"photo {photo['id']}: {photo['file']} holds {size} bytes hashing to "
                    f"{digest.hexdigest()}, expected {photo['size']} bytes and {photo['sha256']}"
                )
    return report


__all__ = ["BundleScope", "build_bundle", "hashlib", "verify_bundle"]

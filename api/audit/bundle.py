"""Evidence bundles: a ZIP an auditor can verify offline, streamed at constant memory.

Layout (``verval-evidence-bundle/3``, specified for outsiders in docs/evidence-bundle.md)::

    README.txt        what the files are and how to check them, in words
    records.jsonl     one visit record a line: the exact bytes whose SHA-256 the chain's
                      ``visit.received`` event sealed as ``record_hash`` (answers with NIK and
                      No. KK masked, names as recorded; see api/audit/records.py)
    visits.jsonl      one visit a line: state, hashes, the enumerator's name, member changes
    households.jsonl  one household a line (head's name; No. KK and NIK masked)
    decisions.jsonl   one review decision a line (with the reviewer's name)
    photos.jsonl      one stored photo a line (with its SHA-256 and file name)
    photos.csv        the same photos as a table: id, visit, household, kind, sha256, size, …
    chain.jsonl       the audit-chain segment from the first to the last event about these
                      records; events about other records appear only as (seq, prev_hash,
                      event_hash), so the links can be checked without revealing them
    photos/<sha256>.jpg   the evidence bytes
    manifest.json     format, scope, the moment the bundle describes, counts, the segment's
                      ends (written last)

Every record is read from the database a page at a time and written as it comes, so the
memory a bundle takes does not grow with the villages in it (only a set of ids does).
Everything describes the state as of one moment (``as_of``): a visit arriving while the
bundle streams is left for the next bundle instead of half appearing.

``verify_bundle`` checks all of it with nothing but the file (``verval audit verify-bundle``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from piccolo.query.methods.select import Max, Min

from api import db
from api.audit.records import FormCache, photos_of, record_line, record_of
from api.audit.service import Actor, append_event, canonical_json, event_hash
from api.audit.tables import AuditEvent
from api.errors import NotFound, Unprocessable
from api.registry.tables import Household
from api.visits.tables import Photo, Visit
from auth.roles import Principal, is_region_code
from media.store import ObjectStore
from survey_forms.identity import mask_nik

BUNDLE_FORMAT = "verval-evidence-bundle/3"
READABLE_FORMATS = {"verval-evidence-bundle/2", BUNDLE_FORMAT}
PAGE = 500
PHOTO_COLUMNS = ["photo_id", "visit_id", "household_id", "kind", "sha256", "size", "captured_at"]
INTERVIEWED = {"found", "new_household"}


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

    @property
    def pending(self) -> bool:
        return bool(self._parts)

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


async def bundle_scope(
    principal: Principal, region: str | None, household: int | None
) -> BundleScope:
    """The region or household asked for, if the caller covers it (404 otherwise)."""
    if (region is None) == (household is None):
        raise Unprocessable("Give exactly one of region or household.", code="scope_required")
    if region is not None:
        if not is_region_code(region):
            raise Unprocessable(
                "region must be a Kemendagri code like 17.06.01.", code="bad_region"
            )
        if not principal.covers(region):
            raise NotFound("No such region in your scope.", code="region_not_found")
        return BundleScope(region=region)
    row = await Household.select(Household.region_code).where(Household.id == household).first()
    if row is None or not principal.covers(row["region_code"]):
        raise NotFound("No such household in your scope.", code="household_not_found")
    return BundleScope(household_id=household)


async def record_bundle_export(principal: Principal, scope: BundleScope) -> None:
    """The export is in the audit log before its first byte is sent."""
    async with db.write_transaction():
        await append_event(
            Actor.user(principal.user_id),
            "audit.bundle_exported",
            "bundle",
            scope.region or f"household:{scope.household_id}",
            region_code=scope.region,
            details=scope.describe(),
        )


def _line(row: dict[str, Any]) -> bytes:
    return (canonical_json(row) + "\n").encode()


def _in_scope(scope: BundleScope, household: Any, region: Any) -> Any:
    if scope.household_id is not None:
        return household == scope.household_id
    assert scope.region
    return (region == scope.region) | region.like(scope.region + ".%")


@dataclass
class _Progress:
    """What the passes learn as they go: counts, and the ids the chain segment is about."""

    as_of: datetime
    counts: dict[str, int] = field(default_factory=dict)
    household_ids: set[int] = field(default_factory=set)
    related: set[str] = field(default_factory=set)
    first_seq: int | None = None
    last_seq: int | None = None
    last_event_hash: str | None = None

    def count(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1

    async def widen_chain(self, object_ids: list[str]) -> None:
        self.related.update(object_ids)
        if not object_ids:
            return
        bounds = (
            await AuditEvent.select(
                Min(AuditEvent.seq, alias="first"), Max(AuditEvent.seq, alias="last")
            )
            .where(AuditEvent.object_id.is_in(object_ids))
            .where(AuditEvent.occurred_at <= self.as_of)
            .first()
        )
        if bounds and bounds["first"] is not None:
            first, last = int(bounds["first"]), int(bounds["last"])
            self.first_seq = first if self.first_seq is None else min(self.first_seq, first)
            self.last_seq = last if self.last_seq is None else max(self.last_seq, last)


async def _visit_pages(scope: BundleScope, progress: _Progress) -> AsyncIterator[list[Any]]:
    """Every visit in scope received by ``as_of``, a page at a time, in a stable order."""
    after: tuple[datetime, Any] | None = None
    while True:
        query = (
            Visit.select()
            .where(_in_scope(scope, Visit.household_id, Visit.region_code))
            .where(Visit.received_at <= progress.as_of)
            .output(load_json=True)
        )
        if after is not None:
            query = query.where(
                (Visit.received_at > after[0])
                | ((Visit.received_at == after[0]) & (Visit.id > after[1]))
            )
        rows = await query.order_by(Visit.received_at).order_by(Visit.id).limit(PAGE)
        if not rows:
            return
        yield rows
        after = (rows[-1]["received_at"], rows[-1]["id"])


async def _record_lines(scope: BundleScope, progress: _Progress) -> AsyncIterator[bytes]:
    """records.jsonl: the sealed bytes of each visit's record, as intake hashed them."""
    forms = FormCache()
    async for rows in _visit_pages(scope, progress):
        photos = await photos_of([row["id"] for row in rows])
        for row in rows:
            progress.count("visits")
            if row["household_id"] is not None:
                progress.household_ids.add(row["household_id"])
            record = await record_of(row, photos.get(str(row["id"]), []), forms)
            yield record_line(record) + b"\n"
        await progress.widen_chain([str(row["id"]) for row in rows])


async def _visit_lines(scope: BundleScope, progress: _Progress) -> AsyncIterator[bytes]:
    """visits.jsonl: what changed after intake (state), hashes, and names for people."""
    from api.registry.queries import region_names
    from api.review import compare
    from api.review.queries import household_members, user_names

    forms = FormCache()
    async for rows in _visit_pages(scope, progress):
        names = await user_names({row["enumerator_id"] for row in rows})
        for row in rows:
            member_changes: list[dict[str, Any]] = []
            form = await forms.get(row["form_id"], row["form_version"])
            answers = row["answers"] if isinstance(row["answers"], dict) else {}
            if form is not None and row["household_id"] and row["outcome"] in INTERVIEWED:
                changes = compare.member_changes(
                    form,
                    await household_members(row["household_id"]),
                    answers,
                    show_identity=False,
                    region_names=await region_names(compare.moved_to_regions(answers)),
                )
                member_changes = [change.model_dump(mode="json") for change in changes]
            yield _line(
                {
                    "id": str(row["id"]),
                    "household_id": row["household_id"],
                    "region_code": row["region_code"],
                    "enumerator_id": row["enumerator_id"],
                    "enumerator_name": names.get(row["enumerator_id"]),
                    "outcome": row["outcome"],
                    "state": row["state"],
                    "received_at": row["received_at"],
                    "completed_at": row["completed_at"],
                    "content_hash": row["content_hash"],
                    "flag_count": row["flag_count"],
                    "member_changes": member_changes,
                }
            )


def _photo_query(scope: BundleScope, progress: _Progress, after: Any) -> Any:
    query = (
        Photo.select(
            Photo.id,
            Photo.visit.id.as_alias("visit_id"),
            Photo.visit.household_id.as_alias("household_id"),
            Photo.kind,
            Photo.sha256,
            Photo.size,
            Photo.captured_at,
            Photo.gps_lat,
            Photo.gps_lon,
            Photo.gps_accuracy_m,
            Photo.storage_key,
        )
        .where(_in_scope(scope, Photo.visit.household_id, Photo.visit.region_code))
        .where(Photo.visit.received_at <= progress.as_of)
        .where(Photo.stored_at.is_not_null() & (Photo.stored_at <= progress.as_of))
    )
    if after is not None:
        query = query.where(Photo.id > after)
    return query.order_by(Photo.id).limit(PAGE)


async def _photo_pages(scope: BundleScope, progress: _Progress) -> AsyncIterator[list[Any]]:
    after = None
    while rows := await _photo_query(scope, progress, after):
        yield rows
        after = rows[-1]["id"]


async def _photo_lines(scope: BundleScope, progress: _Progress) -> AsyncIterator[bytes]:
    async for rows in _photo_pages(scope, progress):
        for row in rows:
            progress.count("photos")
            record = {k: v for k, v in row.items() if k != "storage_key"}
            yield _line({**record, "file": f"photos/{row['sha256']}.jpg"})
        await progress.widen_chain([str(row["id"]) for row in rows])


async def _photo_table(scope: BundleScope, progress: _Progress) -> AsyncIterator[bytes]:
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(PHOTO_COLUMNS)
    async for rows in _photo_pages(scope, progress):
        for p in rows:
            writer.writerow(
                [p["id"], p["visit_id"], p["household_id"], p["kind"], p["sha256"], p["size"],
                 p["captured_at"].isoformat()]
            )  # fmt: skip
        yield table.getvalue().encode()
        table.seek(0)
        table.truncate()
    yield table.getvalue().encode()


async def _decision_lines(scope: BundleScope, progress: _Progress) -> AsyncIterator[bytes]:
    from api.review.queries import user_names
    from api.review.tables import Decision  # the review module records decisions

    after = 0
    while True:
        rows = await (
            Decision.select(
                Decision.id,
                Decision.visit.id.as_alias("visit_id"),
                Decision.reviewer,
                Decision.decision,
                Decision.comment,
                Decision.from_state,
                Decision.to_state,
                Decision.created_at,
            )
            .where(_in_scope(scope, Decision.visit.household_id, Decision.visit.region_code))
            .where(Decision.visit.received_at <= progress.as_of)
            .where((Decision.created_at <= progress.as_of) & (Decision.id > after))
            .order_by(Decision.id)
            .limit(PAGE)
        )
        if not rows:
            return
        names = await user_names({row["reviewer"] for row in rows})
        for row in rows:
            progress.count("decisions")
            yield _line({**row, "reviewer_name": names.get(row["reviewer"])})
        after = rows[-1]["id"]


async def _household_lines(progress: _Progress) -> AsyncIterator[bytes]:
    from api.registry.tables import Household

    ids = sorted(progress.household_ids)
    for start in range(0, len(ids), PAGE):
        rows = await Household.select(
            Household.id,
            Household.region_code,
            Household.kk_number,
            Household.head_nik,
            Household.head_name,
            Household.address,
            Household.rt,
            Household.rw,
        ).where(Household.id.is_in(ids[start : start + PAGE]))
        for r in sorted(rows, key=lambda row: row["id"]):
            progress.count("households")
            yield _line(
                {
                    "id": r["id"],
                    "region_code": r["region_code"],
                    "kk_number": mask_nik(r["kk_number"]),
                    "head_nik": mask_nik(r["head_nik"]) if r["head_nik"] else None,
                    "head_name": r["head_name"],
                    "address": r["address"],
                    "rt": r["rt"],
                    "rw": r["rw"],
                }
            )


README = """Verval evidence bundle ({format})
================================================

Scope: {scope}
State as of: {as_of} (UTC)

This ZIP lets you check, without Verval, what field enumerators recorded and that it was
not changed afterwards. The full specification is docs/evidence-bundle.md in Verval's
source; in short:

records.jsonl     One visit record a line, exactly as it was sealed when the visit arrived.
                  NIK and No. KK show their first and last four digits only; names appear
                  as the enumerator recorded them.
visits.jsonl      Each visit's state now (review), its hashes, the enumerator's name and the
                  member changes against the register (derived, not sealed).
households.jsonl  The households visited (head's name, address, RT/RW; numbers masked).
decisions.jsonl   Review decisions, with the reviewer's name.
photos.jsonl      The photos, with their SHA-256; photos.csv is the same as a table.
photos/           The photo files, named by their SHA-256.
chain.jsonl       A segment of Verval's audit chain: every event between the first and the
                  last one about these records. Events about other records show only their
                  sequence number and hashes.
manifest.json     Format, scope, counts and the segment's first and last event.

How to check it
1. Chain: for each full event, SHA-256 of the canonical JSON of its fields seq,
   occurred_at, actor, action, object_type, object_id, region_code, details, prev_hash
   (keys sorted, no spaces, UTF-8) equals its event_hash; every event's prev_hash equals
   the event_hash of the line before; seq numbers follow each other without a gap.
2. Records: the SHA-256 of each line of records.jsonl (its bytes without the line feed)
   equals details.record_hash of the visit.received event whose object_id is the
   record's visit_id.
3. Photos: each file's SHA-256 and size equal its line in photos.jsonl, and that SHA-256
   equals details.sha256 of the photo's photo.received event.
4. Counts: manifest.json's counts equal the lines found.
5. Anchor: ask the office holding Verval for the event_hash of event
   manifest.chain.last_seq (verval audit verify checks the whole chain); if it equals
   manifest.chain.last_event_hash, the segment is part of the live chain.

`verval audit verify-bundle <this file>` does steps 1-4.
"""


def readme(scope: BundleScope, as_of: datetime) -> str:
    where = f"region {scope.region}" if scope.region else f"household {scope.household_id}"
    return README.format(format=BUNDLE_FORMAT, scope=where, as_of=as_of.isoformat())


async def build_bundle(store: ObjectStore, scope: BundleScope) -> AsyncIterator[bytes]:
    """Yield the ZIP's bytes as they are made: a page of rows or one photo chunk at a time."""
    if (scope.region is None) == (scope.household_id is None):
        raise ValueError("a bundle covers one region or one household")
    progress = _Progress(as_of=datetime.now(UTC))
    sink = _Sink()
    archive = zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)  # type: ignore[call-overload]

    async def member(name: str, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        with archive.open(name, mode="w", force_zip64=True) as handle:
            async for chunk in chunks:
                handle.write(chunk)
                if sink.pending:
                    yield sink.drain()
        yield sink.drain()

    archive.writestr("README.txt", readme(scope, progress.as_of))
    # Records first: they name the households and open the chain segment.
    for name, lines in (
        ("records.jsonl", _record_lines(scope, progress)),
        ("visits.jsonl", _visit_lines(scope, progress)),
        ("households.jsonl", _household_lines(progress)),
        ("decisions.jsonl", _decision_lines(scope, progress)),
        ("photos.jsonl", _photo_lines(scope, progress)),
        ("photos.csv", _photo_table(scope, progress)),
        ("chain.jsonl", _chain_segment(progress)),
    ):
        async for data in member(name, lines):
            yield data

    written: set[str] = set()
    async for rows in _photo_pages(scope, progress):
        for p in rows:
            if p["sha256"] in written:
                continue  # content-addressed: one file per distinct photo
            written.add(p["sha256"])
            info = zipfile.ZipInfo(
                f"photos/{p['sha256']}.jpg", date_time=p["captured_at"].timetuple()[:6]
            )
            info.compress_type = zipfile.ZIP_STORED  # JPEG does not compress
            with archive.open(info, mode="w", force_zip64=True) as handle:
                async for chunk in store.open(p["storage_key"]):
                    handle.write(chunk)
                    yield sink.drain()
            yield sink.drain()

    manifest = {
        "format": BUNDLE_FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "as_of": progress.as_of.isoformat(),
        "scope": scope.describe(),
        "counts": {
            "households": progress.counts.get("households", 0),
            "visits": progress.counts.get("visits", 0),
            "photos": progress.counts.get("photos", 0),
            "decisions": progress.counts.get("decisions", 0),
            "photo_files": len(written),
        },
        # The segment's last hash can be compared with the live chain's event of that seq.
        "chain": {
            "first_seq": progress.first_seq,
            "last_seq": progress.last_seq,
            "last_event_hash": progress.last_event_hash,
        },
    }
    archive.writestr("manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False))
    archive.close()
    yield sink.drain()


async def _chain_segment(progress: _Progress) -> AsyncIterator[bytes]:
    if progress.first_seq is None or progress.last_seq is None:
        return
    related = progress.related
    first, last = progress.first_seq, progress.last_seq
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
            progress.last_event_hash = row["event_hash"]
            yield (canonical_json(entry) + "\n").encode()
        cursor = rows[-1]["seq"]


# --- offline verification -------------------------------------------------------------


@dataclass
class BundleReport:
    problems: list[str] = field(default_factory=list)
    events: int = 0
    photos: int = 0
    visits: int = 0
    records: int = 0
    last_hash: str | None = None
    # Visits received before their record was sealed (format 3): content not checkable.
    unsealed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# What the verifier keeps of each full chain event: the values records are checked against.
_SEALED = {
    "visit.received": ("content_hash", "record_hash"),
    "photo.received": ("sha256",),
}


def _chain_problems(lines: Iterable[bytes], report: BundleReport) -> dict[tuple[str, str], Any]:
    """Check the segment's links and hashes; returns the sealed values by (action, object)."""
    previous: dict[str, Any] | None = None
    sealed: dict[tuple[str, str], Any] = {}
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
            keys = _SEALED.get(event["action"])
            if keys is not None:
                sealed[(event["action"], event["object_id"])] = {
                    k: event["details"].get(k) for k in keys
                }
        previous = {"seq": event["seq"], "event_hash": event["event_hash"]}
        report.last_hash = event["event_hash"]
    if previous is None:
        report.problems.append("chain: the bundle holds no chain segment")
    return sealed


def _records(archive: zipfile.ZipFile, name: str) -> Iterator[dict[str, Any]]:
    with archive.open(name) as handle:
        for raw in handle:
            if raw.strip():
                yield json.loads(raw)


def _photo_file_problem(archive: zipfile.ZipFile, photo: dict[str, Any]) -> str | None:
    digest = hashlib.sha256()
    size = 0
    data: IO[bytes]
    with archive.open(photo["file"]) as data:
        while chunk := data.read(1 << 16):
            digest.update(chunk)
            size += len(chunk)
    if digest.hexdigest() != photo["sha256"] or size != photo["size"]:
        return (
            f"photo {photo['id']}: {photo['file']} holds {size} bytes hashing to "
            f"{digest.hexdigest()}, expected {photo['size']} bytes and {photo['sha256']}"
        )
    return None


def _check_records(
    archive: zipfile.ZipFile, sealed: dict[tuple[str, str], Any], report: BundleReport
) -> None:
    """Each line of records.jsonl hashes to the record_hash its visit.received event sealed."""
    with archive.open("records.jsonl") as handle:
        for raw in handle:
            line = raw.rstrip(b"\n")
            if not line:
                continue
            report.records += 1
            visit_id = json.loads(line)["visit_id"]
            event = sealed.get(("visit.received", visit_id))
            if event is None:
                report.problems.append(f"record {visit_id}: no visit.received event in the chain")
                continue
            if event.get("record_hash") is None:
                report.unsealed.append(visit_id)  # received before records were sealed
                continue
            found = hashlib.sha256(line).hexdigest()
            if found != event["record_hash"]:
                report.problems.append(
                    f"record {visit_id}: hashes to {found}, the chain sealed {event['record_hash']}"
                )


def verify_bundle(path: Path) -> BundleReport:
    """Check a bundle with nothing but the file: chain, records against chain, photo bytes.

    Reads one record at a time; what it keeps is the sealed values per visit and photo.
    """
    report = BundleReport()
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for required in ("manifest.json", "chain.jsonl", "visits.jsonl", "photos.jsonl"):
            if required not in names:
                report.problems.append(f"{required} is missing")
        if not report.ok:
            return report
        manifest = json.loads(archive.read("manifest.json"))
        bundle_format = manifest.get("format")
        if bundle_format not in READABLE_FORMATS:
            report.problems.append(f"unknown bundle format {bundle_format!r}")
            return report
        with archive.open("chain.jsonl") as chain:
            sealed = _chain_problems(chain, report)
        if bundle_format == BUNDLE_FORMAT:
            if "records.jsonl" not in names:
                report.problems.append("records.jsonl is missing")
            else:
                _check_records(archive, sealed, report)
        for visit in _records(archive, "visits.jsonl"):
            report.visits += 1
            event = sealed.get(("visit.received", visit["id"]))
            if event is None:
                report.problems.append(f"visit {visit['id']}: no visit.received event in the chain")
            elif event["content_hash"] != visit["content_hash"]:
                report.problems.append(
                    f"visit {visit['id']}: content hash {visit['content_hash']} differs from the "
                    f"chain's {event['content_hash']}"
                )
        for photo in _records(archive, "photos.jsonl"):
            report.photos += 1
            event = sealed.get(("photo.received", photo["id"]))
            if event is None:
                report.problems.append(f"photo {photo['id']}: no photo.received event in the chain")
            elif event["sha256"] != photo["sha256"]:
                report.problems.append(
                    f"photo {photo['id']}: recorded hash {photo['sha256']} differs from the chain's "
                    f"{event['sha256']}"
                )
            if photo["file"] not in names:
                report.problems.append(f"photo {photo['id']}: {photo['file']} is missing")
            elif problem := _photo_file_problem(archive, photo):
                report.problems.append(problem)
        counts = manifest.get("counts", {})
        found_counts = [("visits", report.visits), ("photos", report.photos)]
        if bundle_format == BUNDLE_FORMAT:
            found_counts.append(("visits", report.records))
        for name, found in found_counts:
            if counts.get(name) != found:
                report.problems.append(
                    f"manifest: {counts.get(name)} {name} announced, {found} in the bundle"
                )
        segment = manifest.get("chain") or {}
        if bundle_format == BUNDLE_FORMAT and segment.get("last_event_hash") != report.last_hash:
            report.problems.append(
                f"manifest: the segment ends at {segment.get('last_event_hash')}, "
                f"chain.jsonl at {report.last_hash}"
            )
    return report


__all__ = ["BundleScope", "build_bundle", "verify_bundle"]

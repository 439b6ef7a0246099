"""Photo analysis: what happens to a stored photo after the phone was told "stored".

On PostgreSQL one job per visit (:func:`analyse_visit`), queued when its last declared
photo is stored and run by a ``verval worker`` process; on the embedded default each photo
is analysed in the API process right after its transaction (:func:`analyse_photo`, inline).
Both read the evidence object, decode it once at reduced scale
(``media.images.analyse_jpeg``), keep the thumbnail in the photo's row (``api.visits.thumbnails``; and, when the evidence carries
metadata, a losslessly stripped display copy), run the near-duplicate check, and record
the result. A visit is complete when every declared photo is stored and analysed.

Where the audit chain records an analysis: the write that completes the visit appends
``visit.completed`` with each of its photos' outcome in ``details.analysed`` (on
PostgreSQL the per-visit job writes all its photos, the counters, flags, bands and that
event in one statement); a photo whose analysis does not complete its visit gets its own
``photo.analysed``. Each photo's analysis is thus on the chain exactly once.

Idempotent: the writes set ``analysed_at`` only where it is still empty, and write
flags, hash bands, counters and events only for the photos they did; a second run of the
same job (a retry, a worker killed after the commit) changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
from piccolo.utils.encoding import dump_json

from api import db
from api.audit.service import Actor, append_event, append_event_ctes
from api.visits import queries
from api.visits.quality import FlagDraft, QualityThresholds
from api.visits.service import complete_visit, insert_flags
from api.visits.tables import Photo, Visit
from api.visits.thumbnails import IN_ROW_THUMBNAIL
from media.images import AnalysedImage, ImageRejected, analyse_jpeg, hamming_distance
from media.store import ObjectConflict, ObjectStore

log = logging.getLogger("verval.analysis")


@dataclass(frozen=True)
class AnalysisOutcome:
    photo_id: uuid.UUID
    analysed_now: bool  # False: it had been analysed before (a repeated job)
    flags: list[str]
    visit_completed: bool


def derivative_key(sha256: str, name: str) -> str:
    return f"derivatives/{sha256[:2]}/{sha256}/{name}.jpg"


def district_of(region_code: str) -> str:
    return ".".join(region_code.split(".")[:3])


# Chunks this large hand a photo over as the S3 store reads it (one block per worker-thread
# hop) instead of slicing it into 64 KiB copies that are then joined again.
_READ_CHUNK = 1024 * 1024


async def _read_object(store: ObjectStore, key: str) -> bytes:
    # One photo (<= the upload cap) in memory while it is analysed.
    chunks = [chunk async for chunk in store.open(key, chunk_size=_READ_CHUNK)]
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _put_copy(store: ObjectStore, key: str, data: bytes) -> None:
    digest = hashlib.sha256(data).hexdigest()
    try:
        await store.put(key, io.BytesIO(data), size=len(data), sha256=digest)
    except ObjectConflict:
        pass  # made by an earlier run with another Pillow build: that copy serves as well


def _analyse(data: bytes) -> AnalysedImage:
    try:
        return analyse_jpeg(data)
    except ImageRejected as rejected:  # the request's checks passed it: report, don't loop
        return AnalysedImage(0, 0, {}, None, rejected.detail, None, None)


async def analyse_photo(
    photo_id: uuid.UUID, *, store: ObjectStore, limits: QualityThresholds
) -> AnalysisOutcome:
    """Analyse one stored photo (the inline runner, the demo, per-photo jobs)."""
    photo = (
        await Photo.select(
            Photo.id, Photo.visit, Photo.storage_key, Photo.sha256, Photo.analysed_at
        )
        .where(Photo.id == photo_id)
        .first()
    )
    if photo is None or photo["storage_key"] is None:
        raise LookupError(f"photo {photo_id} is not stored")
    if photo["analysed_at"] is not None:
        return AnalysisOutcome(photo_id, False, [], False)
    visit = await queries.visit_row(photo["visit"])
    assert visit is not None
    pending = [_PendingPhoto(photo_id, photo["storage_key"], photo["sha256"])]
    return (await _analyse_pending(visit, pending, store=store, limits=limits))[0]


async def analyse_visit(
    visit_id: uuid.UUID, *, store: ObjectStore, limits: QualityThresholds
) -> list[AnalysisOutcome]:
    """Analyse every stored, not yet analysed photo of a visit (the queue's job).

    One connection for the whole job (no pool reset per query): one read for the visit
    and its pending photos, one near-duplicate query for all of them, then each photo's
    one-statement write. A repeated job (a retry, a worker killed after some writes)
    finds only what is still pending.
    """
    async with db.request_connection():
        rows = await Visit.raw(_VISIT_AND_PENDING, visit_id)
        if not rows:
            raise LookupError(f"visit {visit_id} does not exist")
        visit = rows[0]
        pending = [
            _PendingPhoto(uuid.UUID(str(row["photo_id"])), row["storage_key"], row["sha256"])
            for row in rows
            if row["photo_id"] is not None
        ]
        if not pending:
            return []
        return await _analyse_pending(visit, pending, store=store, limits=limits)


# The visit (what the analysis needs of it) and its stored, unanalysed photos.
_VISIT_AND_PENDING = (
    "SELECT v.id, v.region_code, v.household_id, v.enumerator_id, v.photos_analysed, "
    "v.photos_declared, p.id AS photo_id, "
    "p.storage_key, p.sha256 FROM visit v LEFT JOIN visit_photo p ON p.visit = v.id "
    "AND p.stored_at IS NOT NULL AND p.analysed_at IS NULL WHERE v.id = {} ORDER BY p.id"
)


@dataclass(frozen=True)
class _PhotoResult:
    photo_id: uuid.UUID
    result: AnalysedImage
    display_key: str
    thumbnail_key: str | None
    flags: list[FlagDraft]


@dataclass(frozen=True)
class _PendingPhoto:
    id: uuid.UUID
    storage_key: str
    sha256: str


async def _analyse_pending(
    visit: dict[str, Any],
    pending: list[_PendingPhoto],
    *,
    store: ObjectStore,
    limits: QualityThresholds,
) -> list[AnalysisOutcome]:
    analysed: list[tuple[_PendingPhoto, AnalysedImage, str, str | None]] = []
    for photo in pending:
        data = await _read_object(store, photo.storage_key)
        result = await anyio.to_thread.run_sync(_analyse, data)
        del data
        display_key = photo.storage_key
        thumbnail_key = None
        if result.display is not None:
            display_key = derivative_key(photo.sha256, "display")
            await _put_copy(store, display_key, result.display)
        if result.thumbnail is not None:
            # Written into the photo's row by the write below: no object-store PUT.
            thumbnail_key = IN_ROW_THUMBNAIL
        analysed.append((photo, result, display_key, thumbnail_key))

    hashed = {
        photo.id: result.perceptual_hash
        for photo, result, _, _ in analysed
        if result.corrupt is None and result.perceptual_hash is not None
    }
    near = await _near_duplicates_of_many(visit, hashed, limits) if hashed else {}
    results: list[_PhotoResult] = []
    for photo, result, display_key, thumbnail_key in analysed:
        flags: list[FlagDraft] = []
        if result.corrupt is not None:
            flags.append(
                FlagDraft("photo_corrupt", "critical", {"reason": result.corrupt}, str(photo.id))
            )
        else:
            flags += near.get(photo.id, [])
        results.append(_PhotoResult(photo.id, result, display_key, thumbnail_key, flags))
    completes = visit["photos_analysed"] + len(results) >= visit["photos_declared"]
    if completes and db.is_postgres():
        # These photos complete the visit: one statement records them all, and the
        # visit's completion event carries their outcomes (one chain append per visit).
        return await _record_completing_postgres(visit, results)
    outcomes = []
    for index, item in enumerate(results):
        # Only the job's last photo can complete the visit (its photos are all stored, and
        # the visit's lock keeps a second job of it from running): only its write needs a
        # transaction, for the completion's own event.
        outcomes.append(
            await _record(
                item.photo_id,
                visit,
                item.result,
                item.display_key,
                item.thumbnail_key,
                item.flags,
                may_complete=index == len(results) - 1,
            )
        )
    return outcomes


async def _record(
    photo_id: uuid.UUID,
    visit: dict[str, Any],
    result: AnalysedImage,
    display_key: str | None,
    thumbnail_key: str | None,
    flags: list[FlagDraft],
    *,
    may_complete: bool = True,
) -> AnalysisOutcome:
    now = datetime.now(UTC)
    if db.is_postgres():
        return await _record_postgres(
            photo_id, visit, result, display_key, thumbnail_key, flags, now, may_complete
        )
    completed = False
    async with db.write_transaction():
        updated = (
            await Photo.update(
                {
                    Photo.analysed_at: now,
                    Photo.width: result.width or None,
                    Photo.height: result.height or None,
                    Photo.exif: result.exif,
                    Photo.perceptual_hash: result.perceptual_hash,
                    Photo.display_key: display_key if result.corrupt is None else None,
                    Photo.thumbnail_key: thumbnail_key,
                    Photo.thumbnail: result.thumbnail,
                }
            )
            .where((Photo.id == photo_id) & Photo.analysed_at.is_null())
            .returning(Photo.id)
        )
        if not updated:
            return AnalysisOutcome(photo_id, False, [], False)
        # The counter update locks the visit row: concurrent analyses of one visit's
        # photos complete it exactly once.
        counts = (
            await Visit.update(
                {
                    Visit.photos_analysed: Visit.photos_analysed + 1,
                    Visit.flag_count: Visit.flag_count + len(flags),
                }
            )
            .where(Visit.id == visit["id"])
            .returning(Visit.photos_analysed, Visit.photos_declared)
        )
        await insert_flags(visit["id"], flags, now)
        if result.perceptual_hash is not None:
            await queries.add_hash_bands(
                photo_id, district_of(visit["region_code"]), result.perceptual_hash
            )
        codes = sorted({f.code for f in flags})
        if counts and counts[0]["photos_analysed"] >= counts[0]["photos_declared"]:
            # The photo that completes its visit: the completion's event carries its outcome.
            await complete_visit(
                visit["id"],
                visit["enumerator_id"],
                visit["region_code"],
                now,
                details={"analysed": {str(photo_id): codes}},
            )
            completed = True
        else:
            await append_event(
                Actor.system(),
                "photo.analysed",
                "photo",
                str(photo_id),
                region_code=visit["region_code"],
                details={"visit_id": str(visit["id"]), "flags": codes},
            )
    return AnalysisOutcome(photo_id, True, sorted({f.code for f in flags}), completed)


# PostgreSQL: the analysis columns, the visit's counters (and its completion), the flags,
# the hash bands and the ``photo.analysed`` event in one statement (data-modifying CTEs,
# as the photo PUT's). Each CTE acts only when ``analysed`` updated the photo, so a
# repeated job changes nothing. The visit UPDATE locks the visit row: concurrent
# analyses of one visit's photos count (and complete it) exactly once.
_RECORD_ANALYSIS = """
WITH analysed AS (
    UPDATE visit_photo SET analysed_at = {}, width = {}, height = {}, exif = CAST({} AS jsonb),
        perceptual_hash = {}, display_key = {}, thumbnail_key = {}, thumbnail = {}
    WHERE id = {} AND analysed_at IS NULL RETURNING id
), counted AS (
    UPDATE visit SET photos_analysed = photos_analysed + 1, flag_count = flag_count + {},
        state = CASE WHEN photos_analysed + 1 >= photos_declared AND state = 'submitted'
                     THEN 'complete' ELSE state END,
        completed_at = CASE WHEN photos_analysed + 1 >= photos_declared AND state = 'submitted'
                            THEN CAST({} AS timestamptz) ELSE completed_at END
    WHERE id = {} AND EXISTS (SELECT 1 FROM analysed)
    RETURNING photos_analysed >= photos_declared AS last_photo
), flagged AS (
    INSERT INTO visit_flag (visit, photo_id, code, severity, evidence, created_at)
    SELECT {}, f.photo_id, f.code, f.severity, f.evidence, CAST({} AS timestamptz)
    FROM jsonb_to_recordset(CAST({} AS jsonb))
         AS f(photo_id uuid, code varchar, severity varchar, evidence jsonb)
    WHERE EXISTS (SELECT 1 FROM analysed)
    RETURNING id
), banded AS (
    INSERT INTO photo_hash_band (photo, district, band_key)
    SELECT {}, {}, band_key FROM unnest(CAST({} AS varchar[])) AS band_key
    WHERE EXISTS (SELECT 1 FROM analysed)
    RETURNING id
), %s
SELECT (SELECT count(*) FROM analysed) AS analysed,
       (SELECT last_photo FROM counted) AS last_photo,
       (SELECT count(*) FROM flagged) + (SELECT count(*) FROM banded)
           + (SELECT count(*) FROM audit_row) AS written
"""


async def _record_postgres(
    photo_id: uuid.UUID,
    visit: dict[str, Any],
    result: AnalysedImage,
    display_key: str | None,
    thumbnail_key: str | None,
    flags: list[FlagDraft],
    now: datetime,
    may_complete: bool,
) -> AnalysisOutcome:
    codes = sorted({f.code for f in flags})
    audit_sql, audit_args = append_event_ctes(
        Actor.system(),
        "photo.analysed",
        "photo",
        str(photo_id),
        when="EXISTS (SELECT 1 FROM analysed)",
        region_code=visit["region_code"],
        details={"visit_id": str(visit["id"]), "flags": codes},
    )
    flag_rows = [
        {"photo_id": f.photo_id, "code": f.code, "severity": f.severity, "evidence": f.evidence}
        for f in flags
    ]
    bands = (
        queries.hash_band_keys(result.perceptual_hash) if result.perceptual_hash is not None else []
    )
    arguments = [
        now,
        result.width or None,
        result.height or None,
        dump_json(result.exif),
        result.perceptual_hash,
        display_key if result.corrupt is None else None,
        thumbnail_key,
        result.thumbnail,
        photo_id,
        len(flags),
        now,
        visit["id"],
        visit["id"],
        now,
        dump_json(flag_rows),
        photo_id,
        district_of(visit["region_code"]),
        bands,
        *audit_args,
    ]
    if not may_complete:
        # Atomic on its own: no BEGIN/COMMIT round trips.
        rows = await Photo.raw(_RECORD_ANALYSIS % audit_sql, *arguments)
        if not rows or not rows[0]["analysed"]:
            return AnalysisOutcome(photo_id, False, [], False)
        if rows[0]["last_photo"]:
            # Only when a per-photo job of an older API analysed the visit's other photos
            # meanwhile: the visit is complete, its event follows in its own statement.
            log.warning("visit completed by a photo not expected to complete it")
            await _append_completed(visit)
        return AnalysisOutcome(photo_id, True, codes, bool(rows[0]["last_photo"]))
    # A transaction only for the completion's own event (a second chain append); the
    # usual photo is BEGIN, this statement, COMMIT.
    async with db.write_transaction():
        rows = await Photo.raw(_RECORD_ANALYSIS % audit_sql, *arguments)
        if not rows or not rows[0]["analysed"]:
            return AnalysisOutcome(photo_id, False, [], False)
        completed = bool(rows[0]["last_photo"])
        if completed:
            await _append_completed(visit)
    return AnalysisOutcome(photo_id, True, codes, completed)


# PostgreSQL, the photos that complete their visit (the per-visit job's usual case): every
# photo's analysis columns, the visit's counters and completion, the flags, the hash bands
# and ``visit.completed`` (with each photo's outcome in its details) in one statement,
# atomic on its own. Only photos still unanalysed are written, so a repeated job changes
# nothing; the event is appended only when the visit did complete (the guard against an
# analysis of one of its photos elsewhere meanwhile, see below).
_RECORD_COMPLETING = """
WITH input AS (
    SELECT * FROM jsonb_to_recordset(CAST({} AS jsonb)) AS i(
        id uuid, width int, height int, exif jsonb, perceptual_hash varchar,
        display_key varchar, thumbnail_key varchar, flags int)
), thumbs AS (
    SELECT * FROM unnest(CAST({} AS uuid[]), CAST({} AS bytea[])) AS t(id, thumbnail)
), analysed AS (
    UPDATE visit_photo p SET analysed_at = {}, width = i.width, height = i.height,
        exif = i.exif, perceptual_hash = i.perceptual_hash, display_key = i.display_key,
        thumbnail_key = i.thumbnail_key, thumbnail = t.thumbnail
    FROM input i LEFT JOIN thumbs t ON t.id = i.id
    WHERE p.id = i.id AND p.analysed_at IS NULL RETURNING p.id, i.flags
), counted AS (
    UPDATE visit SET photos_analysed = photos_analysed + (SELECT count(*) FROM analysed),
        flag_count = flag_count + (SELECT coalesce(sum(flags), 0) FROM analysed),
        state = CASE WHEN photos_analysed + (SELECT count(*) FROM analysed) >= photos_declared
                          AND state = 'submitted' THEN 'complete' ELSE state END,
        completed_at = CASE WHEN photos_analysed + (SELECT count(*) FROM analysed)
                                 >= photos_declared AND state = 'submitted'
                            THEN CAST({} AS timestamptz) ELSE completed_at END
    WHERE id = {} AND EXISTS (SELECT 1 FROM analysed)
    RETURNING photos_analysed >= photos_declared AS complete
), flagged AS (
    INSERT INTO visit_flag (visit, photo_id, code, severity, evidence, created_at)
    SELECT {}, f.photo_id, f.code, f.severity, f.evidence, CAST({} AS timestamptz)
    FROM jsonb_to_recordset(CAST({} AS jsonb))
         AS f(photo_id uuid, code varchar, severity varchar, evidence jsonb)
    WHERE f.photo_id IN (SELECT id FROM analysed)
    RETURNING id
), banded AS (
    INSERT INTO photo_hash_band (photo, district, band_key)
    SELECT b.photo, {}, b.band_key
    FROM unnest(CAST({} AS uuid[]), CAST({} AS varchar[])) AS b(photo, band_key)
    WHERE b.photo IN (SELECT id FROM analysed)
    RETURNING id
), %s
SELECT ARRAY(SELECT id FROM analysed) AS analysed,
       (SELECT complete FROM counted) AS complete,
       (SELECT count(*) FROM audit_row) AS audited,
       (SELECT count(*) FROM flagged) + (SELECT count(*) FROM banded) AS written
"""


async def _record_completing_postgres(
    visit: dict[str, Any], results: list[_PhotoResult]
) -> list[AnalysisOutcome]:
    now = datetime.now(UTC)
    codes = {item.photo_id: sorted({f.code for f in item.flags}) for item in results}
    audit_sql, audit_args = append_event_ctes(
        Actor.user(visit["enumerator_id"]),
        "visit.completed",
        "visit",
        str(visit["id"]),
        when="EXISTS (SELECT 1 FROM counted WHERE complete)",
        region_code=visit["region_code"],
        details={"analysed": {str(photo_id): flags for photo_id, flags in codes.items()}},
    )
    photos = [
        {
            "id": str(item.photo_id),
            "width": item.result.width or None,
            "height": item.result.height or None,
            "exif": item.result.exif,
            "perceptual_hash": item.result.perceptual_hash,
            "display_key": item.display_key if item.result.corrupt is None else None,
            "thumbnail_key": item.thumbnail_key,
            "flags": len(item.flags),
        }
        for item in results
    ]
    flag_rows = [
        {"photo_id": f.photo_id, "code": f.code, "severity": f.severity, "evidence": f.evidence}
        for item in results
        for f in item.flags
    ]
    band_photos: list[uuid.UUID] = []
    band_keys: list[str] = []
    for item in results:
        if item.result.perceptual_hash is not None:
            keys = queries.hash_band_keys(item.result.perceptual_hash)
            band_keys += keys
            band_photos += [item.photo_id] * len(keys)
    rows = await Photo.raw(
        _RECORD_COMPLETING % audit_sql,
        dump_json(photos),
        [item.photo_id for item in results if item.result.thumbnail is not None],
        [item.result.thumbnail for item in results if item.result.thumbnail is not None],
        now,
        now,
        visit["id"],
        visit["id"],
        now,
        dump_json(flag_rows),
        district_of(visit["region_code"]),
        band_photos,
        band_keys,
        *audit_args,
    )
    written = {uuid.UUID(str(photo_id)) for photo_id in rows[0]["analysed"]} if rows else set()
    completed = bool(rows and rows[0]["complete"] and rows[0]["audited"])
    if written and not completed:
        # Another analysis of one of these photos (a per-photo job of an older API) ran
        # meanwhile, so these did not complete the visit: each gets its own event, as a
        # photo that does not complete its visit does.
        log.warning("a visit's analysis did not complete it; appending per-photo events")
        for photo_id in sorted(written):
            await append_event(
                Actor.system(),
                "photo.analysed",
                "photo",
                str(photo_id),
                region_code=visit["region_code"],
                details={"visit_id": str(visit["id"]), "flags": codes[photo_id]},
            )
    last = (
        [item.photo_id for item in results if item.photo_id in written][-1] if completed else None
    )
    return [
        AnalysisOutcome(
            item.photo_id,
            item.photo_id in written,
            codes[item.photo_id] if item.photo_id in written else [],
            item.photo_id == last,
        )
        for item in results
    ]


async def _append_completed(visit: dict[str, Any]) -> None:
    await append_event(
        Actor.user(visit["enumerator_id"]),
        "visit.completed",
        "visit",
        str(visit["id"]),
        region_code=visit["region_code"],
    )


async def _near_duplicates(
    visit: dict[str, Any], photo_id: uuid.UUID, perceptual_hash: str, limits: QualityThresholds
) -> list[FlagDraft]:
    """One photo's near-duplicate flags (at most five)."""
    return (await _near_duplicates_of_many(visit, {photo_id: perceptual_hash}, limits))[photo_id]


async def _near_duplicates_of_many(
    visit: dict[str, Any], hashes: dict[uuid.UUID, str], limits: QualityThresholds
) -> dict[uuid.UUID, list[FlagDraft]]:
    """Each photo's near-duplicate flags (at most five), from one lookup for all of them."""
    district = district_of(visit["region_code"])
    photo_ids = list(hashes)
    # Within 7 bits two hashes share a band, so the band index finds every candidate; a
    # wider threshold (a deployment's choice) falls back to comparing with all of them.
    if limits.near_duplicate_bits < queries.HASH_BANDS:
        candidates = await queries.near_duplicate_candidates_of_many(
            district,
            [hashes[photo_id] for photo_id in photo_ids],
            limits.near_duplicate_bits,
            visit["household_id"],
            visit["id"],
        )
    else:
        everyone = await queries.stored_hashes_of_other_households(
            visit["household_id"], visit["id"], district
        )
        candidates = [everyone] * len(photo_ids)
    found: dict[uuid.UUID, list[FlagDraft]] = {}
    for photo_id, others in zip(photo_ids, candidates, strict=True):
        flags = []
        for other in others:
            distance = hamming_distance(hashes[photo_id], other["perceptual_hash"])
            if distance <= limits.near_duplicate_bits:
                flags.append(
                    FlagDraft(
                        "photo_near_duplicate",
                        "warning",
                        {
                            "hamming_distance": distance,
                            "other_visit": str(other["visit_id"]),
                            "other_household_id": other["household_id"],
                            "other_photo": str(other["id"]),
                        },
                        photo_id=str(photo_id),
                    )
                )
        found[photo_id] = flags[:5]
    return found


async def pending_photo_ids(limit: int = 1000) -> list[uuid.UUID]:
    """Stored photos whose analysis has not finished (the inline runner's restart sweep)."""
    rows = (
        await Photo.select(Photo.id)
        .where(Photo.stored_at.is_not_null() & Photo.analysed_at.is_null())
        .limit(limit)
    )
    return [row["id"] for row in rows]

"""Photo intake: what must happen before the phone may delete its copy, and nothing more.

The body is spooled to a private temp file while it is hashed (64 KiB pieces, never the
whole upload in memory), checked against the declared size and SHA-256, and walked
marker by marker (``media.jpeg.check_jpeg_structure``: no pixel is decoded here). Then
the write-once evidence PUT and one short transaction: the photo row, the visit's
counter, the audit event and, on the queue, the visit's analysis job once its last
photo is stored. Decoding, thumbnails,
flags and completing the visit are the analysis job's (``api.visits.analysis``).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio

from api import db
from api.audit.service import Actor, append_event, append_event_ctes
from api.errors import Conflict, DomainError, NotFound, Unprocessable
from api.jobs.queue import defer_analysis_statement
from api.visits.schemas import PhotoReceipt, VisitState
from api.visits.tables import Photo, Visit
from auth.roles import Principal
from media.images import ImageRejected
from media.jpeg import JpegStructure, check_jpeg_structure
from media.store import ObjectStore, evidence_key

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


async def spool_upload(
    chunks: AsyncIterator[bytes], limit: int, directory: Path
) -> tuple[Path, str, int]:
    """Write the body to a private temp file, hashing as it goes; refuse past ``limit``."""
    digest = hashlib.sha256()
    size = 0
    # A fresh random name, created exclusively and private (as mkstemp does, without its
    # name generator and file wrapper on the event loop: issue 18).
    path = directory / f"photo-{uuid.uuid4().hex}.jpg"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write, update = handle.write, digest.update
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"A photo may be at most {limit // (1024 * 1024)} MB.")
                update(chunk)
                write(chunk)
    except BaseException:
        await anyio.Path(path).unlink(missing_ok=True)
        raise
    return path, digest.hexdigest(), size


# The visit and the declared photo in one round trip (the photo part is NULL when the
# visit does not declare it).
_DECLARED = (
    "SELECT v.enumerator_id, v.region_code, p.id AS photo_id, p.kind, p.sha256, p.size, "
    "p.stored_at FROM visit v LEFT JOIN visit_photo p ON p.visit = v.id AND p.id = {} "
    "WHERE v.id = {}"
)
# The receipt's visit state and still-missing photos, in one round trip.
_RECEIPT = (
    "SELECT v.state, p.id AS missing FROM visit v "
    "LEFT JOIN visit_photo p ON p.visit = v.id AND p.stored_at IS NULL WHERE v.id = {}"
)


async def receive_photo(
    principal: Principal,
    visit_id: uuid.UUID,
    photo_id: uuid.UUID,
    chunks: AsyncIterator[bytes],
    *,
    store: ObjectStore,
    max_bytes: int,
    spool_dir: Path,
    queue_analysis: bool,
    analyse_inline: Callable[[uuid.UUID], Awaitable[None]] | None = None,
) -> tuple[PhotoReceipt, bool]:
    """Store a declared photo once; returns (receipt, created).

    ``queue_analysis``: insert the analysis job in the photo's transaction (the queue
    runner). ``analyse_inline``: the inline runner, called after the transaction and
    before the receipt is read (so the receipt of the last photo says "complete").
    """
    # No database connection is held while the body arrives (a slow phone would keep it
    # for seconds): the request's connection goes back before the stream and the
    # lookup, checks and write follow once the bytes are on disk.
    await db.give_back_connection()
    path, sha256, size = await spool_upload(chunks, max_bytes, spool_dir)
    try:
        rows = await db.raw(Visit, _DECLARED, photo_id, visit_id)
        declared = rows[0] if rows else None
        if declared is None or declared["enumerator_id"] != principal.user_id:
            raise NotFound(
                "No such visit; send the visit record before its photos.", code="visit_not_found"
            )
        if declared["photo_id"] is None:
            raise NotFound(
                "The visit record does not declare this photo.", code="photo_not_declared"
            )
        if declared["stored_at"] is not None:
            # A repeat gets its receipt only with the same bytes.
            if sha256 != declared["sha256"] or size != declared["size"]:
                raise Conflict(
                    "This photo is already stored with other bytes; stored evidence is "
                    "never replaced.",
                    code="photo_already_stored",
                    extra={"stored_sha256": declared["sha256"], "received_sha256": sha256},
                )
            return await _receipt(visit_id, photo_id, sha256), False
        _check_declaration(declared, sha256, size)
        try:
            # On the event loop: a marker walk of the spooled file (~0.1 ms for a phone's
            # photo, no pixel decoded) costs less than the thread hop it used to take.
            structure: JpegStructure = check_jpeg_structure(path)
        except ImageRejected as rejected:
            raise Unprocessable(rejected.detail, code=rejected.code) from None
        key = evidence_key(sha256)
        # The evidence object first: a crash after this leaves an unreferenced object, never
        # a row without its bytes.
        await store.put(key, path, size=size, sha256=sha256, content_type="image/jpeg")
    finally:
        _remove(path)

    written = await _record(
        principal, visit_id, photo_id, declared, key, structure, sha256, size, queue_analysis
    )
    if written is None:
        return await _receipt(visit_id, photo_id, sha256), False  # a concurrent upload won
    if analyse_inline is not None:
        await analyse_inline(photo_id)
        return await _receipt(visit_id, photo_id, sha256), True
    return written, True


def _remove(path: Path) -> None:
    """Delete the spooled file: one unlink, without a thread hop."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _check_declaration(declared: dict[str, Any], sha256: str, size: int) -> None:
    if size != declared["size"]:
        raise Unprocessable(
            f"The photo is {size} bytes; the visit declared {declared['size']}.",
            code="photo_size_mismatch",
            extra={"expected": declared["size"], "received": size},
        )
    if sha256 != declared["sha256"]:
        raise Unprocessable(
            "The photo's SHA-256 does not match the one declared in the visit.",
            code="photo_hash_mismatch",
            extra={"expected": declared["sha256"], "received": sha256},
        )


async def _record(
    principal: Principal,
    visit_id: uuid.UUID,
    photo_id: uuid.UUID,
    declared: dict[str, Any],
    key: str,
    structure: JpegStructure,
    sha256: str,
    size: int,
    queue_analysis: bool,
) -> PhotoReceipt | None:
    """The one transaction: photo row, visit counter, (job,) audit event. Returns the
    receipt, or None when a concurrent upload of the same photo stored it first."""
    now = datetime.now(UTC)
    actor = Actor.user(principal.user_id)
    details = {"visit_id": str(visit_id), "sha256": sha256, "size": size, "kind": declared["kind"]}
    if db.is_postgres():
        # One statement, atomic on its own: no BEGIN/COMMIT round trips.
        row = await _store_photo_postgres(
            visit_id, photo_id, key, structure, now, queue_analysis, actor, declared, details
        )
        if row is None:
            return None
        state, missing = row
    else:
        async with db.write_transaction():
            if not await _store_photo_row(visit_id, photo_id, key, structure, now):
                return None
            await append_event(
                actor,
                "photo.received",
                "photo",
                str(photo_id),
                region_code=declared["region_code"],
                details=details,
            )
        return await _receipt(visit_id, photo_id, sha256)
    return PhotoReceipt(
        photo_id=photo_id,
        visit_id=visit_id,
        sha256=sha256,
        stored=True,
        visit_state=VisitState(state),
        missing_photos=missing,
    )


async def _store_photo_row(
    visit_id: uuid.UUID,
    photo_id: uuid.UUID,
    key: str,
    structure: JpegStructure,
    now: datetime,
) -> bool:
    stored = (
        await Photo.update(
            {
                Photo.stored_at: now,
                Photo.storage_key: key,
                Photo.width: structure.width,
                Photo.height: structure.height,
            }
        )
        .where((Photo.id == photo_id) & Photo.stored_at.is_null())
        .returning(Photo.id)
    )
    if not stored:
        return False
    await Visit.update({Visit.photos_stored: Visit.photos_stored + 1}).where(Visit.id == visit_id)
    return True


# PostgreSQL: the photo row, the visit's counter, the analysis job, the audit event and
# what the receipt says, in one statement (data-modifying CTEs; its SELECTs see the state
# before it). The audit CTEs come from api.audit.service.append_event_ctes. The job is
# the visit's: queued by the photo that stores its last declared photo (the counter
# UPDATE locks the visit row, so of two concurrent last photos exactly one sees it).
_STORE_PHOTO = """
WITH stored AS (
    UPDATE visit_photo SET stored_at = {}, storage_key = {}, width = {}, height = {}
    WHERE id = {} AND stored_at IS NULL RETURNING visit
), counted AS (
    UPDATE visit SET photos_stored = photos_stored + 1
    WHERE id IN (SELECT visit FROM stored)
    RETURNING state, photos_stored >= photos_declared AS all_stored
), queued AS (
    SELECT procrastinate_defer_jobs_v1(ARRAY[ROW({}, {}, 0, {}, NULL, {}::jsonb, NULL)
        ::procrastinate_job_to_defer_v1]) AS ids
    FROM counted WHERE {} AND counted.all_stored
), %s
SELECT (SELECT state FROM counted) AS state,
       (SELECT count(*) FROM audit_row) AS audited,
       (SELECT count(*) FROM queued) AS queued,
       ARRAY(SELECT id FROM visit_photo WHERE visit = {} AND stored_at IS NULL AND id <> {}
             ORDER BY id) AS missing
"""


async def _store_photo_postgres(
    visit_id: uuid.UUID,
    photo_id: uuid.UUID,
    key: str,
    structure: JpegStructure,
    now: datetime,
    queue_analysis: bool,
    actor: Actor,
    declared: dict[str, Any],
    details: dict[str, Any],
) -> tuple[str, list[uuid.UUID]] | None:
    _, job = defer_analysis_statement(visit_id)
    audit_sql, audit_args = append_event_ctes(
        actor,
        "photo.received",
        "photo",
        str(photo_id),
        when="EXISTS (SELECT 1 FROM stored)",
        region_code=declared["region_code"],
        details=details,
    )
    rows = await db.raw(
        Visit,
        _STORE_PHOTO % audit_sql,
        now,
        key,
        structure.width,
        structure.height,
        photo_id,
        *job,
        queue_analysis,
        *audit_args,
        visit_id,
        photo_id,
    )
    if not rows or rows[0]["state"] is None:
        return None
    return rows[0]["state"], sorted(rows[0]["missing"])


async def _receipt(visit_id: uuid.UUID, photo_id: uuid.UUID, sha256: str) -> PhotoReceipt:
    rows = await db.raw(Visit, _RECEIPT, visit_id)
    return PhotoReceipt(
        photo_id=photo_id,
        visit_id=visit_id,
        sha256=sha256,
        stored=True,
        visit_state=VisitState(rows[0]["state"]),
        missing_photos=sorted(
            uuid.UUID(str(row["missing"])) for row in rows if row["missing"] is not None
        ),
    )


__all__ = ["Conflict", "PayloadTooLarge", "receive_photo"]

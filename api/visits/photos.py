"""Photo intake: stream to disk, verify, seal in the evidence store, then record.

One photo per request is ever on this process's disk or in its memory, in 64 KiB
pieces: the body is hashed while it is spooled, never buffered whole.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio

from api import db
from api.audit.service import Actor, append_event
from api.errors import Conflict, DomainError, NotFound, Unprocessable
from api.visits import queries
from api.visits.quality import FlagDraft, QualityThresholds
from api.visits.schemas import PhotoReceipt, VisitState
from api.visits.service import _complete, _insert_flags
from api.visits.tables import Photo, Visit
from auth.roles import Principal
from media.images import (
    DISPLAY_LONG_SIDE,
    THUMBNAIL_LONG_SIDE,
    ImageFacts,
    ImageRejected,
    derivative_jpegs,
    hamming_distance,
    inspect_jpeg,
)
from media.store import ObjectConflict, ObjectStore, evidence_key


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


def derivative_key(sha256: str, name: str) -> str:
    return f"derivatives/{sha256[:2]}/{sha256}/{name}.jpg"


async def _spool(
    chunks: AsyncIterator[bytes], limit: int, directory: Path
) -> tuple[Path, str, int]:
    """Write the body to a private temp file, hashing as it goes; refuse past ``limit``."""
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.NamedTemporaryFile(
        prefix="photo-", suffix=".jpg", dir=directory, delete=False
    )
    path = Path(handle.name)
    try:
        with handle:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"A photo may be at most {limit // (1024 * 1024)} MB.")
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        await anyio.Path(path).unlink(missing_ok=True)
        raise
    return path, digest.hexdigest(), size


async def receive_photo(
    principal: Principal,
    visit_id: uuid.UUID,
    photo_id: uuid.UUID,
    chunks: AsyncIterator[bytes],
    *,
    store: ObjectStore,
    max_bytes: int,
    spool_dir: Path,
    limits: QualityThresholds,
) -> tuple[PhotoReceipt, bool]:
    visit = await queries.visit_row(visit_id)
    if visit is None or visit["enumerator_id"] != principal.user_id:
        raise NotFound(
            "No such visit; send the visit record before its photos.", code="visit_not_found"
        )
    declared = (
        await Photo.select().where((Photo.id == photo_id) & (Photo.visit == visit_id)).first()
    )
    if declared is None:
        raise NotFound("The visit record does not declare this photo.", code="photo_not_declared")
    if declared["stored_at"] is not None:
        return await _receipt(visit_id, declared, stored=True), False

    # Hold no database connection while the body streams in (seconds on a slow phone).
    await db.give_back_connection()
    path, sha256, size = await _spool(chunks, max_bytes, spool_dir)
    try:
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
        try:
            facts: ImageFacts = await anyio.to_thread.run_sync(inspect_jpeg, path)
        except ImageRejected as rejected:
            raise Unprocessable(rejected.detail, code=rejected.code) from None
        key = evidence_key(sha256)
        # The evidence object first: a crash after this leaves an unreferenced object, never
        # a row without its bytes.
        await store.put(key, path, size=size, sha256=sha256, content_type="image/jpeg")
        display_key, thumbnail_key = await _derivatives(store, path, sha256)
    finally:
        await anyio.Path(path).unlink(missing_ok=True)

    flags = await _near_duplicates(visit, photo_id, facts, limits)
    now = datetime.now(UTC)
    async with db.write_transaction():
        stored = (
            await Photo.update(
                {
                    Photo.stored_at: now,
                    Photo.storage_key: key,
                    Photo.width: facts.width,
                    Photo.height: facts.height,
                    Photo.exif: facts.exif,
                    Photo.perceptual_hash: facts.perceptual_hash,
                    Photo.display_key: display_key,
                    Photo.thumbnail_key: thumbnail_key,
                }
            )
            .where((Photo.id == photo_id) & Photo.stored_at.is_null())
            .returning(Photo.id)
        )
        if not stored:
            created = False  # a concurrent upload of the same photo got there first
        else:
            created = True
            # The counter update locks the visit row, so concurrent photos of one visit
            # complete it exactly once.
            counts = (
                await Visit.update(
                    {
                        Visit.photos_stored: Visit.photos_stored + 1,
                        Visit.flag_count: Visit.flag_count + len(flags),
                    }
                )
                .where(Visit.id == visit_id)
                .returning(Visit.photos_stored, Visit.photos_declared, Visit.state)
            )
            await _insert_flags(visit_id, flags, now)
            await queries.add_hash_bands(
                photo_id, _district(visit["region_code"]), facts.perceptual_hash
            )
            await append_event(
                Actor.user(principal.user_id),
                "photo.received",
                "photo",
                str(photo_id),
                region_code=visit["region_code"],
                details={
                    "visit_id": str(visit_id),
                    "sha256": sha256,
                    "size": size,
                    "kind": declared["kind"],
                    "flags": sorted({f.code for f in flags}),
                },
            )
            if counts and counts[0]["photos_stored"] >= counts[0]["photos_declared"]:
                await _complete(visit_id, principal.user_id, visit["region_code"], now)
    fresh = await Photo.select().where(Photo.id == photo_id).first()
    assert fresh is not None
    return await _receipt(visit_id, fresh, stored=True), created


DERIVATIVES = [("display", DISPLAY_LONG_SIDE, 82), ("thumb", THUMBNAIL_LONG_SIDE, 70)]


def _make_derivatives(path: Path) -> list[tuple[str, bytes, str]]:
    """(name, JPEG bytes, SHA-256) of each derivative, from one decode (worker thread)."""
    copies = derivative_jpegs(path, [(side, quality) for _, side, quality in DERIVATIVES])
    return [
        (name, data, hashlib.sha256(data).hexdigest())
        for (name, _, _), data in zip(DERIVATIVES, copies, strict=True)
    ]


async def _derivatives(store: ObjectStore, path: Path, sha256: str) -> tuple[str, str]:
    # Decoding, encoding and hashing happen in one worker-thread hop, and the copies go to
    # the store from memory: no temporary files and no hashing on the event loop.
    made = await anyio.to_thread.run_sync(_make_derivatives, path)
    keys = []
    for name, data, digest in made:
        key = derivative_key(sha256, name)
        try:
            await store.put(key, io.BytesIO(data), size=len(data), sha256=digest)
        except ObjectConflict:
            pass  # made earlier by another Pillow build: the existing copy serves as well
        keys.append(key)
    return keys[0], keys[1]


def _district(region_code: str) -> str:
    return ".".join(region_code.split(".")[:3])


async def _near_duplicates(
    visit: dict[str, Any], photo_id: uuid.UUID, facts: ImageFacts, limits: QualityThresholds
) -> list[FlagDraft]:
    district = _district(visit["region_code"])
    # Within 7 bits two hashes share a band, so the band index finds every candidate; a
    # wider threshold (a deployment's choice) falls back to comparing with all of them.
    if limits.near_duplicate_bits < queries.HASH_BANDS:
        candidates = await queries.near_duplicate_candidates(
            district,
            facts.perceptual_hash,
            limits.near_duplicate_bits,
            visit["household_id"],
            visit["id"],
        )
    else:
        candidates = await queries.stored_hashes_of_other_households(
            visit["household_id"], visit["id"], district
        )
    flags = []
    for other in candidates:
        distance = hamming_distance(facts.perceptual_hash, other["perceptual_hash"])
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
    return flags[:5]


async def _receipt(visit_id: uuid.UUID, photo: dict[str, Any], *, stored: bool) -> PhotoReceipt:
    visit = await queries.visit_row(visit_id)
    assert visit is not None
    return PhotoReceipt(
        photo_id=photo["id"],
        visit_id=visit_id,
        sha256=photo["sha256"],
        stored=stored,
        visit_state=VisitState(visit["state"]),
        missing_photos=await queries.missing_photo_ids(visit_id),
    )


__all__ = ["Conflict", "PayloadTooLarge", "receive_photo"]

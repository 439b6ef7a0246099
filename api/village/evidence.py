"""Sealing a JPEG through the visit photos' evidence path: spooled while hashed, checked
(magic, trailing data, markup in metadata, full decode under a pixel cap), stored
write-once under ``evidence/sha256/…``, then recorded with its audit event.

The bytes go to the store before the row, as for visit photos: a crash in between
leaves an unreferenced object (listed by ``verval media gc --dry-run``), never a row
without its bytes.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import anyio

from api.audit.service import Actor, append_event
from api.errors import DomainError, Unprocessable
from api.village.schemas import EvidenceOut
from api.village.tables import VillageEvidence
from api.visits.photos import spool_upload
from media.images import ImageRejected, inspect_jpeg
from media.jpeg import check_jpeg_structure
from media.store import ObjectStore, evidence_key

PHOTO_CONTENT_TYPES = {"image/jpeg", "application/octet-stream"}


class UnsupportedMediaType(DomainError):
    status_code = 415
    code = "unsupported_media_type"


def require_jpeg(content_type: str) -> None:
    kind = content_type.split(";")[0].strip().lower()
    if kind not in PHOTO_CONTENT_TYPES:
        raise UnsupportedMediaType(f"Send the photo as image/jpeg, not {kind or 'nothing'}.")


@dataclass(frozen=True)
class SealedJpeg:
    sha256: str
    size: int
    width: int
    height: int
    storage_key: str


async def seal_jpeg(
    chunks: AsyncIterator[bytes], *, store: ObjectStore, max_bytes: int, spool_dir: Path
) -> SealedJpeg:
    """Check the JPEG and put it in the evidence store; the row comes after (caller)."""
    path, sha256, size = await spool_upload(chunks, max_bytes, spool_dir)
    try:
        if size == 0:
            raise Unprocessable("Send the photo's bytes.", code="photo_empty")
        try:
            # The same structural check as a visit photo (markup in any metadata segment,
            # frame under the pixel cap, a proper end), then a full decode: these photos
            # (a public objection's among them) get no analysis job to verify the pixels.
            await anyio.to_thread.run_sync(check_jpeg_structure, path)
            facts = await anyio.to_thread.run_sync(inspect_jpeg, path)
        except ImageRejected as rejected:
            raise Unprocessable(rejected.detail, code=rejected.code) from None
        key = evidence_key(sha256)
        await store.put(key, path, size=size, sha256=sha256, content_type="image/jpeg")
    finally:
        await anyio.Path(path).unlink(missing_ok=True)
    return SealedJpeg(sha256, size, facts.width, facts.height, key)


async def one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def record_evidence(
    actor: Actor,
    sealed: SealedJpeg,
    *,
    evidence_id: uuid.UUID,
    kind: str,
    owner_type: str,
    owner_id: int,
    region_code: str,
) -> EvidenceOut:
    """The row and its ``evidence.sealed`` event; call inside the write transaction."""
    now = datetime.now(UTC)
    await VillageEvidence.insert(
        VillageEvidence(
            id=evidence_id,
            kind=kind,
            owner_type=owner_type,
            owner_id=owner_id,
            region_code=region_code,
            sha256=sealed.sha256,
            size=sealed.size,
            width=sealed.width,
            height=sealed.height,
            storage_key=sealed.storage_key,
            stored_by=actor.ref,
            stored_at=now,
        )
    )
    await append_event(
        actor,
        "evidence.sealed",
        owner_type,
        owner_id,
        region_code=region_code,
        details={
            "evidence_id": str(evidence_id),
            "kind": kind,
            "sha256": sealed.sha256,
            "size": sealed.size,
        },
    )
    return EvidenceOut(
        id=evidence_id, kind=kind, sha256=sealed.sha256, size=sealed.size, stored_at=now
    )


async def evidence_of(owner_type: str, owner_ids: list[int]) -> dict[int, list[EvidenceOut]]:
    if not owner_ids:
        return {}
    rows = await (
        VillageEvidence.select()
        .where(
            (VillageEvidence.owner_type == owner_type) & VillageEvidence.owner_id.is_in(owner_ids)
        )
        .order_by(VillageEvidence.stored_at)
    )
    found: dict[int, list[EvidenceOut]] = {}
    for row in rows:
        found.setdefault(int(row["owner_id"]), []).append(
            EvidenceOut(
                id=row["id"],
                kind=row["kind"],
                sha256=row["sha256"],
                size=row["size"],
                stored_at=row["stored_at"],
            )
        )
    return found


async def existing_evidence(evidence_id: uuid.UUID) -> dict[str, object] | None:
    return await VillageEvidence.select().where(VillageEvidence.id == evidence_id).first()  # type: ignore[no-any-return]

"""Review thumbnails kept in the photo's row, served through signed, expiring links.

The analysis job used to PUT each photo's thumbnail (13-18 KB) to the object store: a third
of SeaweedFS's work per photo for a derivative that is not evidence (the evidence bundle
and the audit chain hash the original only). It now writes the JPEG into
``visit_photo.thumbnail`` in its one statement and sets ``thumbnail_key`` to
``IN_ROW_THUMBNAIL``; photos analysed before keep their object and its presigned link.

The link stands in for an object store's presigned URL and carries the same authority:
it is made only for a caller who may see the photo (``api.review.access.may_link_photo``),
names the photo by its id only, and expires with the other photo links. An HMAC over the
photo id and the expiry, with a key derived from the app's signing key for this use only.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
import uuid
from datetime import timedelta

from api.visits.tables import Photo

IN_ROW_THUMBNAIL = "row:thumbnail"  # thumbnail_key when the JPEG is in the row
THUMBNAIL_ROUTE = "/api/v1/photo-thumbnails"
_CONTEXT = b"verval/photo-thumbnail-link/v1"


def link_key(signing_key: bytes) -> bytes:
    return hmac.new(signing_key, _CONTEXT, hashlib.sha256).digest()


def _signature(key: bytes, photo_id: uuid.UUID, expires_at: int) -> str:
    return hmac.new(key, f"{photo_id}\n{expires_at}".encode(), hashlib.sha256).hexdigest()


def thumbnail_url(
    key: bytes, photo_id: uuid.UUID, lifetime: timedelta, *, now: float | None = None
) -> str:
    expires_at = math.ceil((time.time() if now is None else now) + lifetime.total_seconds())
    signature = _signature(key, photo_id, expires_at)
    return f"{THUMBNAIL_ROUTE}/{photo_id}?expires={expires_at}&signature={signature}"


def link_is_valid(
    key: bytes, photo_id: uuid.UUID, expires: int, signature: str, *, now: float | None = None
) -> bool:
    expected = _signature(key, photo_id, expires).encode()
    given = signature.lower().encode("ascii", "replace")
    return hmac.compare_digest(expected, given) and expires >= (time.time() if now is None else now)


async def stored_thumbnail(photo_id: uuid.UUID) -> bytes | None:
    row = await Photo.select(Photo.thumbnail).where(Photo.id == photo_id).first()
    return bytes(row["thumbnail"]) if row and row["thumbnail"] is not None else None

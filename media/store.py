"""The object-store interface behind which photo evidence is kept.

Two implementations exist: :class:`media.local.LocalDirectoryStore` (the embedded default,
a directory on the API's disk) and :class:`media.s3.S3Store` (SeaweedFS, MinIO or any S3
server through the ``minio`` client). The API only ever talks to :class:`ObjectStore`.

Rules every implementation keeps:

* **Write-once.** A key is written at most once. Writing the same bytes again (same
  SHA-256) is a no-op that reports ``created=False``; different bytes raise
  :class:`ObjectConflict`. There is no delete for evidence.
* **Verified on the way in.** ``put`` hashes the bytes as it streams them and stores
  nothing unless they match the declared size and SHA-256 (:class:`ObjectHashMismatch`).
* **Streamed.** Objects are read from a file and served in chunks; no whole object is
  held in memory beyond one upload part.
* **Async without blocking.** All file and network IO runs in worker threads.

Keys are ``/``-separated segments of ``[A-Za-z0-9._-]`` that never start with ``.`` (so no
``.``/``..`` and no hidden files), without a leading or trailing ``/``. Evidence lives under
the content-addressed key returned by :func:`evidence_key`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

__all__ = [
    "CHUNK_SIZE",
    "MAX_KEY_LENGTH",
    "MAX_PRESIGN_EXPIRY",
    "ObjectConflict",
    "ObjectHashMismatch",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectSizeMismatch",
    "ObjectStore",
    "ObjectStoreError",
    "ObjectStoreUnavailable",
    "PutResult",
    "evidence_key",
    "hash_object",
    "open_source",
    "read_exact",
    "validate_content_type",
    "validate_expiry",
    "validate_key",
    "validate_prefix",
    "validate_sha256",
    "validate_size",
]

CHUNK_SIZE = 64 * 1024
"""Default size of the chunks :meth:`ObjectStore.open` yields."""

MAX_KEY_LENGTH = 512
MAX_PRESIGN_EXPIRY = timedelta(days=7)
"""The longest lifetime S3 allows for a presigned URL (and the longest we hand out)."""

EVIDENCE_PREFIX = "evidence/sha256/"

_SEGMENT = r"[A-Za-z0-9_-][A-Za-z0-9._-]*"
_KEY_RE = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
# type/subtype with optional parameters; no control characters, so no header injection.
_CONTENT_TYPE_RE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*"
    r"(?:\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$&^_.+-]+|\"[^\"\x00-\x1f\x7f]*\"))*"
)


# --------------------------------------------------------------------------- errors
class ObjectStoreError(Exception):
    """Base class of every error the object stores raise."""


class ObjectNotFound(ObjectStoreError):
    """No object is stored under the key."""

    def __init__(self, key: str, where: str = "") -> None:
        self.key = key
        super().__init__(f"no object {key!r}{' in ' + where if where else ''}")


class ObjectConflict(ObjectStoreError):
    """The key already holds different bytes; stored evidence is never replaced."""

    def __init__(self, key: str, *, existing_sha256: str | None, new_sha256: str) -> None:
        self.key = key
        self.existing_sha256 = existing_sha256
        self.new_sha256 = new_sha256
        existing = existing_sha256 or "unknown (no SHA-256 recorded)"
        super().__init__(
            f"object {key!r} already exists with different content "
            f"(stored sha256 {existing}, offered sha256 {new_sha256}); "
            "objects are write-once and are never replaced"
        )


class ObjectHashMismatch(ObjectStoreError):
    """The bytes offered do not hash to the declared SHA-256; nothing was stored."""

    def __init__(
        self,
        key: str,
        *,
        expected_sha256: str,
        actual_sha256: str,
        expected_size: int,
        actual_size: int,
    ) -> None:
        self.key = key
        self.expected_sha256 = expected_sha256
        self.actual_sha256 = actual_sha256
        self.expected_size = expected_size
        self.actual_size = actual_size
        super().__init__(self._describe())

    def _describe(self) -> str:
        return (
            f"bytes for {self.key!r} hash to sha256 {self.actual_sha256}, "
            f"not the declared {self.expected_sha256}; nothing was stored"
        )


class ObjectSizeMismatch(ObjectHashMismatch):
    """The source holds more or fewer bytes than declared; nothing was stored."""

    def _describe(self) -> str:
        if self.actual_size > self.expected_size:
            held = f"more than the declared {self.expected_size} bytes"
        else:
            held = f"only {self.actual_size} of the declared {self.expected_size} bytes"
        return f"source for {self.key!r} holds {held}; nothing was stored"


class ObjectStoreUnavailable(ObjectStoreError):
    """The store cannot be reached or did not answer in time (the API answers 503)."""


# ----------------------------------------------------------------------- data types
@dataclass(frozen=True, slots=True)
class PutResult:
    key: str
    size: int
    sha256: str
    created: bool
    """True if this call stored the object; False if identical bytes were already there."""


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    key: str
    size: int
    sha256: str | None
    """The SHA-256 recorded at write time; None only for objects not written by Verval."""
    content_type: str
    retention_until: datetime | None
    """End of the object-lock retention (UTC), or None where the store has no retention."""


# ------------------------------------------------------------------------ interface
@runtime_checkable
class ObjectStore(Protocol):
    """What the API needs from an object store. See the module docstring for the rules."""

    async def put(
        self,
        key: str,
        source: BinaryIO | Path,
        *,
        size: int,
        sha256: str,
        content_type: str = "image/jpeg",
    ) -> PutResult:
        """Store ``size`` bytes read from ``source`` under ``key``, once.

        ``source`` is a path or a binary file positioned at the first byte (it is read
        to its end, which must come after exactly ``size`` bytes). Raises
        :class:`ObjectHashMismatch` (or :class:`ObjectSizeMismatch`) when the bytes do
        not match, :class:`ObjectConflict` when the key holds other bytes, and
        :class:`ObjectStoreUnavailable` when the store cannot be reached.
        """
        ...

    def open(self, key: str, *, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
        """Stream the object's bytes in chunks of at most ``chunk_size``.

        An async generator: :class:`ObjectNotFound` is raised on the first iteration.
        Close it (``aclose()``) if you stop early, to release the connection promptly.
        """
        ...

    async def stat(self, key: str) -> ObjectInfo:
        """The object's size, recorded SHA-256, content type and retention."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def presigned_get_url(self, key: str, expires: timedelta) -> str:
        """A URL that lets its holder GET the object until ``expires`` from now.

        Only hand it to a caller who is authorised to see the object.
        """
        ...

    async def ping(self) -> None:
        """Readiness: raise :class:`ObjectStoreUnavailable` unless the store can serve."""
        ...

    def list_keys(self, prefix: str = "") -> AsyncIterator[str]:
        """Every key starting with ``prefix`` (an async generator; order unspecified)."""
        ...

    async def aclose(self) -> None:
        """Release connections and threads; the store is not used afterwards."""
        ...


# -------------------------------------------------------------------------- helpers
def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe object key, else raise ``ValueError``."""
    if not isinstance(key, str):
        raise TypeError(f"object key must be a str, not {type(key).__name__}")
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"object key must be 1..{MAX_KEY_LENGTH} characters long")
    if not _KEY_RE.fullmatch(key):
        raise ValueError(
            f"unsafe object key {key!r}: use '/'-separated segments of [A-Za-z0-9._-] "
            "that do not start with '.', with no leading, trailing or doubled '/'"
        )
    return key


def validate_prefix(prefix: str) -> str:
    """Return ``prefix`` if it can begin a valid key (``""`` lists everything)."""
    if prefix == "":
        return prefix
    probe = prefix + "x" if prefix.endswith("/") else prefix
    validate_key(probe)
    return prefix


def validate_sha256(sha256: str) -> str:
    """Return the lower-case hex digest, or raise ``ValueError`` if it is not one."""
    if not isinstance(sha256, str):
        raise TypeError(f"sha256 must be a str, not {type(sha256).__name__}")
    digest = sha256.lower()
    if not _SHA256_RE.fullmatch(digest):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return digest


def validate_content_type(content_type: str) -> str:
    if len(content_type) > 255 or not _CONTENT_TYPE_RE.fullmatch(content_type):
        raise ValueError(f"not a valid content type: {content_type!r}")
    return content_type


def validate_size(size: int) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ValueError(f"size must be a non-negative int, not {size!r}")
    return size


def validate_expiry(expires: timedelta) -> timedelta:
    if not isinstance(expires, timedelta):
        raise TypeError("expires must be a datetime.timedelta")
    if not timedelta(seconds=1) <= expires <= MAX_PRESIGN_EXPIRY:
        raise ValueError(f"expires must be between 1 second and 7 days, not {expires}")
    return expires


def evidence_key(sha256: str) -> str:
    """The content-addressed key of an evidence object: ``evidence/sha256/ab/cd/<hex>``.

    The two fan-out levels keep directories (local store) and listings small.
    """
    digest = validate_sha256(sha256)
    return f"{EVIDENCE_PREFIX}{digest[0:2]}/{digest[2:4]}/{digest}"


async def hash_object(store: ObjectStore, key: str) -> tuple[str, int]:
    """Re-hash a stored object: its SHA-256 hex digest and byte count (for audits)."""
    digest = hashlib.sha256()
    size = 0
    stream = store.open(key)
    try:
        async for chunk in stream:
            digest.update(chunk)
            size += len(chunk)
    finally:
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()
    return digest.hexdigest(), size


@contextmanager
def open_source(source: BinaryIO | Path) -> Iterator[BinaryIO]:
    """Yield a readable binary file for ``source``; a path is opened and closed here."""
    if isinstance(source, Path):
        with source.open("rb") as file:
            yield file
    else:
        if not callable(getattr(source, "read", None)):
            raise TypeError("source must be a pathlib.Path or a binary file object")
        yield source


def read_exact(file: BinaryIO, size: int) -> bytes:
    """Read up to ``size`` bytes, looping over short reads; fewer only at end of file."""
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = file.read(remaining)
        if not chunk:
            break
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise TypeError("source.read() must return bytes")
        parts.append(bytes(chunk))
        remaining -= len(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)

"""The embedded object store: a directory on the API's own disk.

Layout under ``root``::

    objects/<key>/.data        the bytes (mode 0444)
    objects/<key>/.meta.json   {"key", "size", "sha256", "content_type", "created_at"} (0444)
    tmp/put-*/                 staging directories of writes in progress

An object is its directory. A write stages ``.data`` and ``.meta.json`` in a fresh
directory under ``tmp/`` (same file system), fsyncs both, and commits with one
``rename(2)`` of the staging directory onto ``objects/<key>``. POSIX ``rename`` refuses to
replace a non-empty directory (``ENOTEMPTY``/``EEXIST``), so the commit has ``O_EXCL``
semantics: of two concurrent writers of one key exactly one wins, the other finds the
winner's complete object and compares hashes. Readers never see half an object. Key
segments never start with ``.`` (see :func:`media.store.validate_key`), so the two file
names cannot collide with keys.

Browsers fetch objects through URLs signed with HMAC-SHA256 (:meth:`presigned_get_url`,
checked by :meth:`verify_signed_url`); the API route that serves them lives in ``api/``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Generator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

import anyio.to_thread

from media.store import (
    CHUNK_SIZE,
    MAX_PRESIGN_EXPIRY,
    ObjectConflict,
    ObjectHashMismatch,
    ObjectInfo,
    ObjectNotFound,
    ObjectSizeMismatch,
    ObjectStoreError,
    ObjectStoreUnavailable,
    PutResult,
    open_source,
    validate_content_type,
    validate_expiry,
    validate_key,
    validate_prefix,
    validate_sha256,
    validate_size,
)

__all__ = ["LocalDirectoryStore"]

DATA_NAME = ".data"
META_NAME = ".meta.json"
_COPY_CHUNK = 1024 * 1024
_LIST_BATCH = 1000
_STALE_STAGING_SECONDS = 24 * 3600
_URL_KEY_CONTEXT = b"verval/media/local-url/v1"


class LocalDirectoryStore:
    """Write-once object store in a local directory (the embedded default)."""

    def __init__(
        self,
        root: Path,
        signing_key: bytes,
        url_prefix: str = "/api/v1/media/local",
    ) -> None:
        if not signing_key:
            raise ValueError("signing_key must not be empty")
        self.root = Path(root)
        self.url_prefix = url_prefix.rstrip("/")
        # A key of its own for URL signatures, derived so that the caller may pass a
        # secret that also signs other things (tokens) without cross-protocol reuse.
        self._url_key = hmac.new(signing_key, _URL_KEY_CONTEXT, hashlib.sha256).digest()
        self._objects = self.root / "objects"
        self._tmp = self.root / "tmp"
        # Start-up work, before the event loop serves requests.
        self._objects.mkdir(parents=True, exist_ok=True)
        self._tmp.mkdir(parents=True, exist_ok=True)
        self._remove_stale_staging()

    def __repr__(self) -> str:
        return f"<LocalDirectoryStore {self.root}>"

    # ------------------------------------------------------------------------ paths
    def _dir(self, key: str) -> Path:
        return self._objects.joinpath(*validate_key(key).split("/"))

    # -------------------------------------------------------------------------- put
    async def put(
        self,
        key: str,
        source: BinaryIO | Path,
        *,
        size: int,
        sha256: str,
        content_type: str = "image/jpeg",
    ) -> PutResult:
        validate_key(key)
        digest = validate_sha256(sha256)
        validate_size(size)
        validate_content_type(content_type)
        return await anyio.to_thread.run_sync(
            self._put_sync, key, source, size, digest, content_type
        )

    def _put_sync(
        self, key: str, source: BinaryIO | Path, size: int, sha256: str, content_type: str
    ) -> PutResult:
        final = self._dir(key)
        existing = self._read_info(key, final)
        if existing is not None:
            return _same_or_conflict(existing, key, size, sha256)

        staging = Path(tempfile.mkdtemp(prefix="put-", dir=self._tmp))
        try:
            self._stage_data(staging / DATA_NAME, source, key, size, sha256)
            meta = {
                "key": key,
                "size": size,
                "sha256": sha256,
                "content_type": content_type,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            _write_durable(staging / META_NAME, json.dumps(meta, indent=1).encode())
            _fsync_dir(staging)
            _makedirs_durable(final.parent, stop=self._objects)
            try:
                os.rename(staging, final)
            except OSError as error:
                if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
                # Lost a race, or the key is a directory of other keys.
                existing = self._read_info(key, final)
                if existing is None:
                    raise ObjectStoreError(
                        f"cannot store {key!r}: other keys already live under it "
                        "(the local store cannot hold a key that is a prefix of others)"
                    ) from None
                return _same_or_conflict(existing, key, size, sha256)
            _fsync_dir(final.parent)
            return PutResult(key=key, size=size, sha256=sha256, created=True)
        except OSError as error:
            raise _io_error(error, f"writing {key!r}") from error
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    @staticmethod
    def _stage_data(path: Path, source: BinaryIO | Path, key: str, size: int, sha256: str) -> None:
        hasher = hashlib.sha256()
        copied = 0
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as out, open_source(source) as src:
            while True:
                # Read at most one byte past the declared size: enough to notice
                # a longer source without copying all of it.
                chunk = src.read(min(_COPY_CHUNK, size - copied + 1))
                if not chunk:
                    break
                hasher.update(chunk)
                out.write(chunk)
                copied += len(chunk)
                if copied > size:
                    break
            if copied != size:
                raise ObjectSizeMismatch(
                    key,
                    expected_sha256=sha256,
                    actual_sha256=hasher.hexdigest(),
                    expected_size=size,
                    actual_size=copied,
                )
            actual = hasher.hexdigest()
            if actual != sha256:
                raise ObjectHashMismatch(
                    key,
                    expected_sha256=sha256,
                    actual_sha256=actual,
                    expected_size=size,
                    actual_size=copied,
                )
            out.flush()
            os.fsync(out.fileno())
        os.chmod(path, 0o444)

    # ---------------------------------------------------------------------- reading
    def _read_info(self, key: str, directory: Path | None = None) -> ObjectInfo | None:
        directory = directory or self._dir(key)
        for _ in range(2):
            try:
                raw = (directory / META_NAME).read_bytes()
                break
            except (FileNotFoundError, NotADirectoryError):
                if not (directory / DATA_NAME).exists():
                    return None
                # The object appeared between the two looks (a concurrent writer's
                # rename, which brings both files at once): look again.
        else:
            raise ObjectStoreError(f"object {key!r} has no metadata file")
        try:
            meta: dict[str, Any] = json.loads(raw)
            return ObjectInfo(
                key=key,
                size=int(meta["size"]),
                sha256=str(meta["sha256"]),
                content_type=str(meta["content_type"]),
                retention_until=None,
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ObjectStoreError(f"metadata of {key!r} is unreadable: {error}") from error

    async def stat(self, key: str) -> ObjectInfo:
        validate_key(key)
        try:
            info = await anyio.to_thread.run_sync(self._read_info, key)
        except OSError as error:
            raise _io_error(error, f"reading {key!r}") from error
        if info is None:
            raise ObjectNotFound(key, str(self.root))
        return info

    async def exists(self, key: str) -> bool:
        path = self._dir(key) / DATA_NAME
        return await anyio.to_thread.run_sync(path.is_file)

    async def open(self, key: str, *, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        path = self._dir(key) / DATA_NAME
        try:
            file = await anyio.to_thread.run_sync(_open_for_reading, path)
        except (FileNotFoundError, NotADirectoryError):
            raise ObjectNotFound(key, str(self.root)) from None
        except OSError as error:
            raise _io_error(error, f"opening {key!r}") from error
        try:
            while True:
                chunk = await anyio.to_thread.run_sync(file.read, chunk_size)
                if not chunk:
                    return
                yield chunk
        finally:
            file.close()

    def list_keys(self, prefix: str = "") -> AsyncIterator[str]:
        validate_prefix(prefix)
        return self._list_keys(prefix)

    async def _list_keys(self, prefix: str) -> AsyncIterator[str]:
        walker = self._walk(prefix)
        try:
            while True:
                batch = await anyio.to_thread.run_sync(_take, walker, _LIST_BATCH)
                for key in batch:
                    yield key
                if len(batch) < _LIST_BATCH:
                    return
        finally:
            walker.close()

    def _walk(self, prefix: str) -> Generator[str, None, None]:
        # Start at the deepest directory the prefix fully names.
        head, _, _ = prefix.rpartition("/")
        start = self._objects.joinpath(*head.split("/")) if head else self._objects
        if not start.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames.sort()
            if DATA_NAME in filenames:
                key = Path(dirpath).relative_to(self._objects).as_posix()
                if key.startswith(prefix):
                    yield key

    # ------------------------------------------------------------------ signed URLs
    def _signature(self, key: str, expires_at: int) -> str:
        message = f"GET\n{key}\n{expires_at}".encode()
        return hmac.new(self._url_key, message, hashlib.sha256).hexdigest()

    async def presigned_get_url(self, key: str, expires: timedelta) -> str:
        return self.signed_url(key, expires)

    def signed_url(self, key: str, expires: timedelta, *, now: float | None = None) -> str:
        """``{url_prefix}/{key}?expires=<unix>&signature=<hmac-sha256 hex>``."""
        validate_key(key)
        validate_expiry(expires)
        issued = time.time() if now is None else now
        expires_at = math.ceil(issued + expires.total_seconds())
        signature = self._signature(key, expires_at)
        return (
            f"{self.url_prefix}/{quote(key, safe='/')}?expires={expires_at}&signature={signature}"
        )

    def verify_signed_url(
        self,
        key: str,
        expires: int | str,
        signature: str,
        now: float | datetime | None = None,
    ) -> bool:
        """True if ``signature`` was made by this store for ``key`` and has not expired."""
        try:
            validate_key(key)
            expires_at = int(expires)
        except (TypeError, ValueError):
            return False
        if isinstance(now, datetime):
            current = now.timestamp()
        else:
            current = time.time() if now is None else float(now)
        if current > expires_at:
            return False
        # We never sign for longer than MAX_PRESIGN_EXPIRY; anything later is forged.
        if expires_at - current > MAX_PRESIGN_EXPIRY.total_seconds() + 60:
            return False
        if not isinstance(signature, str) or not signature.isascii():
            return False
        expected = self._signature(key, expires_at)
        return hmac.compare_digest(expected.encode(), signature.lower().encode())

    # -------------------------------------------------------------------- lifecycle
    async def ping(self) -> None:
        try:
            await anyio.to_thread.run_sync(self._probe_write)
        except OSError as error:
            raise ObjectStoreUnavailable(
                f"local object store at {self.root} is not writable: {error}"
            ) from error

    def _probe_write(self) -> None:
        if not self._objects.is_dir():
            raise FileNotFoundError(errno.ENOENT, "objects directory missing", str(self._objects))
        with tempfile.NamedTemporaryFile(dir=self._tmp, prefix="ping-"):
            pass

    async def aclose(self) -> None:
        return None

    def close(self) -> None:
        return None

    def _remove_stale_staging(self) -> None:
        """Remove staging directories left by crashed writers (only old ones: another
        process sharing the directory may be writing right now)."""
        cutoff = time.time() - _STALE_STAGING_SECONDS
        for entry in self._tmp.iterdir():
            with contextlib.suppress(OSError):
                if entry.name.startswith("put-") and entry.stat().st_mtime < cutoff:
                    shutil.rmtree(entry, ignore_errors=True)


# ---------------------------------------------------------------------------- helpers
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _same_or_conflict(existing: ObjectInfo, key: str, size: int, sha256: str) -> PutResult:
    if existing.sha256 == sha256 and existing.size == size:
        return PutResult(key=key, size=size, sha256=sha256, created=False)
    raise ObjectConflict(key, existing_sha256=existing.sha256, new_sha256=sha256)


def _open_for_reading(path: Path) -> BinaryIO:
    return path.open("rb")


def _take(iterator: Iterator[str], count: int) -> list[str]:
    batch: list[str] = []
    for item in iterator:
        batch.append(item)
        if len(batch) >= count:
            break
    return batch


def _write_durable(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(path, 0o444)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _makedirs_durable(path: Path, *, stop: Path) -> None:
    """``mkdir -p`` that fsyncs each parent whose entries changed (up to ``stop``)."""
    missing: list[Path] = []
    current = path
    while current != stop and not current.is_dir():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir()
        except FileExistsError:
            if not directory.is_dir():
                raise
            continue
        _fsync_dir(directory.parent)


def _io_error(error: OSError, doing: str) -> ObjectStoreError:
    if isinstance(error, ObjectStoreError):  # pragma: no cover - defensive
        return error
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EACCES):
        return ObjectStoreUnavailable(f"local object store failed {doing}: {error}")
    return ObjectStoreError(f"local object store failed {doing}: {error}")

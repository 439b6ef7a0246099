"""Visit tests run on the two production-like stacks: SQLite + local store, and
PostgreSQL + a real SeaweedFS S3 server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from litestar import Litestar

from api import db
from api.app import create_app
from api.settings import Settings
from media.store import ObjectStore
from tests.conftest import serve_in_process
from tests.support.databases import TestDatabase
from tests.support.field import Field, build_field
from tests.support.s3_fixtures import new_bucket_name
from tests.support.seaweedfs import SeaweedServer
from tests.support.users import bearer, login


def stack_settings(
    make_settings: Callable[..., Settings],
    database: TestDatabase,
    seaweed: SeaweedServer | None,
    **extra: Any,
) -> Settings:
    if database.backend == "postgres":
        assert seaweed is not None
        return make_settings(
            s3_endpoint=seaweed.endpoint,
            s3_access_key=seaweed.access_key,
            s3_secret_key=seaweed.secret_key,
            s3_secure=False,
            s3_evidence_bucket=new_bucket_name("ev"),
            object_lock_retention_days=1,
            s3_timeout_seconds=3,
            **extra,
        )
    return make_settings(**extra)


@pytest.fixture
async def stack(
    make_settings: Callable[..., Settings], database: TestDatabase, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[Litestar, httpx.AsyncClient]]:
    seaweed = request.getfixturevalue("seaweed") if database.backend == "postgres" else None
    app = create_app(stack_settings(make_settings, database, seaweed))
    async with serve_in_process(app) as client:
        yield app, client
    db.bind_engine(database.engine)


@pytest.fixture
def app_client(stack: tuple[Litestar, httpx.AsyncClient]) -> httpx.AsyncClient:
    return stack[1]


@pytest.fixture
def store(stack: tuple[Litestar, httpx.AsyncClient]) -> ObjectStore:
    return stack[0].state.resources.store  # type: ignore[no-any-return]


@pytest.fixture
async def field(stack: tuple[Litestar, httpx.AsyncClient]) -> Field:
    return await build_field()


@pytest.fixture
async def phone(app_client: httpx.AsyncClient, field: Field) -> dict[str, str]:
    return bearer(await login(app_client, "siti"))


async def object_keys(store: ObjectStore, prefix: str = "evidence/") -> list[str]:
    return sorted([key async for key in store.list_keys(prefix)])


@pytest.fixture
async def queued(
    make_settings: Callable[..., Settings], database: TestDatabase, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[Litestar, httpx.AsyncClient, Settings]]:
    """The PostgreSQL stack with photo analysis on the job queue (no worker runs)."""
    seaweed = request.getfixturevalue("seaweed")
    settings = stack_settings(make_settings, database, seaweed, analysis_runner="queue")
    await database.engine.run_ddl("TRUNCATE procrastinate_jobs CASCADE")
    app = create_app(settings)
    async with serve_in_process(app) as client:
        yield app, client, settings
    db.bind_engine(database.engine)

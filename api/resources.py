"""The process's connections, opened by the lifespan and reachable from handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from litestar import Litestar
from litestar.datastructures import State
from piccolo.engine.base import Engine

from api import db
from api.settings import Settings
from media.local import LocalDirectoryStore
from media.store import ObjectStore, ObjectStoreError

log = logging.getLogger("verval.lifespan")


@dataclass
class Resources:
    settings: Settings
    engine: Engine
    store: ObjectStore


def build_object_store(settings: Settings) -> ObjectStore:
    if settings.uses_s3:
        from media.s3 import S3Store

        assert settings.s3_endpoint and settings.s3_access_key and settings.s3_secret_key
        return S3Store(
            settings.s3_endpoint,
            settings.s3_access_key,
            settings.s3_secret_key.get_secret_value(),
            secure=settings.s3_secure,
            region=settings.s3_region,
            bucket=settings.s3_evidence_bucket,
            object_lock_retention_days=settings.object_lock_retention_days,
            connect_timeout=min(settings.s3_timeout_seconds, 5.0),
            read_timeout=settings.s3_timeout_seconds,
        )
    return LocalDirectoryStore(settings.effective_media_dir, signing_key=settings.signing_key)


@asynccontextmanager
async def open_resources(settings: Settings) -> AsyncIterator[Resources]:
    """Open the database pool and the object store; close them on the way out."""
    settings.spool_dir.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(settings.effective_database_url, pool_max=settings.database_pool_max)
    db.bind_engine(engine)
    await db.open_engine(engine, tolerate_failure=True)
    store = build_object_store(settings)
    try:
        ensure_bucket = getattr(store, "ensure_bucket", None)
        if ensure_bucket is not None:
            try:
                await ensure_bucket()
            except ObjectStoreError as error:  # the API still starts; /readyz reports the store
                log.error("object store not ready at start-up: %s", error)
        yield Resources(settings=settings, engine=engine, store=store)
    finally:
        await db.close_engine(engine)
        await store.aclose()


def lifespan_for(settings: Settings):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        from api.jobs.runner import start_inline_sweep
        from api.serving import tune_gc

        async with open_resources(settings) as resources:
            app.state.resources = resources
            # Inline analysis: photos a crash left stored but unanalysed are done now.
            sweep = start_inline_sweep(resources)
            tune_gc()  # a server process only (``verval serve``)
            try:
                yield
            finally:
                if sweep is not None:
                    sweep.cancel()

    return lifespan


def resources_from_state(state: State) -> Resources:
    return state.resources  # type: ignore[no-any-return]

"""What request handlers are given: the database, the object store, settings, thresholds.

Handlers name these as parameters (``db_engine``, ``object_store``, ``app_settings``,
``thresholds``, ``known_districts``) and Litestar's ``Provide`` fills them in from the
lifespan's resources, so services take them as arguments instead of reaching for
process globals; the CLI, jobs and tests build the same values themselves.

``RequestConnectionMiddleware`` gives each HTTP request one database connection,
taken on its first query (see ``api.db.request_connection``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from litestar.config.app import AppConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.types import ASGIApp, Receive, Scope, Send
from piccolo.engine.base import Engine

from api import db
from api.registry.tables import Region
from api.resources import Resources, resources_from_state
from api.settings import Settings
from api.visits.quality import QualityThresholds, thresholds_from_settings
from media.store import ObjectStore

# The region tree changes only on an import; a worker notices one within this time.
DISTRICTS_TTL_SECONDS = 60.0


@dataclass
class KnownDistricts:
    """District codes of the loaded region tree, for NIK region prefixes (cached)."""

    ttl_seconds: float = DISTRICTS_TTL_SECONDS
    _codes: frozenset[str] = field(default_factory=frozenset)
    _loaded_at: float | None = None

    @property
    def codes(self) -> frozenset[str]:
        return self._codes

    @property
    def loaded(self) -> bool:
        return self._loaded_at is not None

    async def checker(self) -> Any:
        """A ``code -> bool`` function, or None while no region tree is loaded."""
        now = time.monotonic()
        if self._loaded_at is None or now - self._loaded_at > self.ttl_seconds:
            rows = await Region.select(Region.code).where(Region.level == "district")
            self._codes = frozenset(row["code"] for row in rows)
            # An empty tree is not cached: the import that fills it must be seen at once.
            self._loaded_at = now if self._codes else None
        codes = self._codes
        return (lambda code: code in codes) if codes else None


def _resources(state: State) -> Resources:
    return resources_from_state(state)


def provide_settings(state: State) -> Settings:
    return _resources(state).settings


def provide_engine(state: State) -> Engine:
    return _resources(state).engine


def provide_store(state: State) -> ObjectStore:
    return _resources(state).store


def provide_thresholds(state: State) -> QualityThresholds:
    cached = state.get("quality_thresholds")
    if cached is None:
        cached = thresholds_from_settings(_resources(state).settings)
        state["quality_thresholds"] = cached
    return cached  # type: ignore[no-any-return]


def provide_known_districts(state: State) -> KnownDistricts:
    cached = state.get("known_districts")
    if cached is None:
        cached = KnownDistricts()
        state["known_districts"] = cached
    return cached  # type: ignore[no-any-return]


DEPENDENCIES: dict[str, Provide] = {
    "app_settings": Provide(provide_settings, sync_to_thread=False),
    "db_engine": Provide(provide_engine, sync_to_thread=False),
    "object_store": Provide(provide_store, sync_to_thread=False),
    "thresholds": Provide(provide_thresholds, sync_to_thread=False),
    "known_districts": Provide(provide_known_districts, sync_to_thread=False),
}


class RequestConnectionMiddleware:
    """One database connection per HTTP request, authentication included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        async with db.request_connection():
            await self.app(scope, receive, send)


def outermost_request_connection(app_config: AppConfig) -> AppConfig:
    """An ``on_app_init`` hook run after the auth's: the connection wraps authentication."""
    app_config.middleware.insert(0, RequestConnectionMiddleware)
    return app_config

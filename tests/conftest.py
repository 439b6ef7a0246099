"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

``database`` is parametrised over both backends; each backend's database is made
and migrated once per run, bound for the test, and emptied after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from litestar import Litestar

from api import db
from api.app import create_app
from api.settings import Settings
from tests.support.databases import (
    TestDatabase,
    close_test_database,
    empty_all_tables,
    open_test_database,
)
from tests.support.s3_fixtures import s3_store, seaweed  # noqa: F401

BACKENDS = ["sqlite", "postgres"]
TEST_SECRET = "test-secret-" + "x" * 40


@pytest.fixture(scope="session")
async def _databases(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[dict[str, TestDatabase]]:
    opened: dict[str, TestDatabase] = {}
    yield opened
    for database in opened.values():
        await close_test_database(database)


@pytest.fixture(params=BACKENDS)
async def database(
    request: pytest.FixtureRequest,
    _databases: dict[str, TestDatabase],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[TestDatabase]:
    backend: str = request.param
    if backend not in _databases:
        _databases[backend] = await open_test_database(backend, tmp_path_factory.mktemp(backend))
    current = _databases[backend]
    db.bind_engine(current.engine)
    try:
        yield current
    finally:
        db.bind_engine(current.engine)
        await empty_all_tables(current)


@pytest.fixture
def make_settings(database: TestDatabase, tmp_path: Path) -> Callable[..., Settings]:
    def factory(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "database_url": database.url,
            "var_dir": tmp_path / "var",
            "secret_key": TEST_SECRET,
            "log_format": "text",
            "pwa_dist": tmp_path / "no-pwa",
            # Photos analysed in the request, so answers are deterministic on both databases;
            # the job queue has its own tests (tests/visits/test_analysis_queue.py).
            "analysis_runner": "inline",
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return factory


@pytest.fixture
def app(make_settings: Callable[..., Settings]) -> Litestar:
    return create_app(make_settings())


@asynccontextmanager
async def serve_in_process(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan, in the test's own event loop.

    Litestar's TestClient runs the app on a portal thread with a second event loop;
    an asyncpg pool must stay on one loop, so tests drive the ASGI app directly.
    """
    started, stop = asyncio.Event(), asyncio.Event()

    async def run_lifespan() -> None:
        # Entered and exited in this one task, as anyio's cancel scopes require.
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(run_lifespan())
    await asyncio.wait(
        {task, asyncio.create_task(started.wait())}, return_when=asyncio.FIRST_COMPLETED
    )
    if task.done():
        task.result()  # start-up failed: raise its error
    try:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver.local"
        ) as client:
            yield client
    finally:
        stop.set()
        await task


@pytest.fixture
async def client(app: Litestar, database: TestDatabase) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_in_process(app) as test_client:
        yield test_client
    db.bind_engine(database.engine)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test is a defect here: a missing server must fail, not vanish."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        names = ", ".join(getattr(r, "nodeid", "?") for r in skipped[:10])
        print(f"\nFAILED: {len(skipped)} test(s) skipped ({names}); no test may skip.")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

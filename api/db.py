"""The database engine: built from settings, bound to every Piccolo table, migrated.

Piccolo looks up its engine through ``PICCOLO_CONF`` (``api.piccolo_conf``), which
asks this module, so the app, the CLI, migrations and tests share one engine and
nothing connects at import time.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

os.environ.setdefault("PICCOLO_CONF", "api.piccolo_conf")

log = logging.getLogger("verval.db")
_current_engine: Engine | None = None
_pool_sizes: dict[int, int] = {}


class DatabaseUnavailable(Exception):
    """The database did not answer; the API maps this to 503."""


def make_engine(database_url: str, *, pool_max: int = 10) -> Engine:
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # A generous busy timeout lets concurrent writers queue instead of failing.
        return SQLiteEngine(path=str(path), timeout=30)
    parsed = urlparse(database_url)
    config = {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": unquote(parsed.username or "postgres"),
        "password": unquote(parsed.password) if parsed.password else None,
        "database": parsed.path.lstrip("/") or "verval",
        "timeout": 10,
        "command_timeout": 60,
    }
    engine = PostgresEngine(config={k: v for k, v in config.items() if v is not None})
    _pool_sizes[id(engine)] = pool_max
    return engine


def all_tables() -> list[type[Table]]:
    """Every table of the registered apps (not Piccolo's own migration table)."""
    from piccolo.conf.apps import Finder

    return Finder().get_table_classes()


def _piccolo_tables() -> list[type[Table]]:
    from piccolo.apps.migrations.tables import Migration

    return [Migration]


def bind_engine(engine: Engine, tables: Iterable[type[Table]] | None = None) -> None:
    """Make ``engine`` the one every table and Piccolo command uses."""
    global _current_engine
    _current_engine = engine
    for table in [*(tables if tables is not None else all_tables()), *_piccolo_tables()]:
        table._meta.db = engine


def current_engine() -> Engine:
    if _current_engine is None:
        raise RuntimeError("no database engine bound; call api.db.bind_engine() first")
    return _current_engine


async def open_engine(engine: Engine, *, tolerate_failure: bool = False) -> None:
    """Start the pool (PostgreSQL) or switch on WAL (SQLite).

    With ``tolerate_failure`` a database that is down at start-up is logged, not
    fatal: the API comes up, /readyz says 503, and the pool is retried on use.
    """
    try:
        if isinstance(engine, PostgresEngine):
            await engine.start_connection_pool(min_size=1, max_size=_pool_sizes.get(id(engine), 10))
        elif isinstance(engine, SQLiteEngine):
            # WAL lets readers proceed while one writer writes.
            await engine.run_ddl("PRAGMA journal_mode=WAL;")
    except Exception as error:
        if not tolerate_failure or not _is_connection_failure(error):
            raise
        log.error("database not reachable at start-up: %s", type(error).__name__)


def _is_connection_failure(error: BaseException) -> bool:
    return isinstance(error, OSError | sqlite3.Error | TimeoutError) or type(
        error
    ).__module__.startswith("asyncpg")


async def close_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


async def ping(engine: Engine) -> None:
    try:
        if isinstance(engine, PostgresEngine) and engine.pool is None:
            await open_engine(engine)
        await engine.run_ddl("SELECT 1")
    except (OSError, sqlite3.Error, TimeoutError) as error:
        raise DatabaseUnavailable(str(error)) from error
    except Exception as error:  # asyncpg raises a family of its own
        if type(error).__module__.startswith("asyncpg"):
            raise DatabaseUnavailable(type(error).__name__) from error
        raise


def write_transaction(engine: Engine | None = None) -> Any:
    """One transaction per write request.

    SQLite takes the write lock up front (IMMEDIATE) so two writers queue on the
    busy timeout instead of deadlocking when a read lock is upgraded.
    """
    engine = engine or current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def is_postgres(engine: Engine | None = None) -> bool:
    return isinstance(engine or current_engine(), PostgresEngine)


async def migrate() -> list[str]:
    """Run every pending migration of every app; returns what ran, as messages."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards(app_name="all", migration_id="all", fake=False)
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")
    return [result.message or "migrations up to date"]

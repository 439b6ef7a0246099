"""Throwaway databases for the tests: a SQLite file and a fresh PostgreSQL database.

PostgreSQL must run at 127.0.0.1:5432 (trust auth, user postgres). The database is
created for the run under a unique name and dropped afterwards; a developer's own
databases are never touched.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from piccolo.engine.base import Engine
from piccolo.table import sort_table_classes

from api import db
from api.audit.piccolo_migrations import (
    audit_2026_11_23t02_20_00_000000 as append_only_migration,
)
from api.forms import service as forms_service
from auth import session_cache

POSTGRES_ADMIN_DSN = os.environ.get(
    "VERVAL_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
HOW_TO_START_POSTGRES = (
    "PostgreSQL is needed at 127.0.0.1:5432 (trust auth, user postgres). Start it with "
    "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or point "
    "VERVAL_TEST_POSTGRES_DSN at a server where the tests may create databases."
)


@dataclass
class TestDatabase:
    backend: str  # "sqlite" | "postgres"
    url: str
    engine: Engine

    __test__ = False  # not a test class


async def create_postgres_database() -> str:
    name = f"verval_test_{uuid.uuid4().hex[:12]}"
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        raise RuntimeError(f"{HOW_TO_START_POSTGRES} ({error})") from error
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base}/{name}"


async def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def open_test_database(backend: str, tmp_dir: Path) -> TestDatabase:
    if backend == "postgres":
        url = await create_postgres_database()
    else:
        url = f"sqlite:///{tmp_dir / 'verval-test.sqlite3'}"
    engine = db.make_engine(url, pool_max=20)
    db.bind_engine(engine)
    await db.open_engine(engine)
    await db.migrate()
    return TestDatabase(backend=backend, url=url, engine=engine)


async def close_test_database(database: TestDatabase) -> None:
    await db.close_engine(database.engine)
    if database.backend == "postgres":
        await drop_postgres_database(database.url)


async def empty_all_tables(database: TestDatabase) -> None:
    # Caches of what the emptied tables held (immutable in production, not across tests).
    forms_service.forget_cached_forms()
    session_cache.sessions.clear()
    names = [table._meta.tablename for table in db.all_tables()]
    if database.backend == "postgres":
        await database.engine.run_ddl(
            "TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"
        )
    else:
        # The audit log refuses DELETE by trigger; lift it for the clean-up, then restore it.
        await database.engine.run_ddl("DROP TRIGGER IF EXISTS audit_event_no_delete")
        # Children before parents: SQLite enforces foreign keys on every connection.
        for table in reversed(sort_table_classes(db.all_tables())):
            await database.engine.run_ddl(f'DELETE FROM "{table._meta.tablename}"')
        for statement in append_only_migration.SQLITE:
            await database.engine.run_ddl(statement)
        sequences = await database.engine.run_ddl(
            "SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'"
        )
        if sequences:
            await database.engine.run_ddl("DELETE FROM sqlite_sequence")

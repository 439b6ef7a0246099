"""One connection per request: queries and the write transaction share it, nothing leaks."""

from __future__ import annotations

import pytest

from api import db
from api.audit.tables import AuditEvent
from tests.support.databases import TestDatabase


async def test_a_scope_runs_queries_and_its_transaction_on_one_connection(
    database: TestDatabase,
) -> None:
    with db.count_statements() as counted:
        async with db.request_connection():
            await AuditEvent.count()
            async with db.write_transaction():
                await AuditEvent.count()
            await AuditEvent.count()
    # 3 queries, BEGIN, COMMIT, and returning the one connection (or opening it, on SQLite).
    assert counted.count == 6, str(counted)
    reset_or_open = db.POOL_RESET if database.backend == "postgres" else db.NEW_SQLITE_CONNECTION
    assert counted.statements.count(reset_or_open) == 1, str(counted)


async def test_without_a_scope_every_query_takes_a_connection(database: TestDatabase) -> None:
    with db.count_statements() as counted:
        await AuditEvent.count()
        await AuditEvent.count()
    assert counted.count == 4, str(counted)


async def test_giving_back_the_connection_mid_request_takes_a_new_one_later(
    database: TestDatabase,
) -> None:
    with db.count_statements() as counted:
        async with db.request_connection():
            await AuditEvent.count()
            await db.give_back_connection()
            await db.give_back_connection()  # twice is harmless
            await AuditEvent.count()
    assert counted.count == 4, str(counted)


async def test_a_failed_transaction_rolls_back_and_the_connection_stays_usable(
    database: TestDatabase,
) -> None:
    async with db.request_connection():
        with pytest.raises(RuntimeError):
            async with db.write_transaction():
                await database.engine.run_ddl("SELECT 1")
                raise RuntimeError("boom")
        assert await AuditEvent.count() == 0
        with pytest.raises(RuntimeError):
            async with db.write_transaction():
                await db.give_back_connection()  # not inside a transaction

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
    # 3 queries, BEGIN, COMMIT; on SQLite also opening the one connection. Returning a
    # pooled connection outside a transaction costs no round trip (no reset query).
    postgres = database.backend == "postgres"
    assert counted.count == (5 if postgres else 6), str(counted)
    assert db.POOL_RESET not in counted.statements, str(counted)
    assert counted.statements.count(db.NEW_SQLITE_CONNECTION) == (0 if postgres else 1)


async def test_without_a_scope_every_query_takes_a_connection(database: TestDatabase) -> None:
    with db.count_statements() as counted:
        await AuditEvent.count()
        await AuditEvent.count()
    # PostgreSQL: a pool borrow each, no round trip of its own; SQLite: a connection each.
    assert counted.count == (2 if database.backend == "postgres" else 4), str(counted)


async def test_giving_back_the_connection_mid_request_takes_a_new_one_later(
    database: TestDatabase,
) -> None:
    with db.count_statements() as counted:
        async with db.request_connection():
            await AuditEvent.count()
            await db.give_back_connection()
            await db.give_back_connection()  # twice is harmless
            await AuditEvent.count()
    assert counted.count == (2 if database.backend == "postgres" else 4), str(counted)


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


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_a_connection_given_back_inside_a_transaction_is_rolled_back(
    database: TestDatabase,
) -> None:
    """The pool keeps sessions (no reset query), but never an open transaction: asyncpg
    rolls it back on release, so the next borrower of the same connection sees neither
    the uncommitted row nor the transaction's ``SET LOCAL``."""
    engine = db.make_engine(database.url, pool_max=1)  # one connection: the same one again
    await db.open_engine(engine)
    try:
        with db.count_statements() as counted:
            async with db.request_connection(engine):
                connection = await db.request_scoped_connection(engine)
                assert connection is not None
                pid = connection.get_server_pid()
                await connection.execute("BEGIN")
                await connection.execute("SET LOCAL statement_timeout = '4321ms'")
                await connection.execute(
                    "INSERT INTO region (code, name, level) VALUES ('99', 'Uncommitted', 'x')"
                )
                assert connection.is_in_transaction()
        # The ROLLBACK asyncpg sent on release is counted as the pool's reset.
        assert counted.statements == [db.POOL_RESET], str(counted)

        with db.count_statements() as counted:
            async with db.request_connection(engine):
                connection = await db.request_scoped_connection(engine)
                assert connection is not None
                assert connection.get_server_pid() == pid
                assert not connection.is_in_transaction()  # the server's own status
                assert await connection.fetchval("SELECT count(*) FROM region") == 0
                assert await connection.fetchval("SHOW statement_timeout") != "4321ms"
        assert db.POOL_RESET not in counted.statements, str(counted)
    finally:
        await db.close_engine(engine)


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_a_url_with_a_socket_directory_connects_over_the_unix_socket(
    database: TestDatabase,
) -> None:
    """libpq's URL form for a server on the same machine,
    ``postgresql://user@/dbname?host=/run/postgresql``, must reach that socket: before, the
    ``host`` parameter was dropped and the engine went to 127.0.0.1 over TCP."""
    rows = await database.engine.run_ddl("SHOW unix_socket_directories")
    directory = rows[0]["unix_socket_directories"].split(",")[0].strip()
    name = database.url.rsplit("/", 1)[1]
    engine = db.make_engine(f"postgresql://postgres@/{name}?host={directory}", pool_max=1)
    await db.open_engine(engine)
    try:
        rows = await engine.run_ddl("SELECT inet_server_addr() AS address, current_database()")
    finally:
        await db.close_engine(engine)
    # No server address: the connection is not TCP.
    assert rows[0]["address"] is None
    assert rows[0]["current_database"] == name

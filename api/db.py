"""The database engine: built from settings, bound to every Piccolo table, migrated.

Piccolo looks up its engine through ``PICCOLO_CONF`` (``api.piccolo_conf``), which
asks this module, so the app, the CLI, migrations and tests share one engine and
nothing connects at import time.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.querystring import QueryString
from piccolo.table import Table

os.environ.setdefault("PICCOLO_CONF", "api.piccolo_conf")

log = logging.getLogger("verval.db")
_current_engine: Engine | None = None
_pool_sizes: dict[int, int] = {}


class DatabaseUnavailable(Exception):
    """The database did not answer; the API maps this to 503."""


# ---------------------------------------------------------------------------
# One connection per request.
#
# Piccolo runs every query outside a transaction on a connection of its own: a
# pool borrow and return (PostgreSQL), or a new aiosqlite
# connection and thread (SQLite). A request scope (``request_connection()``, entered
# by the ASGI middleware around every request) instead takes one connection on the
# first query and keeps it until the response is sent; ``write_transaction()`` runs
# on that same connection. ``count_statements()`` counts what reaches the server.


@dataclass
class StatementCount:
    """The statements sent to the database while counting (SQL text, no values)."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        return "\n".join(f"{i + 1:>3}. {s}" for i, s in enumerate(self.statements))


_counting: contextvars.ContextVar[StatementCount | None] = contextvars.ContextVar(
    "verval_statement_count", default=None
)
# Round trips that are not a query of ours, written as these markers. A pooled
# connection costs no round trip when it goes back (``_keep_session``) unless it is
# still inside a transaction, which asyncpg then rolls back: that ROLLBACK is counted
# as ``POOL_RESET``.
POOL_RESET = "(pool connection rolled back on release)"
NEW_SQLITE_CONNECTION = "(new SQLite connection: PRAGMA foreign_keys)"


def note_statement(sql: str) -> None:
    """Count one round trip (called by the engines and by raw-SQL helpers)."""
    counter = _counting.get()
    if counter is not None:
        counter.statements.append(" ".join(sql.split())[:160])


@contextmanager
def count_statements() -> Iterator[StatementCount]:
    """Count the SQL round trips made inside the block, on either engine.

    A round trip: one statement (query, BEGIN, COMMIT, ROLLBACK), the ROLLBACK of a
    pool connection given back inside a transaction (PostgreSQL), or the set-up
    statement of a fresh connection (SQLite).
    """
    counter = StatementCount()
    token = _counting.set(counter)
    try:
        yield counter
    finally:
        _counting.reset(token)


class _RequestConnection:
    """A connection taken on first use and kept for the rest of the request."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Any = None

    @property
    def held(self) -> bool:
        return self._connection is not None

    async def get(self) -> Any:
        if self._connection is None:
            engine = self.engine
            if isinstance(engine, PostgresEngine):
                if engine.pool is None:
                    await open_engine(engine)
                assert engine.pool is not None
                self._connection = await engine.pool.acquire()
            else:
                assert isinstance(engine, SQLiteEngine)
                self._connection = await _open_sqlite_connection(engine)
        return self._connection

    async def give_back(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        transaction = self.engine.current_transaction.get()
        if transaction is not None and getattr(transaction, "connection", None) is connection:
            self._connection = connection
            raise RuntimeError("a transaction is still open on the request's connection")
        if isinstance(self.engine, PostgresEngine):
            await _release(self.engine, connection)
        else:
            await connection.close()


_request_connection: contextvars.ContextVar[_RequestConnection | None] = contextvars.ContextVar(
    "verval_request_connection", default=None
)


def _scope_for(engine: Engine) -> _RequestConnection | None:
    scope = _request_connection.get()
    return scope if scope is not None and scope.engine is engine else None


@asynccontextmanager
async def request_connection(engine: Engine | None = None) -> AsyncIterator[None]:
    """Run the block on one connection, taken on its first query (nesting is a no-op)."""
    engine = engine or current_engine()
    if _scope_for(engine) is not None:
        yield
        return
    scope = _RequestConnection(engine)
    token = _request_connection.set(scope)
    try:
        yield
    finally:
        _request_connection.reset(token)
        await scope.give_back()


async def request_scoped_connection(engine: Engine | None = None) -> Any | None:
    """The request's connection (taken now if not yet), or None outside a request scope."""
    scope = _scope_for(engine or current_engine())
    return await scope.get() if scope is not None else None


async def give_back_connection() -> None:
    """Return the request's connection now (before a long body stream, say).

    The next query of the request takes one again. Must not be called inside a
    transaction.
    """
    scope = _request_connection.get()
    if scope is not None:
        await scope.give_back()


async def _open_sqlite_connection(engine: SQLiteEngine) -> aiosqlite.Connection:
    note_statement(NEW_SQLITE_CONNECTION)
    connection = await aiosqlite.connect(**engine.connection_kwargs)
    connection.row_factory = _sqlite_dict_row  # type: ignore[assignment]
    await connection.execute("PRAGMA foreign_keys = 1")
    # The audit append finishes its hash in SQL (PostgreSQL has sha256() built in).
    await connection.create_function("verval_sha256", 1, _sha256_hex, deterministic=True)
    return connection


def _sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _sqlite_dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    return {column[0]: row[index] for index, column in enumerate(cursor.description)}


class _VervalPostgresTransaction(PostgresTransaction):
    """A transaction on the request's connection when there is one (not released)."""

    _borrowed = False

    async def get_connection(self) -> Any:
        scope = _scope_for(self.engine)
        if scope is not None:
            self._borrowed = True
            return await scope.get()
        return await super().get_connection()

    async def begin(self) -> None:
        note_statement("BEGIN")
        await super().begin()

    async def commit(self) -> None:
        note_statement("COMMIT")
        await super().commit()

    async def rollback(self) -> None:
        note_statement("ROLLBACK")
        await super().rollback()

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            if not self._borrowed:
                await _release(self.engine, self.connection)
            self.engine.current_transaction.reset(self.context)
        return exception is None


async def _release(engine: PostgresEngine, connection: Any) -> None:
    """Give a connection back to the pool (or close it when there is no pool)."""
    if not connection.is_closed() and connection.is_in_transaction():
        note_statement(POOL_RESET)  # asyncpg sends ROLLBACK before ``_keep_session``
    if engine.pool is not None:
        await engine.pool.release(connection)
    else:
        await connection.close()


async def _keep_session(connection: Any) -> None:
    """The pool's reset: nothing beyond the ROLLBACK asyncpg itself sends first.

    asyncpg's default reset (``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL``) is one more round trip on every release, i.e. per request. Verval's
    connections keep no session state for it to undo: settings are made with ``SET
    LOCAL`` (ended by the transaction's end), advisory locks are transaction-scoped
    (``pg_advisory_xact_lock``), cursors live inside transactions, and nothing LISTENs
    on these connections (procrastinate's worker listens on its own psycopg
    connections). A transaction still open on release is rolled back by asyncpg's
    ``Connection._reset`` before this is called (``PoolConnectionHolder.release``), and
    it also drops any listener callbacks. Code that sets session state (a plain ``SET``,
    ``pg_advisory_lock``, ``LISTEN``, a ``WITH HOLD`` cursor) must undo it itself before
    the connection goes back, or it leaks to the next borrower.
    """


class VervalPostgresEngine(PostgresEngine):
    """Piccolo's engine, running on the request's connection and counting round trips."""

    async def _statement_connection(self) -> Any:
        transaction = self.current_transaction.get()
        if transaction is not None:
            return transaction.connection
        scope = _scope_for(self)
        return await scope.get() if scope is not None else None

    async def run_querystring(self, querystring: QueryString, in_pool: bool = True) -> Any:
        query, args = querystring.compile_string(engine_type=self.engine_type)
        return await self._run(query, list(args), in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:
        return await self._run(ddl, [], in_pool)

    async def _run(self, query: str, args: list[Any], in_pool: bool) -> Any:
        connection = await self._statement_connection()
        note_statement(query)
        if connection is not None:
            return await connection.fetch(query, *args)
        if in_pool and self.pool:
            return await self._run_in_pool(query, args)
        return await self._run_in_new_connection(query, args)

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return _VervalPostgresTransaction(engine=self, allow_nested=allow_nested)


class _VervalSQLiteTransaction(SQLiteTransaction):
    _borrowed = False

    async def get_connection(self) -> Any:
        scope = _scope_for(self.engine)
        if scope is not None:
            self._borrowed = True
            return await scope.get()
        assert isinstance(self.engine, SQLiteEngine)
        return await _open_sqlite_connection(self.engine)

    async def begin(self) -> None:
        note_statement(f"BEGIN {self.transaction_type.value}")
        await super().begin()

    async def commit(self) -> None:
        note_statement("COMMIT")
        await super().commit()

    async def rollback(self) -> None:
        note_statement("ROLLBACK")
        await super().rollback()

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            if not self._borrowed:
                await self.connection.close()
            self.engine.current_transaction.reset(self.context)
        return exception is None


class VervalSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine on the request's connection (one thread, not one per query)."""

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> Any:
        query, args = querystring.compile_string(engine_type=self.engine_type)
        return await self._run(query, list(args), querystring.query_type, querystring.table)

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> Any:
        return await self._run(ddl, [], "generic", None)

    async def _run(
        self, query: str, args: list[Any], query_type: str, table: type[Table] | None
    ) -> Any:
        transaction = self.current_transaction.get()
        connection = transaction.connection if transaction is not None else None
        if connection is None:
            scope = _scope_for(self)
            connection = await scope.get() if scope is not None else None
        if connection is None:
            note_statement(NEW_SQLITE_CONNECTION)
            note_statement(query)
            return await self._run_in_new_connection(query, args, query_type, table)
        note_statement(query)
        # The connection was opened with foreign keys on; no PRAGMA per statement.
        async with connection.execute(query, args) as cursor:
            return await cursor.fetchall()

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return _VervalSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )


def make_engine(database_url: str, *, pool_max: int = 10) -> Engine:
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # A generous busy timeout lets concurrent writers queue instead of failing.
        return VervalSQLiteEngine(path=str(path), timeout=30)
    parsed = urlparse(database_url)
    # libpq's URL form for a server on this machine's Unix socket:
    # postgresql://user@/dbname?host=/var/run/postgresql (the directory of the socket).
    query = parse_qs(parsed.query)
    config = {
        "host": query.get("host", [parsed.hostname or "127.0.0.1"])[0],
        "port": int(query.get("port", [parsed.port or 5432])[0]),
        "user": unquote(parsed.username or "postgres"),
        "password": unquote(parsed.password) if parsed.password else None,
        "database": parsed.path.lstrip("/") or "verval",
        "timeout": 10,
        "command_timeout": 60,
    }
    engine = VervalPostgresEngine(config={k: v for k, v in config.items() if v is not None})
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
            await engine.start_connection_pool(
                min_size=1, max_size=_pool_sizes.get(id(engine), 10), reset=_keep_session
            )
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


async def fetch_together(queries: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Several Piccolo SELECTs as one round trip on PostgreSQL (each as a JSON array).

    The rows come back through JSON: timestamps, dates and UUIDs as strings, which
    callers parse (``as_datetime``, ``uuid.UUID``). Join columns need an alias.
    """
    engine = current_engine()
    if not queries:
        return {}
    names = list(queries)
    # Only indexes and column names (of our own queries) vary in the SQL text; every
    # value is bound by the inner queries.
    if isinstance(engine, PostgresEngine):
        parts = ["(SELECT coalesce(json_agg(t), '[]'::json) FROM ({}) AS t)"] * len(names)
    else:
        parts = [
            "(SELECT coalesce(json_group_array(json_object("  # noqa: S608
            + ", ".join(f"'{column}', t.\"{column}\"" for column in _output_names(queries[name]))
            + ")), '[]') FROM ({}) AS t)"
            for name in names
        ]
    template = "SELECT " + ", ".join(f"{part} AS q{i}" for i, part in enumerate(parts))
    combined = QueryString(template, *(queries[name].querystrings[0] for name in names))
    row = (await engine.run_querystring(combined))[0]
    return {name: json.loads(row[f"q{index}"]) for index, name in enumerate(names)}


async def run_sql(sql: str, *args: Any) -> list[Any]:
    """PostgreSQL text with ``$n`` parameters, run as is on the request's (or the
    transaction's) connection: for hot paths whose SQL is built once, so no Piccolo query
    object is built, bundled and compiled per request. Rows are asyncpg records."""
    engine = current_engine()
    assert isinstance(engine, VervalPostgresEngine), "run_sql is PostgreSQL only"
    rows: list[Any] = await engine._run(sql, list(args), True)
    return rows


@functools.lru_cache(maxsize=256)
def numbered(template: str) -> str:
    """Piccolo's ``{}`` placeholders as PostgreSQL's ``$1``, ``$2``, … in order (cached:
    for constant templates of hot paths)."""
    pieces = template.split("{}")
    return pieces[0] + "".join(f"${i}{piece}" for i, piece in enumerate(pieces[1:], start=1))


async def raw(table: type[Table], template: str, *args: Any) -> list[Any]:
    """``table.raw(template, *args)``, but on PostgreSQL the text is numbered once and run
    as is (``run_sql``): no Piccolo query built and compiled per call. Rows support
    ``row["column"]`` on both engines."""
    if isinstance(current_engine(), VervalPostgresEngine):
        return await run_sql(numbered(template), *args)
    rows: list[Any] = await table.raw(template, *args)
    return rows


def _output_names(query: Any) -> list[str]:
    """The keys a Piccolo SELECT's rows have (aliases, or the column's own name)."""
    return [
        column._alias or column._meta.get_default_alias()
        for column in query.columns_delegate.selected_columns
    ]


def as_datetime(value: Any) -> Any:
    """A timestamp from ``fetch_together`` (a string on PostgreSQL) as a datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value


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

"""Raw SQL for the set-wide writes (imports, bulk assignment), on either database.

Piccolo builds one statement per call and an object per row, which is fine for a
request and too slow for a million-row import. These helpers run one SQL text with
``$1``-style placeholders on the current transaction's connection: asyncpg on
PostgreSQL (``executemany`` is pipelined), and ``?1``-style numbered parameters on
SQLite. Values are always bound, never formatted into the SQL.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite

from api import db

_PLACEHOLDER = re.compile(r"\$(\d+)")


def _sqlite_sql(sql: str) -> str:
    return _PLACEHOLDER.sub(r"?\1", sql)


@asynccontextmanager
async def _connection() -> AsyncIterator[tuple[bool, Any]]:
    """The current transaction's connection, or a short-lived one outside a transaction."""
    engine = db.current_engine()
    postgres = db.is_postgres(engine)
    transaction = engine.current_transaction.get()
    scoped = await db.request_scoped_connection(engine) if transaction is None else None
    if transaction is not None:
        yield postgres, transaction.connection
    elif scoped is not None:
        yield postgres, scoped
    elif postgres:
        pool = getattr(engine, "pool", None)
        if pool is not None:
            async with pool.acquire() as connection:
                yield True, connection
        else:
            connection = await engine.get_new_connection()  # type: ignore[attr-defined]
            try:
                yield True, connection
            finally:
                await connection.close()
    else:
        connection = await aiosqlite.connect(**engine.connection_kwargs)  # type: ignore[attr-defined]
        try:
            yield False, connection
            await connection.commit()
        finally:
            await connection.close()


def any_of(column: str, values: Sequence[Any], index: int) -> tuple[str, list[Any]]:
    """``column`` equal to one of ``values``, as SQL whose first placeholder is ``$index``."""
    if db.is_postgres():
        return f"{column} = ANY(${index})", [list(values)]
    if not values:
        return "1 = 0", []
    marks = ", ".join(f"${index + i}" for i in range(len(values)))
    return f"{column} IN ({marks})", list(values)


async def executemany(sql: str, rows: Iterable[Sequence[Any]]) -> None:
    rows = list(rows)
    if not rows:
        return
    db.note_statement(sql)
    async with _connection() as (postgres, connection):
        if postgres:
            await connection.executemany(sql, rows)
        else:
            await connection.executemany(_sqlite_sql(sql), rows)


async def execute_count(sql: str, *args: Any) -> int:
    """Run one statement; the number of rows it touched."""
    db.note_statement(sql)
    async with _connection() as (postgres, connection):
        if postgres:
            status = await connection.execute(sql, *args)
            tail = status.rsplit(" ", 1)[-1]
            return int(tail) if tail.isdigit() else 0
        cursor = await connection.execute(_sqlite_sql(sql), args)
        count = cursor.rowcount
        await cursor.close()
        return max(count, 0)


async def fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    db.note_statement(sql)
    async with _connection() as (postgres, connection):
        if postgres:
            return [dict(row) for row in await connection.fetch(sql, *args)]
        cursor = await connection.execute(_sqlite_sql(sql), args)
        names = [column[0] for column in cursor.description or ()]
        raw = await cursor.fetchall()
        await cursor.close()
        return [row if isinstance(row, dict) else dict(zip(names, row, strict=True)) for row in raw]

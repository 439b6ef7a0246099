"""The assignment change log and the sync cursor (``GET /api/v1/assignments?since=``).

Every write that changes what an enumerator's phone should hold (assign, reassign,
unassign, a round opening or closing, a corrected baseline, a later state change)
appends one row per (enumerator, assignment) to ``assignment_change`` in the write's
own transaction.

Why a cursor over this log is safe with concurrent writers: on PostgreSQL a sequence
value is taken when a row is inserted, but transactions commit in any order, so a
reader could see seq 12 committed while seq 11 is still in flight and move its cursor
past 11 for ever. Here every writer first takes a transaction-scoped advisory lock
(:func:`lock`) and only then inserts, and the lock is released only after the commit
is visible. Seq order is therefore commit order: the seqs a reader can see always
form a prefix (gaps are rolled-back transactions, never late ones). SQLite writers
are serialised by the database's write lock (``BEGIN IMMEDIATE``) already.

Lock order: a registry write takes this lock *before* it appends to the audit chain
(whose own lock every write takes), so two writers can never wait on each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from api import db
from api.errors import DomainError
from api.registry import bulk
from api.registry.tables import AssignmentChange

# An arbitrary constant: the advisory-lock id that orders assignment changes.
CHANGE_LOCK_ID = 0x5645525652  # "VERVR"


async def lock() -> None:
    """Take the change-log lock for the rest of the current transaction."""
    engine = db.current_engine()
    if db.is_postgres(engine):
        await engine.run_ddl(f"SELECT pg_advisory_xact_lock({CHANGE_LOCK_ID})")


async def record(pairs: Iterable[tuple[int, int]]) -> int:
    """Append (enumerator_id, assignment_id) changes; call inside the write transaction."""
    unique = sorted(set(pairs))
    if not unique:
        return 0
    now = datetime.now(UTC)
    if db.is_postgres():
        # One statement: the lock is taken before the first row gets its seq.
        await bulk.execute_count(
            "INSERT INTO assignment_change (enumerator_id, assignment_id, changed_at) "
            "SELECT pair.enumerator_id, pair.assignment_id, $3 "
            "FROM (SELECT pg_advisory_xact_lock(CAST($4 AS bigint))) AS change_lock, "
            "unnest(CAST($1 AS bigint[]), CAST($2 AS bigint[])) "
            "AS pair(enumerator_id, assignment_id)",
            [enumerator for enumerator, _ in unique],
            [assignment for _, assignment in unique],
            now,
            CHANGE_LOCK_ID,
        )
        return len(unique)
    await bulk.executemany(
        "INSERT INTO assignment_change (enumerator_id, assignment_id, changed_at) "
        "VALUES ($1, $2, $3)",
        [(enumerator, assignment, now) for enumerator, assignment in unique],
    )
    return len(unique)


async def record_for_assignments(where_sql: str, *args: object) -> int:
    """Log a change for the current enumerator of every assignment matching ``where_sql``.

    ``where_sql`` is a condition on table ``assignment`` (``$n`` placeholders); used for
    set-wide changes such as a round closing or a household's baseline being corrected.
    """
    await lock()
    now = datetime.now(UTC)
    # where_sql is one of this package's constant conditions; values are bound.
    sql = (
        "INSERT INTO assignment_change (enumerator_id, assignment_id, changed_at) "  # noqa: S608
        f"SELECT enumerator, id, ${len(args) + 1} FROM assignment WHERE {where_sql}"
    )
    return await bulk.execute_count(sql, *args, now)


async def record_for_households(household_ids: list[int]) -> int:
    """Log a change for every open-round assignment of these households (baseline edits)."""
    if not household_ids:
        return 0
    condition, args = bulk.any_of("household", household_ids, 1)
    return await record_for_assignments(
        f"{condition} AND round IN (SELECT id FROM verification_round WHERE state = 'open')",  # noqa: S608
        *args,
    )


async def record_for_round(round_id: int) -> int:
    """Log a change for every assignment of a round (it opened or closed)."""
    return await record_for_assignments("round = $1", round_id)


async def head() -> int:
    """The highest committed seq (0 when the log is empty)."""
    row = await (
        AssignmentChange.select(AssignmentChange.seq)
        .order_by(AssignmentChange.seq, ascending=False)
        .limit(1)
        .first()
    )
    return int(row["seq"]) if row else 0


class InvalidCursor(DomainError):
    status_code = 400
    code = "invalid_cursor"


@dataclass(frozen=True)
class Cursor:
    """Where a phone's copy stands.

    ``to_seq``: every change up to it is reflected. A page in the middle of a sync also
    has ``from_seq`` (None: a full download) and ``after_id`` (the last assignment id
    sent), so the next page continues the same snapshot window.
    """

    user_id: int
    to_seq: int
    full: bool = False
    from_seq: int = 0
    after_id: int | None = None

    def encode(self) -> str:
        text = f"u{self.user_id}.s{self.to_seq}"
        if self.after_id is not None:
            text += (".f" if self.full else f".d{self.from_seq}") + f".a{self.after_id}"
        return text


_CURSOR = re.compile(r"^u(\d{1,12})\.s(\d{1,19})(?:\.(f|d(\d{1,19}))\.a(\d{1,19}))?$")


def decode(text: str) -> Cursor:
    match = _CURSOR.match(text)
    if match is None:
        raise InvalidCursor("The sync cursor is not valid; sync without one.")
    user_id, to_seq, mode, from_seq, after_id = match.groups()
    if mode is None:
        return Cursor(int(user_id), int(to_seq))
    return Cursor(
        int(user_id),
        int(to_seq),
        full=mode == "f",
        from_seq=int(from_seq) if from_seq else 0,
        after_id=int(after_id),
    )

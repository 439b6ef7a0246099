"""Appending to the audit chain. Call inside the write's own transaction.

Each event's hash covers its content and the previous event's hash, so editing,
inserting or deleting a row breaks every hash after it. Writers are serialised
on the chain head (the one row of ``audit_chain_head``, moved by the append's own
statement on PostgreSQL; SQLite's write lock is already exclusive) so concurrent
requests never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from api import db
from api.audit.tables import AuditEvent
from auth.actors import Actor
from auth.audit_trail import use_audit_writer

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    region_code: str | None,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    material = canonical_json(
        {
            "seq": seq,
            "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "region_code": region_code,
            "details": details,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(material.encode()).hexdigest()


# Stand-ins for the two values only the database knows at append time; the canonical
# text is split around them so one SQL statement can finish the hash (see _split).
_PREV_TOKEN = "@@verval-prev-hash@@"  # noqa: S105 (a marker, not a secret)
_SEQ_TOKEN = -7_301_937_123_456_789


def _split(material: dict[str, Any]) -> tuple[str, str, str]:
    """``canonical_json`` of the event as (before prev_hash, between, after seq).

    ``event_hash`` = SHA-256(before + prev_hash + between + str(seq) + after): the
    same formula as :func:`event_hash`, completed by the database in the append.
    """
    text = canonical_json({**material, "prev_hash": _PREV_TOKEN, "seq": _SEQ_TOKEN})
    before, rest = text.split(_PREV_TOKEN)
    between, after = rest.split(str(_SEQ_TOKEN))
    return before, between, after


_APPEND_POSTGRES = """
WITH head AS (
    INSERT INTO audit_chain_head AS h (id, seq, prev_hash, event_hash)
    VALUES (1, 1, {}, encode(sha256(convert_to({} || {} || {} || '1' || {}, 'UTF8')), 'hex'))
    ON CONFLICT (id) DO UPDATE SET
        seq = h.seq + 1,
        prev_hash = h.event_hash,
        event_hash = encode(sha256(convert_to(
            {} || h.event_hash || {} || (h.seq + 1)::text || {}, 'UTF8')), 'hex')
    RETURNING seq, prev_hash, event_hash
)
INSERT INTO audit_event (seq, occurred_at, actor, action, object_type, object_id,
                         region_code, details, prev_hash, event_hash)
SELECT seq, CAST({} AS timestamptz), {}, {}, {}, {}, CAST({} AS varchar), CAST({} AS jsonb),
       prev_hash, event_hash
FROM head
RETURNING event_hash
"""


_APPEND_SQLITE = """
INSERT INTO audit_event (seq, occurred_at, actor, action, object_type, object_id,
                         region_code, details, prev_hash, event_hash)
SELECT head.seq + 1, {}, {}, {}, {}, {}, {}, {}, head.event_hash,
       verval_sha256({} || head.event_hash || {} || (head.seq + 1) || {})
FROM (
    SELECT seq, event_hash FROM (
        SELECT seq, event_hash FROM audit_event ORDER BY seq DESC LIMIT 1
    )
    UNION ALL SELECT 0, {}
    ORDER BY seq DESC LIMIT 1
) AS head
RETURNING event_hash
"""


async def append_event(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    *,
    region_code: str | None = None,
    details: dict[str, Any] | None = None,
) -> str:
    """Append one event to the chain and return its hash: one SQL statement.

    On PostgreSQL the statement moves the chain head row and inserts the event, so a
    writer holds the head only from this statement to its commit; call it last in the
    transaction. SQLite's writer holds the database's one write lock anyway.
    """
    occurred_at = datetime.now(UTC)
    clean_details = json.loads(canonical_json(details or {}))
    before, between, after = _split(
        {
            "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor.ref,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "region_code": region_code,
            "details": clean_details,
        }
    )
    columns = [
        occurred_at,
        actor.ref,
        action,
        object_type,
        str(object_id),
        region_code,
        canonical_json(clean_details),
    ]
    engine = db.current_engine()
    if db.is_postgres(engine):
        sql = _APPEND_POSTGRES
        chain = (GENESIS_HASH, before, GENESIS_HASH, between, after, before, between, after)
        params: tuple[object, ...] = (*chain, *columns)
        if engine.current_transaction.get() is not None:
            # Inside the caller's transaction (the request path): no nested transaction
            # object; `db.raw` runs the text numbered once, no Piccolo query per event.
            rows = await db.raw(AuditEvent, sql, *params)
            return str(rows[0]["event_hash"])
    else:
        sql = _APPEND_SQLITE
        params = (*columns, before, between, after, GENESIS_HASH)
    async with db.write_transaction(engine):
        rows = await AuditEvent.raw(sql, *params)
    return str(rows[0]["event_hash"])


_APPEND_CTES_POSTGRES = """audit_head AS (
    INSERT INTO audit_chain_head AS h (id, seq, prev_hash, event_hash)
    SELECT 1, 1, {}, encode(sha256(convert_to({} || {} || {} || '1' || {}, 'UTF8')), 'hex')
    WHERE @@when@@
    ON CONFLICT (id) DO UPDATE SET
        seq = h.seq + 1,
        prev_hash = h.event_hash,
        event_hash = encode(sha256(convert_to(
            {} || h.event_hash || {} || (h.seq + 1)::text || {}, 'UTF8')), 'hex')
    RETURNING seq, prev_hash, event_hash
), audit_row AS (
    INSERT INTO audit_event (seq, occurred_at, actor, action, object_type, object_id,
                             region_code, details, prev_hash, event_hash)
    SELECT seq, CAST({} AS timestamptz), {}, {}, {}, {}, CAST({} AS varchar),
           CAST({} AS jsonb), prev_hash, event_hash
    FROM audit_head
    RETURNING event_hash
)"""


def append_event_ctes(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    *,
    when: str,
    region_code: str | None = None,
    details: dict[str, Any] | None = None,
) -> tuple[str, list[Any]]:
    """PostgreSQL: the append as two CTEs (``audit_head``, ``audit_row``) for a caller's
    own statement, so a write and its event commit as one statement (no BEGIN/COMMIT).

    The event is appended only when the SQL condition ``when`` (no placeholders, e.g.
    ``EXISTS (SELECT 1 FROM stored)``) holds. Same chain and hash as :func:`append_event`.
    Returns the CTE text (Piccolo ``{}`` placeholders) and its arguments, in order.
    """
    occurred_at = datetime.now(UTC)
    clean_details = json.loads(canonical_json(details or {}))
    before, between, after = _split(
        {
            "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor.ref,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "region_code": region_code,
            "details": clean_details,
        }
    )
    # ``when`` is the caller's SQL text (a constant), never a value from a request.
    sql = _APPEND_CTES_POSTGRES.replace("@@when@@", when)
    args: list[Any] = [
        GENESIS_HASH,
        before,
        GENESIS_HASH,
        between,
        after,
        before,
        between,
        after,
        occurred_at,
        actor.ref,
        action,
        object_type,
        str(object_id),
        region_code,
        canonical_json(clean_details),
    ]
    return sql, args


# auth appends its events (sign-ins, account changes) through this, without importing api.
use_audit_writer(append_event)

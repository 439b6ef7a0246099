"""Appending to the audit chain. Call inside the write's own transaction.

Each event's hash covers its content and the previous event's hash, so editing,
inserting or deleting a row breaks every hash after it. Writers are serialised
on the chain head (an advisory lock on PostgreSQL; SQLite's write lock is
already exclusive) so concurrent requests never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api import db
from api.audit.tables import AuditEvent

GENESIS_HASH = "0" * 64
# An arbitrary constant: the advisory-lock id that guards the chain head.
_CHAIN_LOCK_ID = 0x5645525641  # "VERVA"


@dataclass(frozen=True)
class Actor:
    """Who did it: ``user:<id>``, ``cli:<os user>`` or ``system``."""

    ref: str

    @classmethod
    def user(cls, user_id: int) -> Actor:
        return cls(f"user:{user_id}")

    @classmethod
    def system(cls) -> Actor:
        return cls("system")


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


async def append_event(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    *,
    region_code: str | None = None,
    details: dict[str, Any] | None = None,
) -> str:
    """Append one event to the chain and return its hash."""
    engine = db.current_engine()
    if db.is_postgres(engine):
        await engine.run_ddl(f"SELECT pg_advisory_xact_lock({_CHAIN_LOCK_ID})")
    head = (
        await AuditEvent.select(AuditEvent.seq, AuditEvent.event_hash)
        .order_by(AuditEvent.seq, ascending=False)
        .limit(1)
        .first()
    )
    seq = (head["seq"] + 1) if head else 1
    prev_hash = head["event_hash"] if head else GENESIS_HASH
    occurred_at = datetime.now(UTC)
    clean_details = json.loads(canonical_json(details or {}))
    digest = event_hash(
        seq=seq,
        occurred_at=occurred_at,
        actor=actor.ref,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        region_code=region_code,
        details=clean_details,
        prev_hash=prev_hash,
    )
    await AuditEvent.insert(
        AuditEvent(
            seq=seq,
            occurred_at=occurred_at,
            actor=actor.ref,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            region_code=region_code,
            details=clean_details,
            prev_hash=prev_hash,
            event_hash=digest,
        )
    )
    return digest

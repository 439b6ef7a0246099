"""The append-only audit log: every write, chained by SHA-256."""

from __future__ import annotations

from piccolo.columns import JSONB, BigInt, BigSerial, Integer, Timestamptz, Varchar
from piccolo.table import Table


class AuditEvent(Table, tablename="audit_event"):
    id = BigSerial(primary_key=True)
    # Position in the chain; unique so two writers can never both extend the same head.
    seq = BigInt(unique=True)
    occurred_at = Timestamptz()
    actor = Varchar(length=80)  # "user:12", "system", "cli:admin"
    action = Varchar(length=60, index=True)
    object_type = Varchar(length=40)
    object_id = Varchar(length=80, index=True)
    region_code = Varchar(length=20, null=True, default=None, index=True)
    details = JSONB(default={})  # a digest of the change; never a NIK or a name
    prev_hash = Varchar(length=64)
    event_hash = Varchar(length=64, unique=True)


class AuditChainHead(Table, tablename="audit_chain_head"):
    """The chain's last link, one row (id 1): the append updates it in the same
    statement that inserts the event, so concurrent appends queue on this row only
    for the rest of their transaction, never across round trips (PostgreSQL).
    SQLite's single writer reads the head from ``audit_event`` itself."""

    id = Integer(primary_key=True)
    seq = BigInt()
    prev_hash = Varchar(length=64)
    event_hash = Varchar(length=64)

"""The append-only audit log: every write, chained by SHA-256."""

from __future__ import annotations

from piccolo.columns import JSONB, BigInt, BigSerial, Timestamptz, Varchar
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

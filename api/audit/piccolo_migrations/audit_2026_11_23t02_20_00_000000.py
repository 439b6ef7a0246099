"""Make the audit log append-only in the database itself.

A trigger refuses every UPDATE and DELETE of ``audit_event`` for every role, the
application's included; on PostgreSQL the privileges are also revoked from PUBLIC.
(TRUNCATE stays possible for the database owner: test suites and a deliberate reset.
Anyone who can drop triggers can also rewrite history; the hash chain is what then
reveals it.)
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T02:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit events are append-only"

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION verval_audit_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
    """
    CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION verval_audit_append_only()
    """,
    "REVOKE UPDATE, DELETE ON audit_event FROM PUBLIC",
]

SQLITE = [
    """
    CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only (UPDATE refused)'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only (DELETE refused)'); END
    """,
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="audit", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        assert engine is not None
        for statement in POSTGRES if engine.engine_type == "postgres" else SQLITE:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

"""Seed the chain head from the last event (PostgreSQL; SQLite reads the head from
``audit_event`` itself). A deployment that already has events continues its chain."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T01:48:39:000000"
VERSION = "1.38.0"
DESCRIPTION = "seed the audit chain head"

POSTGRES = [
    """
    INSERT INTO audit_chain_head (id, seq, prev_hash, event_hash)
    SELECT 1, seq, prev_hash, event_hash FROM audit_event ORDER BY seq DESC LIMIT 1
    ON CONFLICT (id) DO NOTHING
    """,
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="audit", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        assert engine is not None
        if engine.engine_type == "postgres":
            for statement in POSTGRES:
                await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

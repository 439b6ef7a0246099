"""One deliberation per village and round; decisions and status changes append-only.

PostgreSQL only: triggers refuse UPDATE and DELETE of deliberation_decision and
household_status_change, like review_decision's. On SQLite the service never updates or
deletes them, and each one is in the audit chain.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from api import db

ID = "2026-12-07T01:44:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "deliberation unique per village and round, append-only decisions"

BOTH = [
    "CREATE UNIQUE INDEX IF NOT EXISTS deliberation_round_village "
    "ON deliberation (round_id, region_code)",
    "CREATE INDEX IF NOT EXISTS public_entry_review_position ON public_entry (review_id, position)",
    "CREATE INDEX IF NOT EXISTS deliberation_decision_item "
    "ON deliberation_decision (deliberation_id, item_key, id)",
]
POSTGRES_ONLY = [
    """
    CREATE OR REPLACE FUNCTION verval_village_rows_final() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% rows are final (% refused)', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS deliberation_decision_final ON deliberation_decision",
    """
    CREATE TRIGGER deliberation_decision_final BEFORE UPDATE OR DELETE ON deliberation_decision
    FOR EACH ROW EXECUTE FUNCTION verval_village_rows_final()
    """,
    "DROP TRIGGER IF EXISTS household_status_change_final ON household_status_change",
    """
    CREATE TRIGGER household_status_change_final BEFORE UPDATE OR DELETE
    ON household_status_change FOR EACH ROW EXECUTE FUNCTION verval_village_rows_final()
    """,
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="village", description=DESCRIPTION)

    async def run():
        engine = db.current_engine()
        for statement in BOTH + (POSTGRES_ONLY if db.is_postgres(engine) else []):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

"""Indexes of the review queue and the trail, and decisions that cannot be changed.

The queue (``GET /api/v1/visits``) is ordered by (received_at, id), newest first, and
paged by keyset. Measured on PostgreSQL with 1 M visits of a regency (300 villages):

- The default order and the received-time range use visit (received_at) of the visits
  app; the scope filter rarely rejects rows there, so a page reads about a page of rows.
  The same holds for round and enumerator filters (their single-column indexes pick a
  few thousand rows at most, sorted in memory).
- visit (state, received_at, id): the rare states (escalated, returned, submitted in
  steady state) in order, without walking the whole regency.
- visit (received_at, id) WHERE flag_count > 0: "flagged", in order.
- visit_flag (code, visit): one flag code.
- visit (region_code, state, received_at): a village (or, with ``text_pattern_ops`` on
  PostgreSQL, a district prefix) as one range; it also makes the counts per state an
  index-only scan.
- visit (revisit_of): the revisits of a returned visit.

PostgreSQL only: a trigger refuses UPDATE and DELETE of review_decision, like the
audit log's (TRUNCATE stays possible for the owner, as for tests). On SQLite the
service never updates or deletes a decision, and each one is in the audit chain.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from api import db

ID = "2026-11-23T02:19:57:000000"
VERSION = "1.38.0"
DESCRIPTION = "review queue indexes, decisions append-only"

BOTH = [
    "CREATE INDEX IF NOT EXISTS visit_state_received ON visit (state, received_at, id)",
    "CREATE INDEX IF NOT EXISTS visit_flagged_received "
    "ON visit (received_at, id) WHERE flag_count > 0",
    "CREATE INDEX IF NOT EXISTS visit_flag_code_visit ON visit_flag (code, visit)",
    "CREATE INDEX IF NOT EXISTS visit_revisit_of ON visit (revisit_of)",
]
SQLITE_ONLY = [
    "CREATE INDEX IF NOT EXISTS visit_region_state ON visit (region_code, state, received_at)",
]
POSTGRES_ONLY = [
    "CREATE INDEX IF NOT EXISTS visit_region_state "
    "ON visit (region_code text_pattern_ops, state, received_at)",
    """
    CREATE OR REPLACE FUNCTION verval_review_decision_final() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'review_decision rows are final (% refused)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS review_decision_final ON review_decision",
    """
    CREATE TRIGGER review_decision_final BEFORE UPDATE OR DELETE ON review_decision
    FOR EACH ROW EXECUTE FUNCTION verval_review_decision_final()
    """,
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="review", description=DESCRIPTION)

    async def run():
        engine = db.current_engine()
        statements = BOTH + (POSTGRES_ONLY if db.is_postgres(engine) else SQLITE_ONLY)
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

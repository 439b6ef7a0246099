"""Indexes the auto-migration cannot express.

- (round, household) is unique: a household is assigned once per round.
- assignment_change (enumerator_id, seq): the delta sync reads one enumerator's tail.
- assignment (enumerator, round): the full sync reads one enumerator's assignments.
- PostgreSQL only: text_pattern_ops indexes on region-code columns, so the prefix
  LIKE '17.06.%' of a scope filter is an index range scan whatever the collation.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from api import db

ID = "2026-11-23T03:00:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "registry indexes"

BOTH = [
    "CREATE UNIQUE INDEX IF NOT EXISTS assignment_round_household_key "
    "ON assignment (round, household)",
    "CREATE INDEX IF NOT EXISTS assignment_change_enumerator_seq "
    "ON assignment_change (enumerator_id, seq)",
    "CREATE INDEX IF NOT EXISTS assignment_enumerator_round "
    "ON assignment (enumerator, round)",
    "CREATE INDEX IF NOT EXISTS household_region_rw_rt "
    "ON household (region_code, rw, rt)",
]
POSTGRES_ONLY = [
    "CREATE INDEX IF NOT EXISTS household_region_code_prefix "
    "ON household (region_code text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS assignment_region_code_prefix "
    "ON assignment (region_code text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS region_code_prefix ON region (code text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS verification_round_region_code_prefix "
    "ON verification_round (region_code text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS household_member_nik_prefix "
    "ON household_member (nik text_pattern_ops)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        engine = db.current_engine()
        statements = BOTH + (POSTGRES_ONLY if db.is_postgres(engine) else [])
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

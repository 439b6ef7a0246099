"""The indexes the set-based matching joins on: NIK on both sides (unique, created with
the tables), birth date and name key for the same-person-twice check, findings per
household and state, register members by birth date.

Databases migrated before the tables were frozen made these in ``…t02_00_00_000000``;
``IF NOT EXISTS`` makes this step a no-op there.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from api import db

ID = "2026-12-07T02:00:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "civil registry: reconciliation indexes"

INDEXES = [
    "CREATE INDEX IF NOT EXISTS civil_registry_person_birth_name "
    "ON civil_registry_person (birth_date, name_key)",
    "CREATE INDEX IF NOT EXISTS civil_registry_finding_household_state "
    "ON civil_registry_finding (household_id, state)",
    "CREATE INDEX IF NOT EXISTS household_member_birth_date ON household_member (birth_date)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="civil_registry", description=DESCRIPTION)

    async def run():
        engine = db.current_engine()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

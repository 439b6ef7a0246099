"""The civil-registry tables and the indexes reconciliation joins on.

Created from the table classes (one statement per table on either database); the
indexes are the set-based matching's: NIK on both sides, birth date for the
same-person-twice check, findings per household and state.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from api import db
from api.civil_registry.tables import CivilCredential, CivilEvent, CivilPerson, Finding, ImportJob

ID = "2026-12-07T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "civil registry: persons, events, credentials, imports, findings"

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
        for table in (CivilPerson, CivilEvent, CivilCredential, ImportJob, Finding):
            await table.create_table(if_not_exists=True)
        engine = db.current_engine()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

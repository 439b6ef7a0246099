"""household_member.name_key: the normalised name, so that reconciliation decides name
agreement in SQL for the names whose keys are equal (most), and only the others leave
the database for the fuzzy check. Backfilled here with the same Python function the
register import and the extract import use (``civil_registry.names.name_key``).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from api import db
from api.civil_registry.names import name_key
from api.registry import bulk

ID = "2026-12-07T03:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "household_member.name_key, backfilled"

ADD_COLUMN = "ALTER TABLE household_member ADD COLUMN name_key VARCHAR(200) NOT NULL DEFAULT ''"
BATCH = 5000


async def backfill() -> int:
    """Keys for every member whose key is missing, in id order, a batch at a time."""
    done, after = 0, 0
    while True:
        rows = await bulk.fetch(
            "SELECT id, name FROM household_member WHERE id > $1 AND name_key = '' "
            "ORDER BY id LIMIT $2",
            after,
            BATCH,
        )
        if not rows:
            return done
        after = int(rows[-1]["id"])
        keyed = [(name_key(r["name"]), r["id"]) for r in rows if r["name"]]
        await bulk.executemany("UPDATE household_member SET name_key = $1 WHERE id = $2", keyed)
        done += len(keyed)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="civil_registry", description=DESCRIPTION)

    async def run():
        await db.current_engine().run_ddl(ADD_COLUMN)
        await backfill()

    manager.add_raw(run)
    return manager

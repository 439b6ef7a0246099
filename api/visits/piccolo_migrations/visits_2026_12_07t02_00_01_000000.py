"""Backfill of the analysis state, and the job queue's schema on PostgreSQL.

Photos stored before analysis moved to jobs were analysed in their request: they count
as analysed at their storing time. (Raw steps run before a migration's column changes,
hence a migration of its own after the one adding the columns.)
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from api import db

ID = "2026-12-07T02:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "analysis state backfill; procrastinate schema on PostgreSQL"

BACKFILL = [
    "UPDATE visit_photo SET analysed_at = stored_at WHERE stored_at IS NOT NULL",
    "UPDATE visit SET photos_analysed = photos_stored",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="visits", description=DESCRIPTION)

    async def run():
        engine = db.current_engine()
        for statement in BACKFILL:
            await engine.run_ddl(statement)
        if db.is_postgres(engine):
            from api.jobs.queue import install_queue_schema

            await install_queue_schema(engine)

    manager.add_raw(run)
    return manager

"""The public page rendered once per change (issue 15): public_review.version and the
public_render cache table (one row per review and version, unique)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from api import db
from api.village.tables import PublicRender

ID = "2026-12-07T05:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "public page pre-rendered per review version"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="village", description=DESCRIPTION)

    async def run():
        engine = db.current_engine()
        await engine.run_ddl(
            "ALTER TABLE public_review ADD COLUMN version INTEGER NOT NULL DEFAULT 0"
        )
        await PublicRender.create_table(if_not_exists=True)
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS public_render_review_version "
            "ON public_render (review_id, version, fmt)"
        )

    manager.add_raw(run)
    return manager

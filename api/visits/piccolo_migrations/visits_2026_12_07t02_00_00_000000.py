"""Photo analysis moves to background jobs.

visit_photo.analysed_at: when the analysis job finished (stored photos are analysed
once). visit.photos_analysed: how many of the visit's photos are; a visit is complete
when every declared photo is stored and analysed. Photos stored before this migration
were analysed in their request, so they count as analysed at their storing time.
The job queue's schema is installed by the next migration (raw steps run first).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Timestamptz

ID = "2026-12-07T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "photo analysis state: visit_photo.analysed_at, visit.photos_analysed"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="visits", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Photo",
        tablename="visit_photo",
        column_name="analysed_at",
        db_column_name="analysed_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={"default": None, "null": True},
    )
    manager.add_column(
        table_class_name="Visit",
        tablename="visit",
        column_name="photos_analysed",
        db_column_name="photos_analysed",
        column_class_name="Integer",
        column_class=Integer,
        params={"default": 0, "null": False},
    )

    return manager

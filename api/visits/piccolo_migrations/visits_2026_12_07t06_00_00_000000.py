"""The review thumbnail is kept in the photo's row instead of the object store.

visit_photo.thumbnail: the 13-18 KB JPEG made by the analysis job, written by the job's one
statement, served by ``GET /api/v1/photo-thumbnails/{id}`` through a signed, expiring link.
It saves an S3 PUT per photo (a thumbnail is a derivative, not evidence). Photos analysed
before keep their ``thumbnail_key`` object.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Bytea

ID = "2026-12-07T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "visit_photo.thumbnail: the review thumbnail in the row"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="visits", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Photo",
        tablename="visit_photo",
        column_name="thumbnail",
        db_column_name="thumbnail",
        column_class_name="Bytea",
        column_class=Bytea,
        params={"default": None, "null": True},
    )
    return manager

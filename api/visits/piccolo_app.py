import os

from piccolo.conf.apps import AppConfig

from api.visits.tables import Flag, Photo, PhotoHashBand, Visit

APP_CONFIG = AppConfig(
    app_name="visits",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Visit, Photo, PhotoHashBand, Flag],
    migration_dependencies=[],
    commands=[],
)

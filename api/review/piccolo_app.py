import os

from piccolo.conf.apps import AppConfig

from api.review.tables import Decision

APP_CONFIG = AppConfig(
    app_name="review",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Decision],
    migration_dependencies=["auth.piccolo_app", "api.visits.piccolo_app"],
    commands=[],
)

import os

from piccolo.conf.apps import AppConfig

from api.forms.tables import FormVersion

APP_CONFIG = AppConfig(
    app_name="forms",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[FormVersion],
    migration_dependencies=[],
    commands=[],
)

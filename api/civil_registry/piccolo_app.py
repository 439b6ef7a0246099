import os

from piccolo.conf.apps import AppConfig

from api.civil_registry.tables import CivilCredential, CivilEvent, CivilPerson, Finding, ImportJob

APP_CONFIG = AppConfig(
    app_name="civil_registry",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[CivilPerson, CivilEvent, CivilCredential, ImportJob, Finding],
    migration_dependencies=["api.registry.piccolo_app"],
    commands=[],
)

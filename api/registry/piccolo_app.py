import os

from piccolo.conf.apps import AppConfig

from api.registry.tables import (
    Assignment,
    AssignmentChange,
    Household,
    HouseholdMember,
    ImportMark,
    Region,
    Round,
)

APP_CONFIG = AppConfig(
    app_name="registry",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Region,
        Household,
        ImportMark,
        HouseholdMember,
        Round,
        Assignment,
        AssignmentChange,
    ],
    migration_dependencies=["auth.piccolo_app"],
    commands=[],
)

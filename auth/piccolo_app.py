import os

from piccolo.conf.apps import AppConfig

from auth.tables import DeviceSession, EnrolmentCode, LoginThrottle, RefreshToken, User, UserScope

APP_CONFIG = AppConfig(
    app_name="auth",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[User, UserScope, DeviceSession, RefreshToken, EnrolmentCode, LoginThrottle],
    migration_dependencies=[],
    commands=[],
)

import os

from piccolo.conf.apps import AppConfig

from api.village.tables import (
    Deliberation,
    DeliberationDecision,
    HouseholdStatusChange,
    PublicEntry,
    PublicObjection,
    PublicRender,
    PublicReview,
    VillageEvidence,
    VillageProposal,
)

APP_CONFIG = AppConfig(
    app_name="village",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        VillageProposal,
        VillageEvidence,
        Deliberation,
        DeliberationDecision,
        PublicReview,
        PublicEntry,
        PublicObjection,
        PublicRender,
        HouseholdStatusChange,
    ],
    migration_dependencies=["api.registry.piccolo_app"],
    commands=[],
)

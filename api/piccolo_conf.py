"""Piccolo's configuration module (``PICCOLO_CONF=api.piccolo_conf``).

``DB`` is resolved on access from :mod:`api.db`, so importing this module never
connects to anything.
"""

from typing import Any

from piccolo.conf.apps import AppRegistry

APP_REGISTRY = AppRegistry(
    apps=[
        "auth.piccolo_app",
        "api.audit.piccolo_app",
        "api.forms.piccolo_app",
        "api.visits.piccolo_app",
        "api.registry.piccolo_app",
        "api.review.piccolo_app",
        "api.civil_registry.piccolo_app",
        "api.village.piccolo_app",
    ]
)


def __getattr__(name: str) -> Any:
    if name == "DB":
        from api.db import current_engine

        return current_engine()
    raise AttributeError(name)

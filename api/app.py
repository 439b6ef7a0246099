"""The one app factory: every controller, handler, dependency and the lifespan, wired here."""

from __future__ import annotations

from litestar import Litestar
from litestar.config.app import AppConfig
from litestar.config.compression import CompressionConfig
from litestar.logging.config import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.types import ControllerRouterHandler

from api.audit.controller import AuditController
from api.civil_registry.controller import CIVIL_REGISTRY_CONTROLLERS
from api.client_config.controller import ClientConfigController
from api.dependencies import DEPENDENCIES, outermost_request_connection
from api.errors import EXCEPTION_HANDLERS
from api.evidence_store.controller import LocalMediaController
from api.forms.controller import FormsController
from api.health.controller import HealthController
from api.logging import RequestIdMiddleware, configure_logging
from api.openapi import document_errors, documentation_pages
from api.pwa_shell import SKIP_COMPRESSION, pwa_shell_router
from api.registry.controller import REGISTRY_CONTROLLERS
from api.reports.controller import REPORT_CONTROLLERS
from api.request_guard import ForwardedClient, RejectNulInUrl, VervalRequest
from api.resources import lifespan_for
from api.review.controller import REVIEW_CONTROLLERS
from api.settings import Settings, load_settings
from api.users.controller import AuthController, MeController, UsersController
from api.village.controller import VILLAGE_CONTROLLERS
from api.village.public import PUBLIC_CONTROLLERS
from api.visits.controller import PhotoThumbnailController, VisitIntakeController
from auth import session_cache
from auth.guards import build_jwt_auth

API_VERSION = "1"


def api_controllers() -> list[ControllerRouterHandler]:
    """Every controller under /api/v1 (the domain modules add theirs here)."""
    return [
        AuthController,
        MeController,
        UsersController,
        FormsController,
        VisitIntakeController,
        PhotoThumbnailController,
        AuditController,
        ClientConfigController,
        LocalMediaController,
        *REGISTRY_CONTROLLERS,
        *REPORT_CONTROLLERS,
        *REVIEW_CONTROLLERS,
        *CIVIL_REGISTRY_CONTROLLERS,
        *VILLAGE_CONTROLLERS,
        *PUBLIC_CONTROLLERS,
    ]


def _request_id_outermost(app_config: AppConfig) -> AppConfig:
    """The request id is given before any other middleware runs (the JWT middleware's 401
    included), so every problem+json carries it."""
    app_config.middleware.insert(0, RequestIdMiddleware)
    return app_config


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    configure_logging(settings.log_level, settings.log_format)
    session_cache.configure(settings.session_cache_seconds)

    route_handlers: list[ControllerRouterHandler] = [HealthController, *api_controllers()]
    pwa_dist = settings.effective_pwa_dist
    if (pwa_dist / "index.html").is_file():
        # Registered last: API routes win over the catch-all PWA shell.
        route_handlers.append(pwa_shell_router(pwa_dist))

    jwt_auth = build_jwt_auth(settings)
    app = Litestar(
        route_handlers=route_handlers,
        on_app_init=[jwt_auth.on_app_init, outermost_request_connection, _request_id_outermost],
        dependencies=DEPENDENCIES,
        lifespan=[lifespan_for(settings)],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[
            DefineMiddleware(ForwardedClient, trusted=settings.trusted_proxy_networks),
            RejectNulInUrl,
        ],
        request_class=VervalRequest,
        # Only JSON arrives without a per-route limit; photo uploads raise theirs.
        request_max_body_size=settings.max_json_bytes,
        compression_config=CompressionConfig(
            backend="gzip",
            minimum_size=1024,
            gzip_compress_level=6,
            exclude_opt_key=SKIP_COMPRESSION,
        ),
        openapi_config=OpenAPIConfig(
            title="Verval API",
            version=f"{API_VERSION}.0",
            description="Field verification of the social-welfare register (DTKS/DTSEN).",
            path="/schema",
            render_plugins=documentation_pages(),
        ),
        logging_config=LoggingConfig(configure_root_logger=False, log_exceptions="never"),
        debug=False,
    )
    document_errors(app)
    return app

"""The one app factory: every controller, handler, dependency and the lifespan, wired here."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.logging.config import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, ControllerRouterHandler, Message, Receive, Scope, Send

from api.audit.controller import AuditController
from api.client_config.controller import ClientConfigController
from api.dependencies import DEPENDENCIES, outermost_request_connection
from api.errors import EXCEPTION_HANDLERS
from api.files.controller import LocalMediaController
from api.forms.controller import FormsController
from api.health.controller import HealthController
from api.logging import RequestIdMiddleware, configure_logging
from api.registry.controller import REGISTRY_CONTROLLERS
from api.reports.controller import REPORT_CONTROLLERS
from api.resources import lifespan_for
from api.review.controller import REVIEW_CONTROLLERS
from api.settings import Settings, load_settings
from api.visits.controller import VisitIntakeController
from auth import session_cache
from auth.controller import AuthController, MeController, UsersController
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
        AuditController,
        ClientConfigController,
        LocalMediaController,
        *REGISTRY_CONTROLLERS,
        *REPORT_CONTROLLERS,
        *REVIEW_CONTROLLERS,
    ]


class PwaCacheHeaders:
    """Cache rules of the PWA shell: hashed assets forever, the entry points never.

    The service worker and index.html must be revalidated on every load, or a phone
    would never learn that a new version exists.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if path.startswith("/assets/"):
            policy = b"public, max-age=31536000, immutable"
        elif path in ("/", "/index.html", "/sw.js", "/manifest.webmanifest") or "." not in path:
            policy = b"no-cache"
        else:
            policy = b"public, max-age=3600"

        async def with_policy(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"
                ]
                message = {**message, "headers": [*headers, (b"cache-control", policy)]}
            await send(message)

        await self.app(scope, receive, with_policy)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    configure_logging(settings.log_level, settings.log_format)
    session_cache.configure(settings.session_cache_seconds)

    route_handlers: list[ControllerRouterHandler] = [HealthController, *api_controllers()]
    pwa_dist = Path(settings.pwa_dist)
    if (pwa_dist / "index.html").is_file():
        # Registered last: API routes win over the catch-all PWA shell.
        route_handlers.append(
            create_static_files_router(
                path="/",
                directories=[pwa_dist],
                html_mode=True,
                include_in_schema=False,
                name="pwa",
                middleware=[PwaCacheHeaders],
                opt={"exclude_from_auth": True},
            )
        )

    jwt_auth = build_jwt_auth(settings)
    return Litestar(
        route_handlers=route_handlers,
        on_app_init=[jwt_auth.on_app_init, outermost_request_connection],
        dependencies=DEPENDENCIES,
        lifespan=[lifespan_for(settings)],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[RequestIdMiddleware],
        # Only JSON arrives without a per-route limit; photo uploads raise theirs.
        request_max_body_size=settings.max_json_bytes,
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=1024, gzip_compress_level=6
        ),
        openapi_config=OpenAPIConfig(
            title="Verval API",
            version=f"{API_VERSION}.0",
            description="Field verification of the social-welfare register (DTKS/DTSEN).",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        logging_config=LoggingConfig(configure_root_logger=False, log_exceptions="never"),
        debug=False,
    )

"""The published OpenAPI tells the truth about errors and bodies.

Every operation lists the error statuses it can answer, each as ``application/problem+json``
with :class:`Problem`'s schema (api/errors.py makes every error that shape). The photo
upload documents its ``image/jpeg`` body, which the handler streams itself. Applied to the
app's route handlers once they are registered, before the schema is first built.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import OpenAPIRenderPlugin, ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.routes import HTTPRoute

from api.errors import PROBLEM_JSON
from api.problem_codes import ProblemCode
from api.village.schemas import EvidenceOut
from api.visits.schemas import PhotoReceipt, VisitReceipt

# Copied into the PWA build by pwa/scripts/copy-api-docs.mjs from their npm packages.
DOCS_ASSETS = "/api-docs"
_FAVICON = "<link rel='icon' type='image/png' href='/icons/icon-192.png'>"


def documentation_pages() -> list[OpenAPIRenderPlugin]:
    """/schema (Scalar) and /schema/swagger, with every script served by this deployment."""
    return [
        ScalarRenderPlugin(
            js_url=f"{DOCS_ASSETS}/scalar.js",
            css_url=f"{DOCS_ASSETS}/scalar.css",
            favicon=_FAVICON,
        ),
        SwaggerRenderPlugin(
            path="/swagger",
            js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
            favicon=_FAVICON,
        ),
    ]


PUBLIC_OPERATIONS = ("/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/enrol")
THROTTLED_OPERATIONS = (
    *PUBLIC_OPERATIONS,
    "/api/v1/users/{user_id}/enrolment-codes",
    "/api/v1/public/reviews/{village}/objections",  # per address and per village
)
# Uploads whose body is one JPEG, streamed by the handler.
JPEG_UPLOAD_ENDINGS = ("/photos/{photo_id}", "/minutes/{page_id}")
# Outside the JWT sign-in, with a credential of their own (401 without a valid one).
API_KEY_OPERATIONS = ("/api/v1/civil-registry/events",)


class ProblemError(msgspec.Struct, kw_only=True):
    """One problem of the request: where (``path``), and a ``message`` or a ``code``."""

    path: str
    message: str | None = None
    code: str | None = None


class Problem(msgspec.Struct, kw_only=True):
    """RFC 9457 problem details, as every Verval error is answered."""

    type: str
    title: str
    status: int
    code: ProblemCode  # the catalogue: api/problem_codes.py
    detail: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[ProblemError] | None = None


@dataclass
class PhotoUploadOperation(Operation):
    """The photo PUT streams its body itself; say what that body is."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="The photo's JPEG bytes, exactly the size and SHA-256 declared.",
            content={
                "image/jpeg": OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                )
            },
        )


def _problem(status: int) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        media_type=PROBLEM_JSON,
        description=HTTPStatus(status).phrase,
        generate_examples=False,
    )


def streamed_media_type(path: str) -> str | None:
    """What a streamed (non-JSON) answer is, which Litestar cannot see in ``-> Stream``."""
    if path.endswith(".csv"):
        return "text/csv"
    if path.endswith(".xlsx"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if path.endswith(".geojson"):
        return "application/geo+json"
    if path.startswith("/api/v1/audit/bundles") and not path.endswith("/link"):
        return "application/zip"
    if path.startswith("/api/v1/media/local/"):
        return "image/jpeg"  # evidence and its derivatives are JPEG
    return None


def _created(model: type[Any]) -> ResponseSpec:
    return ResponseSpec(
        data_container=model, description="Stored for the first time", generate_examples=False
    )


def error_statuses(handler: HTTPRouteHandler, path: str) -> set[int]:
    """The error statuses an operation can answer, from what it declares."""
    methods = handler.http_methods
    statuses = {400, 422, 500, 503}  # bad input, broken rules, and the server's own failures
    if not handler.opt.get("exclude_from_auth"):
        statuses.add(401)
    if path.startswith("/api/"):
        # A role or a signed link that does not allow it; an object outside the caller's
        # regions answers as if absent.
        statuses |= {403, 404}
    if methods & {"POST", "PUT", "PATCH", "DELETE"}:
        statuses |= {409, 413, 415}
    if path in PUBLIC_OPERATIONS:
        statuses.add(401)  # a wrong password, code or refresh token
    # What a handler declares beyond the rules above (e.g. a GET refused with 409).
    statuses |= set(handler.opt.get("problem_statuses", ()))
    if path in API_KEY_OPERATIONS:
        statuses.add(401)  # no API key, or a revoked one
    if path in THROTTLED_OPERATIONS:
        statuses.add(429)
    return statuses


def document_errors(app: Litestar) -> None:
    """Add the problem+json error responses (and the photo body) to every operation."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            declared: dict[int, Any] = dict(handler.responses or {})
            for status in error_statuses(handler, route.path_format):
                declared.setdefault(status, _problem(status))
            # What the handlers answer besides their 200, which Litestar cannot see.
            if "PUT" in handler.http_methods and route.path_format == "/api/v1/visits/{visit_id}":
                declared.setdefault(201, _created(VisitReceipt))
            if "PUT" in handler.http_methods and route.path_format.endswith(JPEG_UPLOAD_ENDINGS):
                # A visit's photo gets the intake receipt; the village's evidence (a proposal's
                # photo, a signed minutes page) its sealed-evidence record.
                receipt = (
                    PhotoReceipt if route.path_format.startswith("/api/v1/visits/") else EvidenceOut
                )
                declared.setdefault(201, _created(receipt))
                if receipt is EvidenceOut:  # its handler's annotation is a bare Response
                    declared[200] = ResponseSpec(
                        data_container=EvidenceOut,
                        description="Stored before (a repeat): the same record",
                        generate_examples=False,
                    )
                handler.operation_class = PhotoUploadOperation
            streamed = streamed_media_type(route.path_format)
            if streamed is not None and "GET" in handler.http_methods:
                declared[200] = ResponseSpec(
                    data_container=bytes,
                    media_type=streamed,
                    description="The file, streamed",
                    generate_examples=False,
                )
            if route.path_format == "/api/v1/forms/{form_id}/versions/{version}":
                declared.setdefault(304, ResponseSpec(None, description="Not Modified (ETag)"))
            handler.responses = declared

"""Every error leaves the API as RFC 9457 problem+json with a stable ``code``.

Domain code raises :class:`DomainError` subclasses; HTTP, validation and
infrastructure failures are mapped here, in one place. No handler ever returns
a stack trace or the text of an unexpected exception.
"""

from __future__ import annotations

import logging
import sqlite3
from http import HTTPStatus
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.types import ExceptionHandlersMap

from api.db import DatabaseUnavailable
from media.store import ObjectStoreUnavailable

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("verval.errors")


class DomainError(Exception):
    """A rule of the domain was broken; subclasses fix the status and code."""

    status_code: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.extra = extra or {}
        self.headers = headers or {}


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class Unprocessable(DomainError):
    """The request is well-formed but its content breaks a rule (lists every problem)."""

    status_code = 422
    code = "validation_failed"


class ServiceUnavailable(DomainError):
    status_code = 503
    code = "service_unavailable"


def problem(
    request: Request[Any, Any, Any] | None,
    status: int,
    code: str,
    detail: str,
    *,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": f"https://verval.id/problems/{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
        request_id = request.scope.get("state", {}).get("request_id")
        if request_id:
            body["request_id"] = request_id
            # Errors raised in middleware (the JWT check's 401) are answered outside the
            # request-id middleware's send, so the problem carries its own header.
            headers = {**(headers or {}), "x-request-id": request_id}
    if extra:
        body.update(extra)
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    return problem(
        request, exc.status_code, exc.code, exc.detail, extra=exc.extra, headers=exc.headers
    )


_HTTP_CODES: dict[type[HTTPException], str] = {
    NotFoundException: "not_found",
    MethodNotAllowedException: "method_not_allowed",
    NotAuthorizedException: "not_authenticated",
    PermissionDeniedException: "forbidden",
    RequestEntityTooLarge: "payload_too_large",
    TooManyRequestsException: "too_many_requests",
}


def _http_exception(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[dict[str, Any]]:
    status = exc.status_code
    if isinstance(exc, ValidationException):
        # Litestar's own request parsing (path, query, body shape).
        errors = [
            {"path": str(item.get("key", "")), "message": str(item.get("message", ""))}
            for item in (exc.extra or [])
            if isinstance(item, dict)
        ]
        return problem(
            request, 400, "invalid_request", "The request is not valid.", extra={"errors": errors}
        )
    code = next((c for t, c in _HTTP_CODES.items() if isinstance(exc, t)), None)
    if code is None:
        # Only codes of the catalogue (api/problem_codes.py) leave the API.
        code = {
            413: "payload_too_large",
            415: "unsupported_media_type",
            503: "service_unavailable",
        }.get(status, "invalid_request" if status < 500 else "internal_error")
    detail = exc.detail if status < 500 else HTTPStatus(status).phrase
    return problem(request, status, code, detail, headers=exc.headers)


def _database_unavailable(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    log.error("database unavailable: %s", type(exc).__name__)
    return problem(
        request,
        503,
        "database_unavailable",
        "The database is not reachable; try again later.",
        headers={"Retry-After": "5"},
    )


def _object_store_unavailable(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    log.error("object store unavailable: %s", type(exc).__name__)
    return problem(
        request,
        503,
        "object_store_unavailable",
        "The evidence store is not reachable; try again later.",
        headers={"Retry-After": "10"},
    )


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    if _is_database_failure(exc):
        return _database_unavailable(request, exc)
    refused = _refused_by_driver(exc)
    if refused is not None:
        status, code, detail = refused
        log.warning("value refused by the database driver: %s", type(exc).__name__)
        return problem(request, status, code, detail)
    # The traceback goes to the log (which never carries request bodies), not to the client.
    log.exception("unhandled error", exc_info=exc)
    return problem(request, 500, "internal_error", "Something went wrong on the server.")


def _refused_by_driver(exc: BaseException) -> tuple[int, str, str] | None:
    """A value the database cannot hold, recognised by the driver's exception class.

    The request's own checks (api/bounds.py, api/request_guard.py) refuse these first; this
    is the net under them, so a value that slips through is still the client's 4xx.
    """
    from asyncpg.exceptions import (
        CharacterNotInRepertoireError,
        NumericValueOutOfRangeError,
        UntranslatableCharacterError,
    )
    from asyncpg.exceptions import _base as asyncpg_base

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, CharacterNotInRepertoireError | UntranslatableCharacterError):
            return 422, "nul_character", "A text holds a character that cannot be stored."
        if isinstance(seen, OverflowError | NumericValueOutOfRangeError) or (
            isinstance(seen, asyncpg_base.DataError)  # an argument the driver cannot encode
        ):
            return 400, "value_out_of_range", "A number in the request is out of range."
        seen = seen.__cause__ or seen.__context__
    return None


def is_unique_violation(error: BaseException) -> bool:
    """A unique or primary-key constraint refused a row, on either database, recognised by
    the driver's exception class and error code (never by its message text)."""
    from asyncpg.exceptions import UniqueViolationError

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, UniqueViolationError):
            return True
        if isinstance(seen, sqlite3.IntegrityError) and getattr(seen, "sqlite_errorcode", None) in (
            sqlite3.SQLITE_CONSTRAINT_UNIQUE,
            sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY,
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _is_database_failure(exc: BaseException) -> bool:
    """Connection-level failures of either driver, however deep in the cause chain."""
    seen: BaseException | None = exc
    while seen is not None:
        name = type(seen).__name__
        module = type(seen).__module__
        if module.startswith("asyncpg") and (
            "Connection" in name or "CannotConnect" in name or "TooManyConnections" in name
        ):
            return True
        if isinstance(seen, ConnectionRefusedError | ConnectionResetError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: _domain_error,
    HTTPException: _http_exception,
    DatabaseUnavailable: _database_unavailable,
    ObjectStoreUnavailable: _object_store_unavailable,
    Exception: _unexpected,
}

__all__ = [
    "EXCEPTION_HANDLERS",
    "PROBLEM_JSON",
    "Conflict",
    "DomainError",
    "Forbidden",
    "MediaType",
    "NotFound",
    "ServiceUnavailable",
    "Unprocessable",
    "is_unique_violation",
    "problem",
]

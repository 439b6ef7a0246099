"""Authentication middleware config and role guards for controllers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.security.jwt import JWTAuth

from api.errors import Forbidden
from api.settings import Settings
from auth import service
from auth.roles import HUMAN_ROLES, Principal, Role
from auth.tokens import ALGORITHM, REQUIRED_CLAIMS, AccessToken

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


async def _principal_from_token(
    token: AccessToken, _: ASGIConnection[Any, Any, Any, Any]
) -> Principal | None:
    return await service.principal_for_session(token.sid, token.sub)


def build_jwt_auth(settings: Settings) -> JWTAuth[Principal, AccessToken]:
    return JWTAuth[Principal, AccessToken](
        token_secret=settings.signing_key.decode(),
        algorithm=ALGORITHM,
        token_cls=AccessToken,
        retrieve_user_handler=_principal_from_token,
        accepted_audiences=[settings.jwt_audience],
        accepted_issuers=[settings.jwt_issuer],
        require_claims=list(REQUIRED_CLAIMS),
        strict_audience=True,
        default_token_expiration=timedelta(minutes=settings.access_token_minutes),
        exclude=["^/schema", "^/swagger"],
    )


def token_policy(settings: Settings) -> service.TokenPolicy:
    return service.TokenPolicy(
        secret=settings.signing_key.decode(),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        access_lifetime=timedelta(minutes=settings.access_token_minutes),
        refresh_lifetime=timedelta(days=settings.refresh_token_days),
    )


def requires_role(*roles: Role) -> Guard:
    """A controller guard: the caller must hold one of ``roles``.

    A coroutine function on purpose: Litestar runs a plain function guard in a worker
    thread (a thread hop per guard per request: ~4 % of the API's CPU in a profile of
    #18); this check needs no thread."""
    allowed = frozenset(roles)

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if not isinstance(user, Principal):
            raise NotAuthorizedException("Sign in first.")
        if user.role not in allowed:
            raise Forbidden("Your role may not do this.", code="role_forbidden")

    return guard


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException("Sign in first.")
    return user


# Every signed-in person: their own account, the deployment's configuration, the forms.
SIGNED_IN = HUMAN_ROLES
# The field's roles: assignments, visits, regions. The village operator is not one of
# them: it sees its villages' masked lists through api/village only.
ANY_ROLE = tuple(role for role in HUMAN_ROLES if role is not Role.VILLAGE_OPERATOR)
STAFF = (Role.SUPERVISOR, Role.ADMIN)

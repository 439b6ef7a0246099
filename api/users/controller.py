"""HTTP for sign-in, the caller's own account, and user administration."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import segno
from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import Body, FromPath, FromQuery
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from api.audit.service import Actor
from api.bounds import IdPath
from api.resources import resources_from_state
from auth import service
from auth.guards import SIGNED_IN, STAFF, requires_role, token_policy
from auth.roles import Principal, Role
from auth.schemas import (
    EnrolmentCreate,
    EnrolmentOut,
    EnrolRequest,
    LoginRequest,
    PasswordChange,
    PrincipalOut,
    RefreshRequest,
    SessionOut,
    TokenPair,
    UserCreate,
    UserOut,
    UserUpdate,
)


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def _policy(state: State) -> service.TokenPolicy:
    return token_policy(resources_from_state(state).settings)


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post(
        "/login", status_code=HTTP_200_OK, exclude_from_auth=True, summary="Sign in with a password"
    )
    async def login(
        self, request: Request[Any, Any, Any], state: State, data: Annotated[LoginRequest, Body()]
    ) -> TokenPair:
        return await service.login(
            _policy(state), data.username, data.password, data.device_label, _client(request)
        )

    @post(
        "/refresh",
        status_code=HTTP_200_OK,
        exclude_from_auth=True,
        summary="Rotate the refresh token",
    )
    async def refresh(
        self, request: Request[Any, Any, Any], state: State, data: Annotated[RefreshRequest, Body()]
    ) -> TokenPair:
        return await service.refresh(_policy(state), data.refresh_token, _client(request))

    @post(
        "/enrol",
        status_code=HTTP_200_OK,
        exclude_from_auth=True,
        summary="Sign a phone in with an enrolment code",
    )
    async def enrol(
        self, request: Request[Any, Any, Any], state: State, data: Annotated[EnrolRequest, Body()]
    ) -> TokenPair:
        return await service.enrol(_policy(state), data.code, data.device_label, _client(request))

    @post(
        "/logout",
        status_code=HTTP_204_NO_CONTENT,
        guards=[requires_role(*SIGNED_IN)],
        summary="End this session",
    )
    async def logout(self, request: Request[Principal, Any, Any]) -> None:
        await service.logout(request.user)


def _session_out(row: dict, current: str | None = None) -> SessionOut:
    return SessionOut(
        id=str(row["id"]),
        device_label=row["device_label"],
        method=row["method"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        current=str(row["id"]) == current,
    )


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["auth"]
    guards = [requires_role(*SIGNED_IN)]

    @get("", summary="Who am I")
    async def me(self, request: Request[Principal, Any, Any]) -> PrincipalOut:
        user = request.user
        return PrincipalOut(
            id=user.user_id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            scopes=list(user.scopes),
            session_id=user.session_id,
        )

    @post(
        "/password",
        status_code=HTTP_204_NO_CONTENT,
        summary="Change my password (ends my other sessions)",
    )
    async def change_password(
        self, request: Request[Principal, Any, Any], data: Annotated[PasswordChange, Body()]
    ) -> None:
        await service.change_password(request.user, data.current_password, data.new_password)

    @get("/sessions", summary="My signed-in devices")
    async def sessions(self, request: Request[Principal, Any, Any]) -> list[SessionOut]:
        rows = await service.list_sessions(request.user.user_id)
        return [_session_out(r, request.user.session_id) for r in rows]

    @delete("/sessions/{session_id:uuid}", summary="Sign one of my devices out")
    async def revoke(
        self, request: Request[Principal, Any, Any], session_id: FromPath[uuid.UUID]
    ) -> None:
        await service.revoke_session(request.user, request.user.user_id, session_id)


class UsersController(Controller):
    """Admins manage everyone; supervisors see and enrol the enumerators of their regions."""

    path = "/api/v1/users"
    tags = ["users"]
    guards = [requires_role(*STAFF)]

    @get("", summary="Users the caller may manage")
    async def list_users(
        self,
        request: Request[Principal, Any, Any],
        role: FromQuery[Role | None] = None,
        active: FromQuery[bool | None] = None,
    ) -> list[UserOut]:
        return await service.list_users(request.user, role, active)

    @post("", guards=[requires_role(Role.ADMIN)], summary="Create a user")
    async def create_user(
        self, request: Request[Principal, Any, Any], data: Annotated[UserCreate, Body()]
    ) -> UserOut:
        return await service.create_user(Actor.user(request.user.user_id), data)

    @get("/{user_id:int}", summary="One user")
    async def get_user(self, request: Request[Principal, Any, Any], user_id: IdPath) -> UserOut:
        return await service.visible_user(request.user, user_id)

    @patch(
        "/{user_id:int}",
        guards=[requires_role(Role.ADMIN)],
        summary="Change a user (deactivate, role, scopes)",
    )
    async def update_user(
        self,
        request: Request[Principal, Any, Any],
        user_id: IdPath,
        data: Annotated[UserUpdate, Body()],
    ) -> UserOut:
        return await service.update_user(Actor.user(request.user.user_id), user_id, data)

    @post("/{user_id:int}/enrolment-codes", summary="A one-time code (and QR) to enrol a phone")
    async def enrolment_code(
        self,
        request: Request[Principal, Any, Any],
        user_id: IdPath,
        data: Annotated[EnrolmentCreate, Body()],
    ) -> EnrolmentOut:
        code, expires = await service.create_enrolment_code(
            request.user, user_id, data.valid_minutes
        )
        payload = f"VERVAL-ENROL:{code}"
        qr_svg = segno.make(payload, error="m").svg_inline(scale=6, border=2)
        return EnrolmentOut(code=code, expires_at=expires, qr_payload=payload, qr_svg=qr_svg)

    @get("/{user_id:int}/sessions", summary="A user's signed-in devices")
    async def user_sessions(
        self, request: Request[Principal, Any, Any], user_id: IdPath
    ) -> list[SessionOut]:
        await service.visible_user(request.user, user_id)
        return [_session_out(r) for r in await service.list_sessions(user_id)]

    @delete("/{user_id:int}/sessions/{session_id:uuid}", summary="Sign a user's device out")
    async def revoke_user_session(
        self,
        request: Request[Principal, Any, Any],
        user_id: IdPath,
        session_id: FromPath[uuid.UUID],
    ) -> None:
        await service.visible_user(request.user, user_id)
        await service.revoke_session(request.user, user_id, session_id)

"""Request and response bodies of the auth endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from auth.roles import Role

Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=64, pattern=r"^[a-z0-9._-]+$"
    ),
]
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")]
DeviceLabel = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(Strict):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    device_label: DeviceLabel = ""


class RefreshRequest(Strict):
    refresh_token: Annotated[str, StringConstraints(min_length=10, max_length=200)]


class EnrolRequest(Strict):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=20)]
    device_label: DeviceLabel = ""


class TokenPair(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 (a scheme name)
    expires_at: datetime
    refresh_token: str
    session_id: str


class PrincipalOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    scopes: list[str]
    session_id: str


class PasswordChange(Strict):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    new_password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class SessionOut(BaseModel):
    id: str
    device_label: str
    method: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    current: bool = False


class UserCreate(Strict):
    username: Username
    display_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    role: Role
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    scopes: list[RegionCode] = Field(default_factory=list, max_length=50)


class UserUpdate(Strict):
    display_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
        | None
    ) = None
    role: Role | None = None
    scopes: list[RegionCode] | None = Field(default=None, max_length=50)
    active: bool | None = None


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    scopes: list[str]
    active: bool
    created_at: datetime


class EnrolmentCreate(Strict):
    valid_minutes: int = Field(default=10, ge=1, le=60)


class EnrolmentOut(BaseModel):
    code: str
    expires_at: datetime
    qr_payload: str
    qr_svg: str

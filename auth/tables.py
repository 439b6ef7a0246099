"""Accounts, region scopes, device sessions and the one-time secrets around them."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class User(Table, tablename="app_user"):
    id = Serial(primary_key=True)
    username = Varchar(length=64, unique=True, index=True)
    display_name = Varchar(length=200)
    role = Varchar(length=16)  # enumerator | supervisor | auditor | admin | village_operator
    password_hash = Varchar(length=200)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    password_changed_at = Timestamptz(default=TimestamptzNow())


class UserScope(Table, tablename="app_user_scope"):
    """A region code the user may see; it covers every region below it."""

    id = Serial(primary_key=True)
    user = ForeignKey(references=User, index=True)
    region_code = Varchar(length=20)


class DeviceSession(Table, tablename="auth_session"):
    """One signed-in device; also the family of its rotating refresh tokens."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, index=True)
    device_label = Varchar(length=120, default="")
    method = Varchar(length=16, default="password")  # password | enrolment
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Varchar(length=40, null=True, default=None)


class RefreshToken(Table, tablename="auth_refresh_token"):
    """Stored only as a SHA-256; each is used once and replaced by the next."""

    id = Serial(primary_key=True)
    session = ForeignKey(references=DeviceSession, index=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    issued_at = Timestamptz(default=TimestamptzNow())
    used_at = Timestamptz(null=True, default=None)


class EnrolmentCode(Table, tablename="auth_enrolment_code"):
    """A short-lived, single-use code that signs a phone in as an enumerator."""

    id = Serial(primary_key=True)
    user = ForeignKey(references=User, index=True)
    created_by = ForeignKey(references=User)
    code_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class LoginThrottle(Table, tablename="auth_login_throttle"):
    """Failure counters per username and per client address, shared by all workers."""

    key = Varchar(length=200, primary_key=True)
    failures = Integer(default=0)
    window_started_at = Timestamptz(default=TimestamptzNow())
    locked_until = Timestamptz(null=True, default=None)

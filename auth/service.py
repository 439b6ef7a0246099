"""The rules of signing in: passwords, enrolment codes, token rotation, throttling, users."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from api import db
from api.errors import Conflict, DomainError, Forbidden, NotFound, Unprocessable
from auth import queries, session_cache
from auth.actors import Actor
from auth.audit_trail import append_event
from auth.passwords import hash_password_off_loop, password_problem, verify_password_off_loop
from auth.roles import Principal, Role, is_village_code, region_covers
from auth.schemas import TokenPair, UserCreate, UserOut, UserUpdate
from auth.tables import DeviceSession, EnrolmentCode, LoginThrottle, RefreshToken, User, UserScope
from auth.tokens import new_access_token, new_opaque_token, token_digest

# Login throttling: failures counted in a sliding window, per username and per address.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 30
# Enrolment codes: 8 characters from an alphabet without look-alikes (I/1, O/0, U/V).
ENROLMENT_ALPHABET = "ABCDEFGHJKLMNPQRSTWXYZ23456789"
ENROLMENT_CODE_LENGTH = 8


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"


class TooManyAttempts(DomainError):
    status_code = 429
    code = "too_many_attempts"


@dataclass(frozen=True)
class TokenPolicy:
    secret: str
    issuer: str
    audience: str
    access_lifetime: timedelta
    refresh_lifetime: timedelta


def _now() -> datetime:
    return datetime.now(UTC)


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- throttling ------------------------------------------------------------------


async def _throttle_retry_after(keys: list[tuple[str, int]], now: datetime) -> int | None:
    rows = await LoginThrottle.select().where(LoginThrottle.key.is_in([k for k, _ in keys]))
    limits = dict(keys)
    waits = []
    for row in rows:
        window_end = _as_utc(row["window_started_at"]) + THROTTLE_WINDOW
        if row["failures"] >= limits[row["key"]] and window_end > now:
            waits.append(int((window_end - now).total_seconds()) + 1)
    return max(waits) if waits else None


async def _record_failure(keys: list[str], now: datetime) -> None:
    for key in keys:
        row = await LoginThrottle.select().where(LoginThrottle.key == key).first()
        if row is None:
            await LoginThrottle.insert(LoginThrottle(key=key, failures=1, window_started_at=now))
        elif _as_utc(row["window_started_at"]) + THROTTLE_WINDOW <= now:
            await LoginThrottle.update(
                {LoginThrottle.failures: 1, LoginThrottle.window_started_at: now}
            ).where(LoginThrottle.key == key)
        else:
            await LoginThrottle.update({LoginThrottle.failures: LoginThrottle.failures + 1}).where(
                LoginThrottle.key == key
            )


def _throttle_keys(username: str | None, client: str) -> list[tuple[str, int]]:
    keys = [(f"addr:{client}", MAX_FAILURES_PER_ADDRESS)]
    if username:
        keys.append((f"user:{username.lower()}", MAX_FAILURES_PER_USERNAME))
    return keys


async def _refuse_if_throttled(username: str | None, client: str, now: datetime) -> None:
    retry_after = await _throttle_retry_after(_throttle_keys(username, client), now)
    if retry_after is not None:
        raise TooManyAttempts(
            "Too many failed attempts; try again later.",
            headers={"Retry-After": str(retry_after)},
            extra={"retry_after": retry_after},
        )


async def _fail_attempt(
    username: str | None, client: str, action: str, now: datetime, detail: str
) -> NotAuthenticated:
    async with db.write_transaction():
        await _record_failure([k for k, _ in _throttle_keys(username, client)], now)
        await append_event(
            Actor.system(),
            action,
            "security",
            username or client,
            details={"client": client, "username": username},
        )
    return NotAuthenticated(detail, code="invalid_credentials")


# --- sessions and tokens -----------------------------------------------------------


async def _open_session(
    policy: TokenPolicy, user: dict, device_label: str, method: str, now: datetime
) -> TokenPair:
    session_id = uuid.uuid4()
    refresh = new_opaque_token()
    await DeviceSession.insert(
        DeviceSession(
            id=session_id,
            user=user["id"],
            device_label=device_label,
            method=method,
            created_at=now,
            last_used_at=now,
            expires_at=now + policy.refresh_lifetime,
        )
    )
    await RefreshToken.insert(
        RefreshToken(session=session_id, token_hash=token_digest(refresh), issued_at=now)
    )
    access, expires = new_access_token(
        secret=policy.secret,
        user_id=user["id"],
        role=user["role"],
        session_id=str(session_id),
        issuer=policy.issuer,
        audience=policy.audience,
        lifetime=policy.access_lifetime,
        now=now,
    )
    return TokenPair(
        access_token=access, expires_at=expires, refresh_token=refresh, session_id=str(session_id)
    )


async def login(
    policy: TokenPolicy, username: str, password: str, device_label: str, client: str
) -> TokenPair:
    now = _now()
    username = username.lower()
    await _refuse_if_throttled(username, client, now)
    user = await queries.user_by_username(username)
    # Always verify (against a dummy hash for unknown users): equal timing, equal answer.
    ok = await verify_password_off_loop(user["password_hash"] if user else None, password)
    if not ok or user is None or not user["active"]:
        raise await _fail_attempt(
            username, client, "auth.login_failed", now, "Username or password is wrong."
        )
    async with db.write_transaction():
        pair = await _open_session(policy, user, device_label, "password", now)
        await append_event(
            Actor.user(user["id"]),
            "auth.login",
            "session",
            pair.session_id,
            details={"method": "password", "client": client},
        )
    return pair


async def refresh(policy: TokenPolicy, refresh_token: str, client: str) -> TokenPair:
    now = _now()
    digest = token_digest(refresh_token)
    async with db.write_transaction():
        row = await RefreshToken.select().where(RefreshToken.token_hash == digest).first()
        if row is None:
            raise NotAuthenticated("The refresh token is not valid.", code="invalid_refresh_token")
        # Mark used atomically: of two concurrent presentations exactly one wins.
        claimed = (
            await RefreshToken.update({RefreshToken.used_at: now})
            .where((RefreshToken.id == row["id"]) & RefreshToken.used_at.is_null())
            .returning(RefreshToken.id)
        )
        session = await DeviceSession.select().where(DeviceSession.id == row["session"]).first()
        assert session is not None
        reused = not claimed
        if reused:
            await DeviceSession.update(
                {DeviceSession.revoked_at: now, DeviceSession.revoked_reason: "refresh_reuse"}
            ).where((DeviceSession.id == session["id"]) & DeviceSession.revoked_at.is_null())
            session_cache.sessions.forget_session(str(session["id"]))
            await append_event(
                Actor.system(),
                "auth.refresh_reuse",
                "session",
                str(session["id"]),
                details={"user_id": session["user"], "client": client},
            )
    if reused:
        raise NotAuthenticated(
            "This refresh token was already used; the session has been ended. Sign in again.",
            code="refresh_token_reused",
        )
    user = await queries.user_by_id(session["user"])
    if (
        session["revoked_at"] is not None
        or _as_utc(session["expires_at"]) <= now
        or user is None
        or not user["active"]
    ):
        raise NotAuthenticated("The session has ended; sign in again.", code="session_ended")
    new_refresh = new_opaque_token()
    async with db.write_transaction():
        await RefreshToken.insert(
            RefreshToken(session=session["id"], token_hash=token_digest(new_refresh), issued_at=now)
        )
        # Sliding expiry: a phone in daily use stays signed in across offline days.
        await DeviceSession.update(
            {
                DeviceSession.last_used_at: now,
                DeviceSession.expires_at: now + policy.refresh_lifetime,
            }
        ).where(DeviceSession.id == session["id"])
        await append_event(
            Actor.user(user["id"]), "auth.refresh", "session", str(session["id"]), details={}
        )
    access, expires = new_access_token(
        secret=policy.secret,
        user_id=user["id"],
        role=user["role"],
        session_id=str(session["id"]),
        issuer=policy.issuer,
        audience=policy.audience,
        lifetime=policy.access_lifetime,
        now=now,
    )
    return TokenPair(
        access_token=access,
        expires_at=expires,
        refresh_token=new_refresh,
        session_id=str(session["id"]),
    )


async def logout(principal: Principal) -> None:
    now = _now()
    async with db.write_transaction():
        await DeviceSession.update(
            {DeviceSession.revoked_at: now, DeviceSession.revoked_reason: "logout"}
        ).where(
            (DeviceSession.id == uuid.UUID(principal.session_id))
            & DeviceSession.revoked_at.is_null()
        )
        await append_event(
            Actor.user(principal.user_id), "auth.logout", "session", principal.session_id
        )
    session_cache.sessions.forget_session(principal.session_id)


async def principal_for_session(session_id: str, user_id: str) -> Principal | None:
    """Who a valid access token speaks for, or None if its session or user ended."""
    cached = session_cache.sessions.get(session_id, user_id)
    if cached is not None:
        return cached
    row = await queries.session_with_user(session_id)
    if row is None or str(row["user_id"]) != user_id:
        return None
    expires_at = _as_utc(row["expires_at"])
    if row["revoked_at"] is not None or not row["active"] or expires_at <= _now():
        return None
    scopes = row["scopes"]
    principal = Principal(
        user_id=row["user_id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        scopes=tuple(scopes),
        session_id=session_id,
    )
    session_cache.sessions.put(session_id, principal, (expires_at - _now()).total_seconds())
    return principal


async def acting_as(username: str, session_id: str, actor: Actor | None = None) -> Principal | None:
    """A user's principal without a sign-in, for work the system does in their name (the
    demo); ``actor`` names someone else in the audit chain. None if there is no such user."""
    user = await queries.user_by_username(username)
    if user is None:
        return None
    scopes = (await queries.scopes_of([user["id"]])).get(user["id"], [])
    return Principal(
        user_id=user["id"],
        username=user["username"],
        display_name=user["display_name"],
        role=Role(user["role"]),
        scopes=tuple(scopes),
        session_id=session_id,
        extra={"actor": actor.ref} if actor else {},
    )


async def change_password(principal: Principal, current: str, new: str) -> None:
    user = await queries.user_by_id(principal.user_id)
    assert user is not None
    if not await verify_password_off_loop(user["password_hash"], current):
        raise Forbidden("The current password is wrong.", code="wrong_password")
    problem = password_problem(new, user["username"])
    if problem:
        raise Unprocessable(problem, code="weak_password")
    now = _now()
    new_hash = await hash_password_off_loop(new)
    async with db.write_transaction():
        await User.update({User.password_hash: new_hash, User.password_changed_at: now}).where(
            User.id == principal.user_id
        )
        # Other devices must sign in again with the new password.
        await queries.revoke_sessions(
            principal.user_id, "password_changed", now, except_session=principal.session_id
        )
        await append_event(
            Actor.user(principal.user_id), "user.password_changed", "user", principal.user_id
        )
    session_cache.sessions.forget_user(principal.user_id)


async def list_sessions(user_id: int) -> list[dict]:
    return await (
        DeviceSession.select()
        .where(DeviceSession.user == user_id)
        .order_by(DeviceSession.created_at, ascending=False)
        .limit(200)
    )


async def revoke_session(actor: Principal, user_id: int, session_id: uuid.UUID) -> None:
    async with db.write_transaction():
        changed = (
            await DeviceSession.update(
                {DeviceSession.revoked_at: _now(), DeviceSession.revoked_reason: "revoked"}
            )
            .where(
                (DeviceSession.id == session_id)
                & (DeviceSession.user == user_id)
                & DeviceSession.revoked_at.is_null()
            )
            .returning(DeviceSession.id)
        )
        if not changed:
            raise NotFound("No such active session.")
        await append_event(
            Actor.user(actor.user_id),
            "auth.session_revoked",
            "session",
            str(session_id),
            details={"user_id": user_id},
        )
    session_cache.sessions.forget_session(str(session_id))


# --- enrolment ----------------------------------------------------------------------


def _new_enrolment_code() -> str:
    return "".join(secrets.choice(ENROLMENT_ALPHABET) for _ in range(ENROLMENT_CODE_LENGTH))


def normalise_enrolment_code(code: str) -> str:
    return code.upper().replace("-", "").replace(" ", "")


def format_enrolment_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


async def create_enrolment_code(
    actor: Principal, user_id: int, valid_minutes: int
) -> tuple[str, datetime]:
    target = await visible_user(actor, user_id)
    if target.role is not Role.ENUMERATOR or not target.active:
        raise Unprocessable("Enrolment codes are for active enumerators.", code="not_enumerator")
    now = _now()
    code = _new_enrolment_code()
    expires = now + timedelta(minutes=valid_minutes)
    async with db.write_transaction():
        # One live code per enumerator: a new code replaces any unused one.
        await EnrolmentCode.update({EnrolmentCode.used_at: now}).where(
            (EnrolmentCode.user == user_id) & EnrolmentCode.used_at.is_null()
        )
        await EnrolmentCode.insert(
            EnrolmentCode(
                user=user_id,
                created_by=actor.user_id,
                code_hash=token_digest(code),
                created_at=now,
                expires_at=expires,
            )
        )
        await append_event(
            Actor.user(actor.user_id),
            "auth.enrolment_created",
            "user",
            user_id,
            details={"expires_at": expires.isoformat()},
        )
    return format_enrolment_code(code), expires


async def enrol(policy: TokenPolicy, code: str, device_label: str, client: str) -> TokenPair:
    now = _now()
    await _refuse_if_throttled(None, client, now)
    digest = token_digest(normalise_enrolment_code(code))
    async with db.write_transaction():
        row = await EnrolmentCode.select().where(EnrolmentCode.code_hash == digest).first()
        usable = row is not None and row["used_at"] is None and _as_utc(row["expires_at"]) > now
        claimed = []
        if usable and row is not None:
            claimed = (
                await EnrolmentCode.update({EnrolmentCode.used_at: now})
                .where((EnrolmentCode.id == row["id"]) & EnrolmentCode.used_at.is_null())
                .returning(EnrolmentCode.id)
            )
        user = await queries.user_by_id(row["user"]) if claimed and row else None
        if user is not None and user["active"]:
            pair = await _open_session(policy, user, device_label, "enrolment", now)
            await append_event(
                Actor.user(user["id"]),
                "auth.login",
                "session",
                pair.session_id,
                details={"method": "enrolment", "client": client},
            )
            return pair
    raise await _fail_attempt(
        None, client, "auth.enrolment_failed", now, "The code is wrong, used or expired."
    )


# --- users --------------------------------------------------------------------------


def _user_out(row: dict, scopes: list[str]) -> UserOut:
    return UserOut(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        scopes=scopes,
        active=row["active"],
        created_at=row["created_at"],
    )


def _actor_covers_all(actor: Principal, scopes: list[str]) -> bool:
    return actor.is_national or (bool(scopes) and all(actor.covers(code) for code in scopes))


async def visible_user(actor: Principal, user_id: int) -> UserOut:
    """A user the actor may manage: admins any; supervisors enumerators inside their scope."""
    row = await queries.user_by_id(user_id)
    if row is None:
        raise NotFound("No such user.")
    scopes = (await queries.scopes_of([user_id])).get(user_id, [])
    if actor.is_national:
        return _user_out(row, scopes)
    if row["role"] == Role.ENUMERATOR and _actor_covers_all(actor, scopes):
        return _user_out(row, scopes)
    raise NotFound("No such user.")  # 404, not 403: don't reveal users of other regions


async def list_users(actor: Principal, role: Role | None, active: bool | None) -> list[UserOut]:
    query = User.select().order_by(User.username).limit(5000)
    if role is not None:
        query = query.where(User.role == role.value)
    if active is not None:
        query = query.where(User.active == active)
    if not actor.is_national:
        query = query.where(User.role == Role.ENUMERATOR.value)
        region_filter = actor.region_filter(UserScope.region_code)
        if region_filter is not None:
            query = query.where(
                User.id.is_in(UserScope.select(UserScope.user).where(region_filter))
            )
    rows = await query
    unique = {row["id"]: row for row in rows}
    scopes = await queries.scopes_of(list(unique))
    users = [_user_out(row, scopes.get(uid, [])) for uid, row in unique.items()]
    return [u for u in users if _actor_covers_all(actor, u.scopes)]


def _check_village_scopes(role: Role | None, scopes: list[str] | None) -> None:
    """A village operator works for villages, never for a whole district or regency."""
    if role is Role.VILLAGE_OPERATOR and scopes is not None:
        if not all(is_village_code(code) for code in scopes):
            raise Unprocessable(
                "A village operator's scopes must be villages (17.06.01.2005).",
                code="village_scope_required",
            )


async def _scopes_when_role_changes(data: UserUpdate, user_id: int) -> list[str] | None:
    if data.role is not Role.VILLAGE_OPERATOR:
        return None
    return (await queries.scopes_of([user_id])).get(user_id, [])


async def create_user(actor: Actor, data: UserCreate) -> UserOut:
    problem = password_problem(data.password, data.username)
    if problem:
        raise Unprocessable(problem, code="weak_password")
    if data.role is not Role.ADMIN and not data.scopes:
        raise Unprocessable(
            "Every role but admin needs at least one region scope.", code="scope_required"
        )
    if data.role is Role.CIVIL_REGISTRY:
        raise Unprocessable(
            "The civil registry signs in with an API key, not as a user.", code="role_not_a_user"
        )
    _check_village_scopes(data.role, data.scopes)
    password_hash = await hash_password_off_loop(data.password)  # before the write lock
    async with db.write_transaction():
        if await queries.user_by_username(data.username):
            raise Conflict("That username is taken.", code="username_taken")
        rows = await User.insert(
            User(
                username=data.username.lower(),
                display_name=data.display_name,
                role=data.role.value,
                password_hash=password_hash,
                active=True,
            )
        ).returning(User.id)
        user_id = rows[0]["id"]
        await queries.replace_scopes(user_id, data.scopes)
        await append_event(
            actor,
            "user.created",
            "user",
            user_id,
            details={
                "username": data.username.lower(),
                "role": data.role.value,
                "scopes": data.scopes,
            },
        )
    row = await queries.user_by_id(user_id)
    assert row is not None
    return _user_out(row, sorted(set(data.scopes)))


async def update_user(actor: Actor, user_id: int, data: UserUpdate) -> UserOut:
    now = _now()
    async with db.write_transaction():
        row = await queries.user_by_id(user_id)
        if row is None:
            raise NotFound("No such user.")
        _check_village_scopes(
            data.role or Role(row["role"]),
            data.scopes
            if data.scopes is not None
            else await _scopes_when_role_changes(data, user_id),
        )
        changes: dict = {}
        if data.display_name is not None:
            changes[User.display_name] = data.display_name
        if data.role is Role.CIVIL_REGISTRY:
            raise Unprocessable(
                "The civil registry signs in with an API key, not as a user.",
                code="role_not_a_user",
            )
        if data.role is not None:
            changes[User.role] = data.role.value
        if data.active is not None:
            changes[User.active] = data.active
        if changes:
            await User.update(changes).where(User.id == user_id)
        if data.scopes is not None:
            await queries.replace_scopes(user_id, data.scopes)
        if data.active is False or data.role is not None:
            # Deactivation or a new role ends every session; access tokens die with them.
            await queries.revoke_sessions(
                user_id, "deactivated" if data.active is False else "role_changed", now
            )
        await append_event(
            actor,
            "user.updated",
            "user",
            user_id,
            details=data.model_dump(exclude_none=True, mode="json"),
        )
    # A new role, scopes or deactivation: this process asks the database again at once.
    session_cache.sessions.forget_user(user_id)
    fresh = await queries.user_by_id(user_id)
    assert fresh is not None
    return _user_out(fresh, (await queries.scopes_of([user_id])).get(user_id, []))


async def deactivate_user(actor: Actor, username: str) -> UserOut:
    row = await queries.user_by_username(username)
    if row is None:
        raise NotFound("No such user.")
    return await update_user(actor, row["id"], UserUpdate(active=False))


def ensure_scope_within(actor: Principal, region_code: str) -> None:
    if not actor.covers(region_code):
        raise NotFound("No such region in your scope.")


__all__ = ["region_covers"]

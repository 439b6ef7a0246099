"""SQL of the auth module: users with their scopes, sessions, tokens, throttles."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from auth import session_cache
from auth.tables import DeviceSession, User, UserScope


async def scopes_of(user_ids: list[int]) -> dict[int, list[str]]:
    if not user_ids:
        return {}
    rows = await UserScope.select(UserScope.user, UserScope.region_code).where(
        UserScope.user.is_in(user_ids)
    )
    result: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        result[row["user"]].append(row["region_code"])
    return {user_id: sorted(codes) for user_id, codes in result.items()}


async def replace_scopes(user_id: int, codes: list[str]) -> None:
    await UserScope.delete().where(UserScope.user == user_id)
    if codes:
        await UserScope.insert(
            *[UserScope(user=user_id, region_code=code) for code in sorted(set(codes))]
        )


async def user_by_username(username: str) -> dict[str, Any] | None:
    return await User.select().where(User.username == username.lower()).first()


async def user_by_id(user_id: int) -> dict[str, Any] | None:
    return await User.select().where(User.id == user_id).first()


async def session_with_user(session_id: str) -> dict[str, Any] | None:
    """The session, its user and the user's scopes in one round trip.

    Runs on every authenticated request, so it is one query: the scopes come as one
    row each from a LEFT JOIN rather than from a second query.
    """
    try:
        sid = uuid.UUID(session_id)
    except ValueError:
        return None
    rows = await DeviceSession.raw(
        "SELECT s.expires_at, s.revoked_at, u.id AS user_id, u.username, u.display_name, "
        "u.role, u.active, sc.region_code "
        'FROM auth_session s JOIN app_user u ON u.id = s."user" '
        'LEFT JOIN app_user_scope sc ON sc."user" = u.id WHERE s.id = {}',
        sid,
    )
    if not rows:
        return None
    first = dict(rows[0])
    first["scopes"] = sorted({row["region_code"] for row in rows if row["region_code"]})
    return first


async def revoke_sessions(
    user_id: int, reason: str, now: datetime, *, except_session: str | None = None
) -> None:
    query = DeviceSession.update(
        {DeviceSession.revoked_at: now, DeviceSession.revoked_reason: reason}
    ).where((DeviceSession.user == user_id) & DeviceSession.revoked_at.is_null())
    if except_session:
        query = query.where(DeviceSession.id != uuid.UUID(except_session))
    await query
    session_cache.sessions.forget_user(user_id)

"""A short-lived cache of session checks: who an access token speaks for.

Every authenticated request asks whether its session is still valid (one query);
a phone sends a visit and its photos within seconds, so the answer is kept for
``VERVAL_SESSION_CACHE_SECONDS`` (default 5, 0 switches the cache off). Logout,
revoking a session, a password change, deactivation and a role or scope change
forget the user's entries in this process at once; other API processes notice
within the cache time, well inside the access token's own lifetime.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from auth.roles import Principal


@dataclass
class _Entry:
    principal: Principal
    valid_until: float  # time.monotonic()


class SessionCache:
    def __init__(self, seconds: float = 5.0) -> None:
        self.seconds = seconds
        self._entries: dict[str, _Entry] = {}

    def get(self, session_id: str, user_id: str) -> Principal | None:
        entry = self._entries.get(session_id)
        if entry is None:
            return None
        if entry.valid_until <= time.monotonic() or str(entry.principal.user_id) != user_id:
            self._entries.pop(session_id, None)
            return None
        return entry.principal

    def put(self, session_id: str, principal: Principal, session_left_seconds: float) -> None:
        if self.seconds <= 0:
            return
        if len(self._entries) > 50_000:  # bound memory; entries live seconds anyway
            self._entries.clear()
        lifetime = min(self.seconds, session_left_seconds)
        self._entries[session_id] = _Entry(principal, time.monotonic() + lifetime)

    def forget_session(self, session_id: str) -> None:
        self._entries.pop(session_id, None)

    def forget_user(self, user_id: int) -> None:
        for session_id in [s for s, e in self._entries.items() if e.principal.user_id == user_id]:
            self._entries.pop(session_id, None)

    def clear(self) -> None:
        self._entries.clear()


# One per process: the app sets its time from settings at start-up (configure()).
sessions = SessionCache()


def configure(seconds: float) -> None:
    sessions.seconds = seconds
    sessions.clear()

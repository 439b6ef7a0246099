"""Who did something, as the audit chain names it. Defined here, beside the accounts it
names, so ``auth`` need not import ``api`` (``api.audit.service`` re-exports it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who did it: ``user:<id>``, ``cli:<os user>`` or ``system``."""

    ref: str

    @classmethod
    def user(cls, user_id: int) -> Actor:
        return cls(f"user:{user_id}")

    @classmethod
    def system(cls) -> Actor:
        return cls("system")

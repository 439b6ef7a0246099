"""Roles and region scopes: who may do what, and where."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import Or, Where

# Kemendagri codes: province 11, regency 11.01, district 11.01.01, village 11.01.01.2001
REGION_CODE_PATTERN = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


class Role(StrEnum):
    ENUMERATOR = "enumerator"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"
    # The civil registry's service account: an API key that pushes life events and can
    # do nothing else (never a user, never a JWT; see api/civil_registry/credentials.py).
    CIVIL_REGISTRY = "civil_registry"
    # The operator desa/kelurahan: village proposals and deliberations, scoped to villages.
    VILLAGE_OPERATOR = "village_operator"


# The roles people sign in with.
HUMAN_ROLES = (Role.ENUMERATOR, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN, Role.VILLAGE_OPERATOR)


def is_region_code(code: str) -> bool:
    return bool(REGION_CODE_PATTERN.match(code))


def is_village_code(code: str) -> bool:
    return bool(REGION_CODE_PATTERN.match(code)) and code.count(".") == 3


def region_covers(scope_code: str, region_code: str) -> bool:
    """``17.06`` covers ``17.06`` and everything below it, never ``17.061``."""
    return region_code == scope_code or region_code.startswith(scope_code + ".")


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as every handler and service sees it."""

    user_id: int
    username: str
    display_name: str
    role: Role
    scopes: tuple[str, ...]
    session_id: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_national(self) -> bool:
        """Admins administer the whole deployment."""
        return self.role is Role.ADMIN

    def covers(self, region_code: str | None) -> bool:
        if self.is_national:
            return True
        if not region_code:
            return False
        return any(region_covers(scope, region_code) for scope in self.scopes)

    def region_filter(self, column: Column) -> Where | Or | None:
        """A WHERE clause limiting ``column`` (a region code) to this caller's scopes.

        None means no restriction (national). A caller without scopes gets a clause
        that matches nothing, so a forgotten scope never widens access.
        """
        if self.is_national:
            return None
        clauses: list[Any] = []
        for scope in self.scopes:
            clauses.append(column == scope)
            clauses.append(column.like(scope + ".%"))
        if not clauses:
            return column == "\x00no-scope"
        combined = clauses[0]
        for clause in clauses[1:]:
            combined = combined | clause
        return combined  # type: ignore[no-any-return]

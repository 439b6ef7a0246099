"""Scoped building blocks shared by the registry services.

Every query that reads domain rows puts the caller's region clause *inside* the query
(``Principal.region_filter``); nothing is fetched and filtered afterwards.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column

from api.audit.service import Actor
from api.registry.codes import ancestors
from api.registry.tables import Region
from auth import queries as auth_queries
from auth.roles import Principal, Role, region_covers


def actor_of(principal: Principal) -> Actor:
    """Who the audit chain names: the user, or the CLI / demo acting as an admin."""
    ref = principal.extra.get("actor")
    return Actor(str(ref)) if ref else Actor.user(principal.user_id)


def scope_ancestors(principal: Principal) -> list[str]:
    """The codes above the caller's scopes ('17.06.01' → '17', '17.06')."""
    return sorted({code for scope in principal.scopes for code in ancestors(scope)})


def region_or_ancestor_clause(principal: Principal, column: Column) -> Any:
    """Rows whose region is inside the caller's scope or above it (None: no restriction).

    For things that are shared downwards, such as a regency-wide round a district
    supervisor works in, or the names on the way down the region tree.
    """
    inside = principal.region_filter(column)
    if inside is None:
        return None
    above = scope_ancestors(principal)
    return inside | column.is_in(above) if above else inside


def where(query: Any, clause: Any) -> Any:
    """``query`` narrowed by ``clause`` (a region clause; None means no restriction)."""
    return query.where(clause) if clause is not None else query


def under(column: Column, code: str) -> Any:
    """``column`` is ``code`` or below it."""
    return (column == code) | column.like(code + ".%")


async def region_names(codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = await Region.select(Region.code, Region.name).where(Region.code.is_in(sorted(codes)))
    return {row["code"]: row["name"] for row in rows}


def overlaps(principal: Principal, codes: list[str]) -> bool:
    """One of ``codes`` is inside the caller's scope, or contains one of its scopes."""
    if principal.is_national:
        return True
    return any(
        region_covers(scope, code) or region_covers(code, scope)
        for scope in principal.scopes
        for code in codes
    )


async def enumerator_for(principal: Principal, user_id: int) -> dict[str, Any] | None:
    """An enumerator the caller may give work to, with ``scopes``; None if not visible.

    A supervisor sees enumerators whose scopes overlap their own (a regency-wide
    enumerator works in a district supervisor's area too); admins see all.
    """
    row = await auth_queries.user_by_id(user_id)
    if row is None or row["role"] != Role.ENUMERATOR.value:
        return None
    scopes = (await auth_queries.scopes_of([user_id])).get(user_id, [])
    if not overlaps(principal, scopes):
        return None
    return {**row, "scopes": scopes}


def enumerator_covers(enumerator: dict[str, Any], region_code: str) -> bool:
    return any(region_covers(scope, region_code) for scope in enumerator["scopes"])

"""Scoped building blocks shared by the registry services.

Every query that reads domain rows puts the caller's region clause *inside* the query
(``Principal.region_filter``); nothing is fetched and filtered afterwards.
"""

from __future__ import annotations

import uuid
from typing import Any

from piccolo.columns import Column

from api.audit.service import Actor
from api.registry.codes import ancestors
from api.registry.tables import Household, HouseholdMember, Region, Round
from api.visits.tables import Visit
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


async def round_terms(round_id: int) -> dict[str, Any] | None:
    """What a visit must agree with: the round's region, state, dates and form."""
    return await (
        Round.select(
            Round.id,
            Round.region_code,
            Round.state,
            Round.starts_on,
            Round.ends_on,
            Round.form_id,
            Round.form_version,
        )
        .where(Round.id == round_id)
        .first()
    )


async def existing_region_codes(codes: set[str]) -> set[str]:
    if not codes:
        return set()
    rows = await Region.select(Region.code).where(Region.code.is_in(sorted(codes)))
    return {row["code"] for row in rows}


async def has_districts() -> bool:
    return bool(await Region.exists().where(Region.level == "district"))


async def households_with_kk(kk_numbers: list[str]) -> dict[str, int]:
    """No. KK → the register's household holding it (proposed households included)."""
    if not kk_numbers:
        return {}
    rows = await Household.select(Household.id, Household.kk_number).where(
        Household.kk_number.is_in(sorted(set(kk_numbers)))
    )
    return {row["kk_number"]: row["id"] for row in rows}


async def households_with_niks(niks: list[str]) -> dict[str, int]:
    """NIK → the household whose member or head it is."""
    if not niks:
        return {}
    wanted = sorted(set(niks))
    found: dict[str, int] = {}
    rows = await HouseholdMember.select(HouseholdMember.nik, HouseholdMember.household).where(
        HouseholdMember.nik.is_in(wanted)
    )
    found.update({row["nik"]: row["household"] for row in rows})
    heads = await Household.select(Household.id, Household.head_nik).where(
        Household.head_nik.is_in(wanted)
    )
    for row in heads:
        found.setdefault(row["head_nik"], row["id"])
    return found


async def proposal_visit(visit_id: uuid.UUID) -> dict[str, Any] | None:
    """A proposal's visit: its answers, village and GPS fix (None if not a proposal)."""
    return await (
        Visit.select(Visit.id, Visit.region_code, Visit.answers, Visit.gps_lat, Visit.gps_lon)
        .where((Visit.id == visit_id) & (Visit.proposed_household == True))  # noqa: E712
        .output(load_json=True)
        .first()
    )


# The enumerator's first sync on PostgreSQL, as plain rows (building the JSON in the
# database measured slower than decoding rows here). $1 enumerator, $2 scopes (NULL:
# national), $3 assignment ids after, $4 page size, $5 only these ids (NULL: all).
SYNC_ROWS_SQL = """
SELECT a.id, a.round, a.state, a.returned_comment, a.assigned_at, a.updated_at,
       r.form_id, r.form_version, r.name AS round_name, r.region_code AS round_region,
       r.starts_on, r.ends_on,
       h.id AS household_id, h.region_code, coalesce(g.name, '') AS village_name, h.address,
       h.rt, h.rw, h.kk_number, h.head_name, h.head_nik, h.latitude, h.longitude, h.decile,
       h.status, h.baseline::text AS baseline,
       CASE WHEN a.state = 'returned' THEN (
           SELECT v.id FROM visit v
           WHERE v.household_id = a.household AND v.round_id = a.round AND v.state = 'returned'
           ORDER BY v.received_at DESC LIMIT 1) END AS returned_visit_id
FROM assignment a
JOIN verification_round r ON r.id = a.round
JOIN household h ON h.id = a.household
LEFT JOIN region g ON g.code = h.region_code
WHERE a.enumerator = $1 AND r.state = 'open' AND a.id > $3
  AND ($5::bigint[] IS NULL OR a.id = ANY($5::bigint[]))
  AND ($2::text[] IS NULL OR a.region_code = ANY($2::text[])
       OR EXISTS (SELECT 1 FROM unnest($2::text[]) AS s(code)
                  WHERE a.region_code LIKE s.code || '.%'))
ORDER BY a.id
LIMIT $4
"""

SYNC_MEMBERS_SQL = """
SELECT household, id AS member_id, nik, name, sex, relationship, marital_status, birth_date,
       answers::text AS answers
FROM household_member WHERE household = ANY($1::bigint[]) ORDER BY household, position, id
"""

SYNC_FINDINGS_SQL = """
SELECT id, household_id, kind, member_id, details::text AS details
FROM civil_registry_finding WHERE household_id = ANY($1::bigint[]) AND state = 'open' ORDER BY id
"""

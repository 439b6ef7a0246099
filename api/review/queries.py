"""SQL of review: the queue and its counts, decisions, and a household's trail.

Every query that reads visits takes the caller's region clause
(``Principal.region_filter(Visit.region_code)``) inside its WHERE: nothing is fetched
and filtered afterwards.

The queue is ordered by (received_at, id) and paged by keyset: the next page starts
strictly after the last row sent, so visits arriving meanwhile never shift a page or
repeat a row. The indexes that serve it, and what they were measured against, are in
the review migrations.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.query.functions.aggregate import Count

from api.audit.tables import AuditEvent
from api.registry import deciles
from api.registry.tables import Assignment, Household, HouseholdMember
from api.review.tables import Decision
from api.visits.tables import Flag, Photo, Visit
from auth.roles import Principal
from auth.tables import User

FLAGGED = "flagged"  # the flag filter's "any flag"


@dataclass(frozen=True)
class QueueFilters:
    region_code: str | None = None  # a Kemendagri code: the region and everything below
    state: str | None = None
    flag: str | None = None  # a flag code, or "flagged" for any flag
    enumerator_id: int | None = None
    outcome: str | None = None
    received_from: datetime | None = None  # inclusive
    received_to: datetime | None = None  # exclusive
    round_id: int | None = None
    decile: str | None = None  # a selection of api.registry.deciles ("3", "1-4", "unknown")


@dataclass(frozen=True)
class Keyset:
    received_at: datetime
    visit_id: uuid.UUID


def _under(column: Any, code: str) -> Any:
    return (column == code) | column.like(code + ".%")


def filter_clauses(
    principal: Principal, filters: QueueFilters, *, with_state: bool = True
) -> list[Any]:
    clauses: list[Any] = []
    scope = principal.region_filter(Visit.region_code)
    if scope is not None:
        clauses.append(scope)
    if filters.region_code:
        clauses.append(_under(Visit.region_code, filters.region_code))
    if with_state and filters.state:
        clauses.append(Visit.state == filters.state)
    if filters.flag == FLAGGED:
        clauses.append(Visit.flag_count > 0)
    elif filters.flag:
        clauses.append(Visit.id.is_in(Flag.select(Flag.visit).where(Flag.code == filters.flag)))
    if filters.enumerator_id is not None:
        clauses.append(Visit.enumerator_id == filters.enumerator_id)
    if filters.outcome:
        clauses.append(Visit.outcome == filters.outcome)
    if filters.received_from is not None:
        clauses.append(Visit.received_at >= filters.received_from)
    if filters.received_to is not None:
        clauses.append(Visit.received_at < filters.received_to)
    if filters.round_id is not None:
        clauses.append(Visit.round_id == filters.round_id)
    if filters.decile:
        clauses.append(_decile_clause(principal, filters.decile))
    return clauses


def _decile_clause(principal: Principal, selection: str) -> Any:
    """Visits of households with a decile in ``selection`` (proposals have none: unknown).

    The decile lives on the household only (BPS sets it; a visit never carries it), so
    this is a semi-join on the household's primary key. The household side carries the
    caller's scope too, so the planner never has to read households outside it.
    """
    households = Household.select(Household.id).where(deciles.clause(Household.decile, selection))
    scope = principal.region_filter(Household.region_code)
    if scope is not None:
        households = households.where(scope)
    in_band = Visit.household_id.is_in(households)
    if selection == deciles.UNKNOWN:
        return in_band | Visit.household_id.is_null()
    return in_band


async def queue_rows(
    principal: Principal,
    filters: QueueFilters,
    after: Keyset | None,
    limit: int,
    *,
    descending: bool,
) -> list[dict[str, Any]]:
    query = Visit.select(
        Visit.id,
        Visit.household_id,
        Visit.proposed_household,
        Visit.round_id,
        Visit.region_code,
        Visit.enumerator_id,
        Visit.outcome,
        Visit.eligibility,
        Visit.state,
        Visit.started_at,
        Visit.received_at,
        Visit.flag_count,
        Visit.photos_stored,
        Visit.photos_declared,
        Visit.revisit_of,
    )
    for clause in filter_clauses(principal, filters):
        query = query.where(clause)
    hint = scope_range(principal)
    if hint is not None:
        query = query.where(hint)
    if after is not None:
        # The redundant bound on received_at lets the index range start at the cursor.
        if descending:
            query = query.where(Visit.received_at <= after.received_at).where(
                (Visit.received_at < after.received_at) | (Visit.id < after.visit_id)
            )
        else:
            query = query.where(Visit.received_at >= after.received_at).where(
                (Visit.received_at > after.received_at) | (Visit.id > after.visit_id)
            )
    return await query.order_by(  # type: ignore[no-any-return]
        Visit.received_at, Visit.id, ascending=not descending
    ).limit(limit)


def scope_range(principal: Principal) -> Any:
    """A superset of the caller's scope as one prefix LIKE per scope (None: national).

    ``region_filter`` says ``code = '17.06.03' OR code LIKE '17.06.03.%'``: exact, but an
    OR that PostgreSQL cannot turn into one index range. ``LIKE '17.06.03%'`` can; added
    beside the exact clause (never instead of it), it lets the counts read only the
    caller's part of visit (region_code, state, received_at). Region codes are digits and
    dots, so there is nothing to escape.
    """
    if principal.is_national or not principal.scopes:
        return None
    clauses = [Visit.region_code.like(scope + "%") for scope in principal.scopes]
    combined: Any = clauses[0]
    for clause in clauses[1:]:
        combined = combined | clause
    return combined


async def state_counts(principal: Principal, filters: QueueFilters) -> dict[str, int]:
    query = Visit.select(Visit.state, Count(alias="n"))
    for clause in filter_clauses(principal, filters, with_state=False):
        query = query.where(clause)
    hint = scope_range(principal)
    if hint is not None:
        query = query.where(hint)
    rows = await query.group_by(Visit.state)
    return {row["state"]: int(row["n"]) for row in rows}


async def queue_flags(visit_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[tuple[str, str]]]:
    """Each visit's distinct (code, severity) pairs."""
    if not visit_ids:
        return {}
    rows = await Flag.select(Flag.visit, Flag.code, Flag.severity).where(
        Flag.visit.is_in(visit_ids)
    )
    result: dict[uuid.UUID, list[tuple[str, str]]] = {}
    for row in rows:
        pair = (row["code"], row["severity"])
        found = result.setdefault(row["visit"], [])
        if pair not in found:
            found.append(pair)
    return result


async def household_briefs(household_ids: set[int]) -> dict[int, dict[str, Any]]:
    """Head's name, RT/RW and decile of the queue's households (no identity numbers)."""
    if not household_ids:
        return {}
    rows = await Household.select(
        Household.id, Household.head_name, Household.rt, Household.rw, Household.decile
    ).where(Household.id.is_in(sorted(household_ids)))
    return {row["id"]: row for row in rows}


async def user_names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = await User.select(User.id, User.display_name).where(User.id.is_in(sorted(user_ids)))
    return {row["id"]: row["display_name"] for row in rows}


# --- decisions ---------------------------------------------------------------------------


async def decisions_of(visit_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    if not visit_ids:
        return []
    return await (  # type: ignore[no-any-return]
        Decision.select(
            Decision.id,
            Decision.visit,
            Decision.reviewer,
            Decision.reviewer.display_name.as_alias("reviewer_name"),
            Decision.decision,
            Decision.comment,
            Decision.from_state,
            Decision.to_state,
            Decision.created_at,
        )
        .where(Decision.visit.is_in(visit_ids))
        .order_by(Decision.created_at)
        .order_by(Decision.id)
    )


async def visit_for_decision(principal: Principal, visit_id: uuid.UUID) -> dict[str, Any] | None:
    query = Visit.select(
        Visit.id,
        Visit.household_id,
        Visit.round_id,
        Visit.region_code,
        Visit.state,
        Visit.photos_stored,
        Visit.photos_declared,
    ).where(Visit.id == visit_id)
    scope = principal.region_filter(Visit.region_code)
    if scope is not None:
        query = query.where(scope)
    return await query.first()  # type: ignore[no-any-return]


async def move_state(visit_id: uuid.UUID, from_state: str, to_state: str) -> bool:
    """Compare-and-set: False when another decision changed the state first."""
    rows = (
        await Visit.update({Visit.state: to_state})
        .where((Visit.id == visit_id) & (Visit.state == from_state))
        .returning(Visit.id)
    )
    return bool(rows)


async def assignment_of(household_id: int | None, round_id: int) -> dict[str, Any] | None:
    if household_id is None:
        return None
    return await (  # type: ignore[no-any-return]
        Assignment.select(Assignment.id, Assignment.enumerator, Assignment.state)
        .where((Assignment.household == household_id) & (Assignment.round == round_id))
        .first()
    )


async def set_assignment(
    assignment_id: int, state: str, comment: str | None, now: datetime
) -> None:
    await Assignment.update(
        {
            Assignment.state: state,
            Assignment.returned_comment: comment,
            Assignment.updated_at: now,
        }
    ).where(Assignment.id == assignment_id)


async def revisits_of(visit_id: uuid.UUID) -> list[uuid.UUID]:
    rows = (
        await Visit.select(Visit.id).where(Visit.revisit_of == visit_id).order_by(Visit.received_at)
    )
    return [row["id"] for row in rows]


# --- households and their trail ----------------------------------------------------------


async def household(principal: Principal, household_id: int) -> dict[str, Any] | None:
    query = (
        Household.select(
            Household.id,
            Household.region_code,
            Household.address,
            Household.rt,
            Household.rw,
            Household.head_name,
            Household.kk_number,
            Household.latitude,
            Household.longitude,
            Household.status,
            Household.decile,
            Household.baseline,
        )
        .where(Household.id == household_id)
        .output(load_json=True)
    )
    scope = principal.region_filter(Household.region_code)
    if scope is not None:
        query = query.where(scope)
    return await query.first()  # type: ignore[no-any-return]


async def household_members(household_id: int) -> list[dict[str, Any]]:
    return await (  # type: ignore[no-any-return]
        HouseholdMember.select()
        .where(HouseholdMember.household == household_id)
        .order_by(HouseholdMember.position)
        .order_by(HouseholdMember.id)
        .output(load_json=True)
    )


async def household_visits(principal: Principal, household_id: int) -> list[dict[str, Any]]:
    query = (
        Visit.select(
            Visit.id,
            Visit.round_id,
            Visit.region_code,
            Visit.enumerator_id,
            Visit.form_id,
            Visit.form_version,
            Visit.outcome,
            Visit.eligibility,
            Visit.state,
            Visit.started_at,
            Visit.ended_at,
            Visit.gps_lat,
            Visit.gps_lon,
            Visit.gps_accuracy_m,
            Visit.gps_altitude_m,
            Visit.gps_fixed_at,
            Visit.device_id,
            Visit.app_version,
            Visit.content_hash,
            Visit.revisit_of,
            Visit.received_at,
            Visit.completed_at,
        )
        .where(Visit.household_id == household_id)
        .order_by(Visit.received_at)
    )
    scope = principal.region_filter(Visit.region_code)
    if scope is not None:
        query = query.where(scope)
    return await query  # type: ignore[no-any-return]


async def photos_of(visit_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    if not visit_ids:
        return []
    return await (  # type: ignore[no-any-return]
        Photo.select(
            Photo.id,
            Photo.visit,
            Photo.kind,
            Photo.sha256,
            Photo.size,
            Photo.captured_at,
            Photo.gps_lat,
            Photo.gps_lon,
            Photo.gps_accuracy_m,
            Photo.stored_at,
            Photo.width,
            Photo.height,
        )
        .where(Photo.visit.is_in(visit_ids))
        .order_by(Photo.captured_at)
    )


async def flags_of(visit_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    if not visit_ids:
        return []
    return await (  # type: ignore[no-any-return]
        Flag.select().where(Flag.visit.is_in(visit_ids)).order_by(Flag.id).output(load_json=True)
    )


async def audit_events_for(
    principal: Principal,
    household_id: int,
    visit_ids: list[uuid.UUID],
    photo_ids: list[uuid.UUID],
) -> list[dict[str, Any]]:
    """Events whose object is the household, one of its visits or one of their photos."""
    objects: Any = (AuditEvent.object_type == "household") & (
        AuditEvent.object_id == str(household_id)
    )
    if visit_ids:
        objects = objects | (
            (AuditEvent.object_type == "visit")
            & AuditEvent.object_id.is_in([str(v) for v in visit_ids])
        )
    if photo_ids:
        objects = objects | (
            (AuditEvent.object_type == "photo")
            & AuditEvent.object_id.is_in([str(p) for p in photo_ids])
        )
    query = AuditEvent.select().where(objects).order_by(AuditEvent.seq).output(load_json=True)
    scope = principal.region_filter(AuditEvent.region_code)
    if scope is not None:
        query = query.where(scope)
    return await query  # type: ignore[no-any-return]

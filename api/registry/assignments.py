"""Assigning households to enumerators within a round: one by one, by RT/RW, a village.

Every write here runs in one transaction that first takes the change-log lock
(``changes.lock``): that serialises assignment writers, so two supervisors assigning
the same household at once queue instead of colliding, and the phone's change cursor
stays in commit order. Then it appends to the audit chain.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api import db
from api.audit.service import append_event
from api.civil_registry.tables import Finding
from api.errors import Conflict, NotFound, Unprocessable
from api.registry import bulk, changes
from api.registry.codes import ancestors
from api.registry.queries import actor_of, enumerator_covers, enumerator_for, under, where
from api.registry.rounds import visible_round
from api.registry.schemas import (
    AssignmentOut,
    AssignmentPage,
    AssignmentState,
    AssignRequest,
    AssignResult,
    HouseholdStatus,
    Skipped,
    UnassignRequest,
    UnassignResult,
)
from api.registry.tables import Assignment, Household, Region
from auth.roles import Principal, Role, region_covers
from survey_forms.identity import mask_nik

MAX_REGION_SELECTION = 10_000
MOVABLE = {AssignmentState.OPEN.value, AssignmentState.RETURNED.value}
SKIP_LIST_LIMIT = 200
# A one-household request that is skipped answers with an error instead of a summary.
_SKIP_ERRORS = {
    "outside_round": (Unprocessable, "The household is outside the round's region."),
    "outside_enumerator_scope": (
        Unprocessable,
        "The enumerator's regions do not cover this household.",
    ),
    "assigned_to_other": (
        Conflict,
        "The household is assigned to someone else in this round; reassign it instead.",
    ),
    "assignment_locked": (
        Conflict,
        "The household was already visited or closed in this round.",
    ),
    "not_assigned": (NotFound, "The household is not assigned in this round."),
}


def _now() -> datetime:
    return datetime.now(UTC)


async def _open_round(principal: Principal, round_id: int) -> dict[str, Any]:
    row = await visible_round(principal, round_id)
    if row["state"] == "closed":
        raise Conflict("The round is closed.", code="round_closed")
    return row


async def _enumerator(principal: Principal, user_id: int) -> dict[str, Any]:
    enumerator = await enumerator_for(principal, user_id)
    if enumerator is None:
        raise NotFound("No such enumerator in your regions.", code="enumerator_not_found")
    if not enumerator["active"]:
        raise Unprocessable("The enumerator's account is deactivated.", code="enumerator_inactive")
    return enumerator


async def _selected_households(
    principal: Principal, data: AssignRequest | UnassignRequest
) -> list[dict[str, Any]]:
    """The selection's households, inside the caller's regions (in the query)."""
    query = where(
        Household.select(Household.id, Household.region_code),
        principal.region_filter(Household.region_code),
    )
    if data.household_ids is not None:
        wanted = set(data.household_ids)
        rows = await query.where(Household.id.is_in(sorted(wanted)))
        if len(rows) != len(wanted):
            raise NotFound(
                "Some households do not exist or are outside your regions.",
                code="household_not_found",
            )
        return rows  # type: ignore[no-any-return]
    assert data.region_code is not None
    code = data.region_code
    visible = principal.covers(code) or any(code in ancestors(scope) for scope in principal.scopes)
    if not visible or not await Region.exists().where(Region.code == code):
        raise NotFound("No such region in your regions.", code="region_not_found")
    # A proposed household waits for the village deliberation: assigned by id only.
    query = query.where(under(Household.region_code, code)).where(
        Household.status != HouseholdStatus.PROPOSED.value
    )
    if data.rw:
        query = query.where(Household.rw == f"{int(data.rw):03d}")
    if data.rt:
        query = query.where(Household.rt == f"{int(data.rt):03d}")
    if isinstance(data, AssignRequest) and data.with_open_findings:
        query = query.where(
            Household.id.is_in(Finding.select(Finding.household_id).where(Finding.state == "open"))
        )
    rows = await query.order_by(Household.id).limit(MAX_REGION_SELECTION + 1)
    if len(rows) > MAX_REGION_SELECTION:
        raise Unprocessable(
            f"More than {MAX_REGION_SELECTION} households; assign village by village.",
            code="selection_too_large",
        )
    return rows  # type: ignore[no-any-return]


async def _existing(round_id: int, household_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not household_ids:
        return {}
    rows = await Assignment.select(
        Assignment.id, Assignment.household, Assignment.enumerator, Assignment.state
    ).where((Assignment.round == round_id) & Assignment.household.is_in(household_ids))
    return {row["household"]: row for row in rows}


def _single_failure(data: AssignRequest | UnassignRequest, skipped: list[Skipped]) -> None:
    if data.household_ids is not None and len(data.household_ids) == 1 and skipped:
        error, message = _SKIP_ERRORS[skipped[0].reason]
        raise error(message, code=skipped[0].reason)


def _selection_details(data: AssignRequest | UnassignRequest) -> dict[str, Any]:
    if data.household_ids is not None:
        return {"households": len(data.household_ids)}
    details: dict[str, Any] = {"region_code": data.region_code, "rw": data.rw, "rt": data.rt}
    if isinstance(data, AssignRequest) and data.with_open_findings:
        details["with_open_findings"] = True
    return details


async def assign(principal: Principal, round_id: int, data: AssignRequest) -> AssignResult:
    async with db.write_transaction():
        await changes.lock()
        round_row = await _open_round(principal, round_id)
        enumerator = await _enumerator(principal, data.enumerator_id)
        households = await _selected_households(principal, data)
        existing = await _existing(round_id, [h["id"] for h in households])
        skipped: list[Skipped] = []
        new: list[dict[str, Any]] = []
        moved: list[dict[str, Any]] = []
        unchanged = 0
        for household in households:
            current = existing.get(household["id"])
            reason = None
            if not region_covers(round_row["region_code"], household["region_code"]):
                reason = "outside_round"
            elif not enumerator_covers(enumerator, household["region_code"]):
                reason = "outside_enumerator_scope"
            elif current is not None and current["enumerator"] != enumerator["id"]:
                if not data.reassign:
                    reason = "assigned_to_other"
                elif current["state"] not in MOVABLE:
                    reason = "assignment_locked"
            if reason is not None:
                skipped.append(Skipped(household_id=household["id"], reason=reason))
            elif current is None:
                new.append(household)
            elif current["enumerator"] == enumerator["id"]:
                unchanged += 1
            else:
                moved.append(current)
        _single_failure(data, skipped)
        now = _now()
        by = actor_of(principal).ref
        await bulk.executemany(
            "INSERT INTO assignment (round, household, enumerator, region_code, state, "
            "assigned_by, assigned_at, updated_at) VALUES ($1, $2, $3, $4, 'open', $5, $6, $6)",
            [(round_id, h["id"], enumerator["id"], h["region_code"], by, now) for h in new],
        )
        await bulk.executemany(
            "UPDATE assignment SET enumerator = $2, assigned_by = $3, assigned_at = $4, "
            "updated_at = $4 WHERE id = $1",
            [(m["id"], enumerator["id"], by, now) for m in moved],
        )
        created = await _existing(round_id, [h["id"] for h in new])
        await changes.record(
            [(enumerator["id"], row["id"]) for row in created.values()]
            + [(enumerator["id"], m["id"]) for m in moved]
            + [(m["enumerator"], m["id"]) for m in moved]
        )
        if new or moved:
            await append_event(
                actor_of(principal),
                "assignment.assigned",
                "round",
                round_id,
                region_code=data.region_code or round_row["region_code"],
                details={
                    "enumerator_id": enumerator["id"],
                    "selection": _selection_details(data),
                    "assigned": sorted(h["id"] for h in new),
                    "reassigned": {str(m["household"]): m["enumerator"] for m in moved},
                },
            )
    return AssignResult(
        assigned=len(new),
        reassigned=len(moved),
        unchanged=unchanged,
        skipped_count=len(skipped),
        skipped=skipped[:SKIP_LIST_LIMIT],
    )


async def unassign(principal: Principal, round_id: int, data: UnassignRequest) -> UnassignResult:
    async with db.write_transaction():
        await changes.lock()
        round_row = await _open_round(principal, round_id)
        households = await _selected_households(principal, data)
        existing = await _existing(round_id, [h["id"] for h in households])
        skipped: list[Skipped] = []
        removed: list[dict[str, Any]] = []
        for household in households:
            current = existing.get(household["id"])
            if current is None or (
                data.enumerator_id is not None and current["enumerator"] != data.enumerator_id
            ):
                if data.household_ids is not None:
                    skipped.append(Skipped(household_id=household["id"], reason="not_assigned"))
            elif current["state"] not in MOVABLE:
                skipped.append(Skipped(household_id=household["id"], reason="assignment_locked"))
            else:
                removed.append(current)
        _single_failure(data, skipped)
        if removed:
            condition, args = bulk.any_of("id", [r["id"] for r in removed], 1)
            await bulk.execute_count(f"DELETE FROM assignment WHERE {condition}", *args)  # noqa: S608
            await changes.record([(r["enumerator"], r["id"]) for r in removed])
            await append_event(
                actor_of(principal),
                "assignment.unassigned",
                "round",
                round_id,
                region_code=data.region_code or round_row["region_code"],
                details={
                    "selection": _selection_details(data),
                    "unassigned": {str(r["household"]): r["enumerator"] for r in removed},
                },
            )
    return UnassignResult(
        unassigned=len(removed), skipped_count=len(skipped), skipped=skipped[:SKIP_LIST_LIMIT]
    )


# --- one assignment ------------------------------------------------------------------------


def _columns() -> list[Any]:
    return [
        Assignment.id,
        Assignment.round.id.as_alias("round_id"),
        Assignment.household.id.as_alias("household_id"),
        Assignment.region_code,
        Assignment.household.rt.as_alias("rt"),
        Assignment.household.rw.as_alias("rw"),
        Assignment.household.head_name.as_alias("head_name"),
        Assignment.household.kk_number.as_alias("kk_number"),
        Assignment.enumerator.id.as_alias("enumerator_id"),
        Assignment.enumerator.display_name.as_alias("enumerator_name"),
        Assignment.state,
        Assignment.returned_comment,
        Assignment.assigned_by,
        Assignment.assigned_at,
        Assignment.updated_at,
    ]


def _out(row: dict[str, Any]) -> AssignmentOut:
    values = dict(row)
    values["kk_masked"] = mask_nik(values.pop("kk_number"))
    return AssignmentOut(**values)


async def _visible_assignment(principal: Principal, assignment_id: int) -> dict[str, Any]:
    query = where(
        Assignment.select(*_columns()).where(Assignment.id == assignment_id),
        principal.region_filter(Assignment.region_code),
    )
    if principal.role is Role.ENUMERATOR:
        query = query.where(Assignment.enumerator == principal.user_id)
    row = await query.first()
    if row is None:
        raise NotFound("No such assignment.", code="assignment_not_found")
    return row  # type: ignore[no-any-return]


async def get_assignment(principal: Principal, assignment_id: int) -> AssignmentOut:
    return _out(await _visible_assignment(principal, assignment_id))


async def _movable(principal: Principal, assignment_id: int) -> dict[str, Any]:
    row = await _visible_assignment(principal, assignment_id)
    await _open_round(principal, row["round_id"])
    if row["state"] not in MOVABLE:
        raise Conflict(
            "The household was already visited or closed in this round.",
            code="assignment_locked",
        )
    return row


async def reassign_one(
    principal: Principal, assignment_id: int, enumerator_id: int
) -> AssignmentOut:
    async with db.write_transaction():
        await changes.lock()
        row = await _movable(principal, assignment_id)
        enumerator = await _enumerator(principal, enumerator_id)
        if not enumerator_covers(enumerator, row["region_code"]):
            raise Unprocessable(
                "The enumerator's regions do not cover this household.",
                code="outside_enumerator_scope",
            )
        if enumerator["id"] != row["enumerator_id"]:
            now = _now()
            await Assignment.update(
                {
                    Assignment.enumerator: enumerator["id"],
                    Assignment.assigned_by: actor_of(principal).ref,
                    Assignment.assigned_at: now,
                    Assignment.updated_at: now,
                }
            ).where(Assignment.id == assignment_id)
            await changes.record(
                [(row["enumerator_id"], assignment_id), (enumerator["id"], assignment_id)]
            )
            await append_event(
                actor_of(principal),
                "assignment.reassigned",
                "assignment",
                assignment_id,
                region_code=row["region_code"],
                details={
                    "round_id": row["round_id"],
                    "household_id": row["household_id"],
                    "from_enumerator_id": row["enumerator_id"],
                    "to_enumerator_id": enumerator["id"],
                },
            )
    return await get_assignment(principal, assignment_id)


async def unassign_one(principal: Principal, assignment_id: int) -> None:
    async with db.write_transaction():
        await changes.lock()
        row = await _movable(principal, assignment_id)
        await Assignment.delete().where(Assignment.id == assignment_id)
        await changes.record([(row["enumerator_id"], assignment_id)])
        await append_event(
            actor_of(principal),
            "assignment.unassigned",
            "assignment",
            assignment_id,
            region_code=row["region_code"],
            details={
                "round_id": row["round_id"],
                "household_id": row["household_id"],
                "enumerator_id": row["enumerator_id"],
            },
        )


async def list_for_round(
    principal: Principal,
    round_id: int,
    *,
    region_code: str | None,
    enumerator_id: int | None,
    state: AssignmentState | None,
    after: int | None,
    limit: int,
) -> AssignmentPage:
    await visible_round(principal, round_id)
    query = where(
        Assignment.select(*_columns()).where(Assignment.round == round_id),
        principal.region_filter(Assignment.region_code),
    )
    if region_code:
        query = query.where(under(Assignment.region_code, region_code))
    if enumerator_id is not None:
        query = query.where(Assignment.enumerator == enumerator_id)
    if state is not None:
        query = query.where(Assignment.state == state.value)
    if after:
        query = query.where(Assignment.id > after)
    rows = await query.order_by(Assignment.id).limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return AssignmentPage(
        items=[_out(r) for r in rows], next_after=rows[-1]["id"] if more and rows else None
    )

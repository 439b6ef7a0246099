"""Verification rounds: create, change, follow progress.

A round covers a region (usually a regency) for a period; assignments and visits belong
to it, so the same household is assigned again in the next round. A round is visible to
everyone whose scope overlaps it: a regency-wide round is where a district supervisor
assigns the households of their district.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from piccolo.query.functions.aggregate import Count

from api import db
from api.audit.service import append_event
from api.errors import Conflict, Forbidden, NotFound, Unprocessable
from api.forms.service import PROPOSAL_FORM, published_versions
from api.registry import changes
from api.registry.queries import actor_of, region_names, region_or_ancestor_clause, under, where
from api.registry.schemas import (
    HouseholdStatus,
    ProgressRow,
    RoundCreate,
    RoundOut,
    RoundState,
    RoundUpdate,
    StateCounts,
)
from api.registry.tables import Assignment, Household, Region, Round
from auth.roles import Principal
from survey_forms import shipped_forms

# state → the states it may move to
TRANSITIONS = {
    RoundState.PLANNED: {RoundState.OPEN},
    RoundState.OPEN: {RoundState.CLOSED},
    RoundState.CLOSED: {RoundState.OPEN},  # reopened for late visits
}
_LENGTHS = {"province": 2, "regency": 5, "district": 8, "village": 13}


async def visible_round(principal: Principal, round_id: int) -> dict[str, Any]:
    row = await where(
        Round.select().where(Round.id == round_id),
        region_or_ancestor_clause(principal, Round.region_code),
    ).first()
    if row is None:
        raise NotFound("No such round.", code="round_not_found")
    return row  # type: ignore[no-any-return]


async def _counts(principal: Principal, round_ids: list[int]) -> dict[int, StateCounts]:
    if not round_ids:
        return {}
    rows = await where(
        Assignment.select(Assignment.round, Assignment.state, Count(Assignment.id, alias="n"))
        .where(Assignment.round.is_in(round_ids))
        .group_by(Assignment.round, Assignment.state),
        principal.region_filter(Assignment.region_code),
    )
    result: dict[int, StateCounts] = defaultdict(StateCounts)
    for row in rows:
        counts = result[row["round"]]
        if row["state"] in ("open", "visited", "returned", "closed"):
            setattr(counts, row["state"], row["n"])
        counts.total += row["n"]
    return result


async def _out(principal: Principal, rows: list[dict[str, Any]]) -> list[RoundOut]:
    names = await region_names({row["region_code"] for row in rows})
    counts = await _counts(principal, [row["id"] for row in rows])
    return [
        RoundOut(
            id=row["id"],
            name=row["name"],
            region_code=row["region_code"],
            region_name=names.get(row["region_code"], ""),
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            state=row["state"],
            form_id=row["form_id"],
            form_version=row["form_version"],
            created_by=row["created_by"],
            created_at=row["created_at"],
            assignments=counts.get(row["id"], StateCounts()),
        )
        for row in rows
    ]


async def list_rounds(principal: Principal, state: RoundState | None) -> list[RoundOut]:
    query = where(
        Round.select().order_by(Round.starts_on, ascending=False).order_by(Round.id).limit(500),
        region_or_ancestor_clause(principal, Round.region_code),
    )
    if state is not None:
        query = query.where(Round.state == state.value)
    return await _out(principal, await query)


async def get_round(principal: Principal, round_id: int) -> RoundOut:
    return (await _out(principal, [await visible_round(principal, round_id)]))[0]


async def create_round(principal: Principal, data: RoundCreate) -> RoundOut:
    if not principal.covers(data.region_code):
        raise Forbidden(
            "You may create rounds only inside your regions.", code="region_outside_scope"
        )
    if not await Region.exists().where(Region.code == data.region_code):
        raise Unprocessable("No such region.", code="region_unknown")
    form_version = await _round_form_version(data)
    async with db.write_transaction():
        rows = await Round.insert(
            Round(
                name=data.name,
                region_code=data.region_code,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
                state=data.state.value,
                form_id=data.form_id,
                form_version=form_version,
                created_by=actor_of(principal).ref,
            )
        ).returning(Round.id)
        round_id = rows[0]["id"]
        await append_event(
            actor_of(principal),
            "round.created",
            "round",
            round_id,
            region_code=data.region_code,
            details={
                "name": data.name,
                "starts_on": data.starts_on.isoformat(),
                "ends_on": data.ends_on.isoformat(),
                "state": data.state.value,
                "form": f"{data.form_id}@{form_version}",
            },
        )
    return await get_round(principal, round_id)


async def _round_form_version(data: RoundCreate) -> int:
    """The version a new round names: the one asked for (it must be published), else the
    newest published, else the newest shipped with Verval (``verval forms publish`` puts
    it online; until then the round's visits are refused as an unknown form version)."""
    if data.form_id == PROPOSAL_FORM:
        raise Unprocessable(
            "A round's visits use a verification form, not the proposal form.",
            code="round_form_invalid",
        )
    versions = await published_versions(data.form_id)
    if data.form_version is None:
        shipped = [v for (form_id, v) in shipped_forms() if form_id == data.form_id]
        if versions or shipped:
            return max(versions or shipped)
    if data.form_version not in versions:
        raise Unprocessable(
            f"Form {data.form_id} version {data.form_version or '(any)'} is not published here.",
            code="unknown_form_version",
        )
    return data.form_version


async def update_round(principal: Principal, round_id: int, data: RoundUpdate) -> RoundOut:
    async with db.write_transaction():
        await changes.lock()  # a state change rewrites phones' lists (lock before audit)
        row = await visible_round(principal, round_id)
        if not principal.covers(row["region_code"]):
            raise Forbidden(
                "This round covers more than your regions; ask whoever runs it.",
                code="round_outside_scope",
            )
        values: dict[Any, Any] = {}
        if data.name is not None:
            values[Round.name] = data.name
        starts = data.starts_on or row["starts_on"]
        ends = data.ends_on or row["ends_on"]
        if ends < starts:
            raise Unprocessable("ends_on is before starts_on.", code="round_dates")
        if data.starts_on is not None:
            values[Round.starts_on] = data.starts_on
        if data.ends_on is not None:
            values[Round.ends_on] = data.ends_on
        current = RoundState(row["state"])
        state_changed = data.state is not None and data.state is not current
        if data.state is not None and state_changed:
            if data.state not in TRANSITIONS[current]:
                raise Conflict(
                    f"A round cannot go from {current.value} to {data.state.value}.",
                    code="round_state",
                )
            values[Round.state] = data.state.value
        if not values:
            return await get_round(principal, round_id)
        values[Round.updated_at] = datetime.now(UTC)
        await Round.update(values).where(Round.id == round_id)
        logged = 0
        if state_changed:
            logged = await changes.record_for_round(round_id)
        await append_event(
            actor_of(principal),
            "round.updated",
            "round",
            round_id,
            region_code=row["region_code"],
            details={
                "changes": {
                    column._meta.name: (value.isoformat() if hasattr(value, "isoformat") else value)
                    for column, value in values.items()
                    if column is not Round.updated_at
                },
                "phones_notified": logged,
            },
        )
    return await get_round(principal, round_id)


async def progress(principal: Principal, round_id: int, level: str) -> list[ProgressRow]:
    """Households and assignment states per village (or district) of the round, in scope."""
    row = await visible_round(principal, round_id)
    if level not in ("district", "village"):
        raise Unprocessable("level is district or village.", code="invalid_level")
    width = _LENGTHS[level]
    households = await where(
        Household.select(Household.region_code, Count(Household.id, alias="n"))
        .where(under(Household.region_code, row["region_code"]))
        .where(Household.status != HouseholdStatus.PROPOSED.value)  # not in the register yet
        .group_by(Household.region_code),
        principal.region_filter(Household.region_code),
    )
    states = await where(
        Assignment.select(Assignment.region_code, Assignment.state, Count(Assignment.id, alias="n"))
        .where(Assignment.round == round_id)
        .group_by(Assignment.region_code, Assignment.state),
        principal.region_filter(Assignment.region_code),
    )
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in households:
        table[item["region_code"][:width]]["households"] += item["n"]
    for item in states:
        bucket = table[item["region_code"][:width]]
        bucket[item["state"]] += item["n"]
        bucket["assigned"] += item["n"]
    names = await region_names(set(table))
    return [
        ProgressRow(
            region_code=code,
            region_name=names.get(code, ""),
            households=values["households"],
            assigned=values["assigned"],
            open=values["open"],
            visited=values["visited"],
            returned=values["returned"],
            closed=values["closed"],
        )
        for code, values in sorted(table.items())
    ]

"""Households and members for supervisors and auditors: lists, search, detail, reveal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from api import db
from api.audit.service import append_event
from api.errors import NotFound
from api.registry import deciles
from api.registry.queries import actor_of, region_names, under, where
from api.registry.schemas import (
    AssignmentBrief,
    HouseholdDetail,
    HouseholdItem,
    HouseholdPage,
    HouseholdRevealed,
    HouseholdSearch,
    MemberOut,
    RevealedMember,
)
from api.registry.tables import Assignment, Household, HouseholdMember
from auth.roles import Principal
from survey_forms.identity import mask_nik

_MASK_CHARS = re.compile(r"[•*xX.]")


@dataclass(frozen=True)
class HouseholdFilters:
    region_code: str | None = None
    rt: str | None = None
    rw: str | None = None
    status: str | None = None
    round_id: int | None = None
    assigned: bool | None = None  # with round_id: only (un)assigned in that round
    decile: str | None = None  # a selection of api.registry.deciles ("3", "1-4", "unknown")
    after: int | None = None
    limit: int = 50


def _pad(value: str | None) -> str | None:
    return f"{int(value):03d}" if value else None


def _identity_clause(column: Any, value: str) -> Any:
    """Full digits: equality. Masked ('1706••••••••0003'): first and last four."""
    if _MASK_CHARS.search(value):
        return column.like(value[:4] + "_" * 8 + value[-4:])
    return column == value


def _base_query(principal: Principal, filters: HouseholdFilters) -> tuple[Any, Any]:
    """(select, count) with the caller's region clause and the filters, inside the query."""
    select = Household.select(
        Household.id,
        Household.region_code,
        Household.address,
        Household.rt,
        Household.rw,
        Household.kk_number,
        Household.head_name,
        Household.head_nik,
        Household.member_count,
        Household.status,
        Household.decile,
        Household.latitude,
    )
    count = Household.count()
    clauses: list[Any] = []
    scope = principal.region_filter(Household.region_code)
    if scope is not None:
        clauses.append(scope)
    if filters.region_code:
        clauses.append(under(Household.region_code, filters.region_code))
    if filters.rt:
        clauses.append(Household.rt == _pad(filters.rt))
    if filters.rw:
        clauses.append(Household.rw == _pad(filters.rw))
    if filters.status:
        clauses.append(Household.status == filters.status)
    if filters.decile:
        clauses.append(deciles.clause(Household.decile, filters.decile))
    if filters.round_id is not None and filters.assigned is not None:
        in_round = Assignment.select(Assignment.household).where(
            Assignment.round == filters.round_id
        )
        clauses.append(
            Household.id.is_in(in_round) if filters.assigned else Household.id.not_in(in_round)
        )
    for clause in clauses:
        select = select.where(clause)
        count = count.where(clause)
    return select, count


async def _page(select: Any, count: Any, after: int | None, limit: int) -> HouseholdPage:
    if after:
        select = select.where(Household.id > after)
    rows = await select.order_by(Household.id).limit(limit + 1)
    total = await count
    more = len(rows) > limit
    rows = rows[:limit]
    names = await region_names({row["region_code"] for row in rows})
    items = [
        HouseholdItem(
            id=row["id"],
            region_code=row["region_code"],
            village_name=names.get(row["region_code"], ""),
            address=row["address"],
            rt=row["rt"],
            rw=row["rw"],
            kk_masked=mask_nik(row["kk_number"]),
            head_name=row["head_name"],
            head_nik_masked=mask_nik(row["head_nik"] or ""),
            member_count=row["member_count"],
            status=row["status"],
            decile=row["decile"],
            has_location=row["latitude"] is not None,
        )
        for row in rows
    ]
    return HouseholdPage(items=items, total=total, next_after=rows[-1]["id"] if more else None)


async def list_households(principal: Principal, filters: HouseholdFilters) -> HouseholdPage:
    select, count = _base_query(principal, filters)
    return await _page(select, count, filters.after, filters.limit)


async def search_households(principal: Principal, search: HouseholdSearch) -> HouseholdPage:
    filters = HouseholdFilters(
        region_code=search.region_code, rt=search.rt, rw=search.rw,
        status=search.status.value if search.status else None,
    )  # fmt: skip
    select, count = _base_query(principal, filters)
    clauses: list[Any] = []
    if search.kk:
        clauses.append(_identity_clause(Household.kk_number, search.kk))
    if search.nik:
        clauses.append(
            Household.id.is_in(
                HouseholdMember.select(HouseholdMember.household).where(
                    _identity_clause(HouseholdMember.nik, search.nik)
                )
            )
        )
    if search.name:
        term = re.sub(r"[%_\\]", "", search.name)
        clauses.append(
            Household.id.is_in(
                HouseholdMember.select(HouseholdMember.household).where(
                    HouseholdMember.name.ilike(f"%{term}%")
                )
            )
        )
    for clause in clauses:
        select = select.where(clause)
        count = count.where(clause)
    return await _page(select, count, search.after, search.limit)


async def _visible_household(principal: Principal, household_id: int) -> dict[str, Any]:
    row = (
        await where(
            Household.select().where(Household.id == household_id),
            principal.region_filter(Household.region_code),
        )
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound("No such household.", code="household_not_found")
    return row  # type: ignore[no-any-return]


async def household_detail(principal: Principal, household_id: int) -> HouseholdDetail:
    row = await _visible_household(principal, household_id)
    members = await (
        HouseholdMember.select()
        .where(HouseholdMember.household == household_id)
        .order_by(HouseholdMember.position)
        .order_by(HouseholdMember.id)
        .output(load_json=True)
    )
    assignments = await where(
        Assignment.select(
            Assignment.id,
            Assignment.round.id.as_alias("round_id"),
            Assignment.round.name.as_alias("round_name"),
            Assignment.round.state.as_alias("round_state"),
            Assignment.enumerator.id.as_alias("enumerator_id"),
            Assignment.enumerator.display_name.as_alias("enumerator_name"),
            Assignment.state,
            Assignment.assigned_at,
        ).where(Assignment.household == household_id),
        principal.region_filter(Assignment.region_code),
    ).order_by(Assignment.round, ascending=False)
    names = await region_names({row["region_code"]})
    return HouseholdDetail(
        id=row["id"],
        region_code=row["region_code"],
        village_name=names.get(row["region_code"], ""),
        address=row["address"],
        rt=row["rt"],
        rw=row["rw"],
        kk_masked=mask_nik(row["kk_number"]),
        head_name=row["head_name"],
        head_nik_masked=mask_nik(row["head_nik"] or ""),
        latitude=row["latitude"],
        longitude=row["longitude"],
        decile=row["decile"],
        status=row["status"],
        baseline=row["baseline"] or {},
        members=[
            MemberOut(
                id=m["id"],
                position=m["position"],
                nik_masked=mask_nik(m["nik"]),
                name=m["name"],
                sex=m["sex"],
                birth_date=m["birth_date"],
                relationship=m["relationship"],
                marital_status=m["marital_status"],
                presence=m["presence"],
                answers=m["answers"] or {},
            )
            for m in members
        ],
        assignments=[AssignmentBrief(**a) for a in assignments],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def reveal(principal: Principal, household_id: int) -> HouseholdRevealed:
    """Full No. KK and NIKs, for a supervisor who must check them against documents.

    The reveal is a read, but an audited one: who saw whose identity numbers, when.
    """
    row = await _visible_household(principal, household_id)
    members = await (
        HouseholdMember.select(HouseholdMember.id, HouseholdMember.nik, HouseholdMember.name)
        .where(HouseholdMember.household == household_id)
        .order_by(HouseholdMember.position)
    )
    async with db.write_transaction():
        await append_event(
            actor_of(principal),
            "household.identity_revealed",
            "household",
            household_id,
            region_code=row["region_code"],
            details={"members": len(members)},
        )
    return HouseholdRevealed(
        id=row["id"],
        kk_number=row["kk_number"],
        head_nik=row["head_nik"],
        members=[RevealedMember(id=m["id"], nik=m["nik"], name=m["name"]) for m in members],
    )

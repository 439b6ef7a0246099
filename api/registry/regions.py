"""The region tree, as each caller may see it: their scopes, below, and the way down."""

from __future__ import annotations

from collections import defaultdict

from piccolo.query.functions.aggregate import Count

from api.errors import NotFound
from api.registry.codes import LEVELS, ancestors, is_region_code
from api.registry.queries import region_or_ancestor_clause, under, where
from api.registry.schemas import RegionChild, RegionDetail, RegionOut
from api.registry.tables import Household, Region
from auth.roles import Principal

_LENGTHS = {"province": 2, "regency": 5, "district": 8, "village": 13}


def _out(row: dict) -> RegionOut:
    return RegionOut(
        code=row["code"],
        name=row["name"],
        level=row["level"],
        parent_code=row["parent_code"],
        village_kind=row["village_kind"],
    )


async def roots(principal: Principal, q: str | None, level: str | None) -> list[RegionOut]:
    """Without a query: the caller's scopes (provinces for admins). With ``q``: name search."""
    query = Region.select().order_by(Region.code).limit(200)
    if q:
        term = q.replace("\\", "").replace("%", "").replace("_", "")
        query = where(query, principal.region_filter(Region.code)).where(
            Region.name.ilike(f"%{term}%")
        )
        if level:
            query = query.where(Region.level == level)
    elif principal.is_national:
        query = query.where(Region.level == (level or "province"))
    else:
        query = query.where(Region.code.is_in(list(principal.scopes)))
    return [_out(row) for row in await query]


def _well_formed(code: str) -> str:
    """A path segment that is no Kemendagri code names no region (404, not 400)."""
    if not is_region_code(code):
        raise NotFound("No such region.", code="region_not_found")
    return code


async def detail(principal: Principal, code: str) -> RegionDetail:
    code = _well_formed(code)
    clause = region_or_ancestor_clause(principal, Region.code)
    row = await where(Region.select().where(Region.code == code), clause).first()
    if row is None:
        raise NotFound("No such region.", code="region_not_found")
    above = await where(
        Region.select().where(Region.code.is_in(ancestors(code) or [""])), clause
    ).order_by(Region.code)
    child_count = await where(Region.count().where(Region.parent_code == code), clause)
    return RegionDetail(
        code=row["code"],
        name=row["name"],
        level=row["level"],
        parent_code=row["parent_code"],
        village_kind=row["village_kind"],
        ancestors=[_out(r) for r in above],
        child_count=child_count,
    )


async def children(principal: Principal, code: str, counts: bool) -> list[RegionChild]:
    code = _well_formed(code)
    clause = region_or_ancestor_clause(principal, Region.code)
    parent = await where(Region.select(Region.level).where(Region.code == code), clause).first()
    if parent is None:
        raise NotFound("No such region.", code="region_not_found")
    rows = await where(Region.select().where(Region.parent_code == code), clause).order_by(
        Region.code
    )
    totals: dict[str, int] = defaultdict(int)
    if counts and rows and parent["level"] != "village":
        child_level = LEVELS[LEVELS.index(parent["level"]) + 1]
        per_village = await where(
            Household.select(Household.region_code, Count(Household.id, alias="n"))
            .where(under(Household.region_code, code))
            .group_by(Household.region_code),
            principal.region_filter(Household.region_code),
        )
        for item in per_village:
            totals[item["region_code"][: _LENGTHS[child_level]]] += item["n"]
    return [
        RegionChild(
            code=r["code"],
            name=r["name"],
            level=r["level"],
            village_kind=r["village_kind"],
            household_count=totals.get(r["code"], 0) if counts else None,
        )
        for r in rows
    ]

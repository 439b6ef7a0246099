"""SQL of the reports: keyset pages per village, the latest visit per household, aggregates.

Every query that reads domain rows carries the caller's region clause inside it
(``Principal.region_filter``); the raw aggregate SQL embeds the very same clause as a
nested Piccolo ``QueryString``. Exports walk the region in groups of villages (a big
village alone, small ones packed together up to a page) and, inside a group, by household
id (``region_code IN (…) AND id > $last ORDER BY id LIMIT n``): the region-code index
finds a group's rows, so each page costs the same at any scale, no page ever holds more
than ``n`` rows, and the file comes out village by village.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import msgspec
from piccolo.querystring import QueryString

from api.registry import deciles
from api.registry.codes import ancestors
from api.registry.queries import under, where
from api.registry.tables import Assignment, Household, HouseholdMember, Region
from api.review.tables import Decision
from api.visits.tables import Flag, Visit
from auth.roles import Principal
from auth.tables import User

PAGE_SIZE = 2000

_json = msgspec.json.Decoder()


def load_json(value: Any) -> Any:
    """JSONB as either driver returns it (text on both, unless a codec decoded it)."""
    if value is None:
        return {}
    if isinstance(value, str | bytes):
        return _json.decode(value) if value else {}
    return value


def _scoped(principal: Principal, column: Any) -> QueryString:
    """The caller's region clause as SQL to embed in raw queries (TRUE for admins)."""
    clause = principal.region_filter(column)
    return QueryString("TRUE") if clause is None else clause.querystring


# --- regions ------------------------------------------------------------------------------


async def region_row(code: str) -> dict[str, Any] | None:
    return await Region.select().where(Region.code == code).first()  # type: ignore[no-any-return]


async def region_chain(code: str) -> dict[str, dict[str, Any]]:
    """The region and every region above it, by code."""
    codes = [*ancestors(code), code]
    rows = await Region.select(Region.code, Region.name, Region.level, Region.village_kind).where(
        Region.code.is_in(codes)
    )
    return {row["code"]: row for row in rows}


async def region_names_around(code: str) -> dict[str, str]:
    """Names of the region, its ancestors and every region below it (a regency: ~200)."""
    rows = await Region.select(Region.code, Region.name).where(
        under(Region.code, code) | Region.code.is_in(ancestors(code) or [code])
    )
    return {row["code"]: row["name"] for row in rows}


# --- the walk: villages, households, visits --------------------------------------------------


def pack(counts: dict[str, int], limit: int | None = None) -> list[list[str]]:
    """Villages in code order, packed into groups of at most ``limit`` rows (a village
    larger than that is a group of its own), so that small villages share one page."""
    limit = limit or PAGE_SIZE
    groups: list[list[str]] = []
    size = limit
    for code in sorted(counts):
        if size + counts[code] > limit or not groups:
            groups.append([])
            size = 0
        groups[-1].append(code)
        size += counts[code]
    return groups


async def visit_villages(
    principal: Principal, region: str, round_id: int, *, proposals_only: bool = False
) -> list[str]:
    query = (
        Visit.select(Visit.region_code)
        .distinct()
        .where((Visit.round_id == round_id) & under(Visit.region_code, region))
        .order_by(Visit.region_code)
    )
    if proposals_only:
        query = query.where(Visit.proposed_household == True)  # noqa: E712 (SQL)
    rows = await where(query, principal.region_filter(Visit.region_code))
    return [row["region_code"] for row in rows]


async def count_households(principal: Principal, region: str) -> int:
    query = where(
        Household.count().where(under(Household.region_code, region)),
        principal.region_filter(Household.region_code),
    )
    return int(await query)


HOUSEHOLD_COLUMNS = (
    Household.id,
    Household.kk_number,
    Household.region_code,
    Household.address,
    Household.rt,
    Household.rw,
    Household.head_name,
    Household.head_nik,
    Household.latitude,
    Household.longitude,
    Household.decile,
    Household.baseline,
    Household.member_count,
)


async def household_page(
    principal: Principal, villages: list[str], after: int, limit: int | None = None
) -> list[dict[str, Any]]:
    """The next page of households of ``villages`` by id (at most ``PAGE_SIZE``)."""
    limit = limit or PAGE_SIZE
    village_clause = (
        Household.region_code == villages[0]
        if len(villages) == 1
        else Household.region_code.is_in(villages)
    )
    query = where(
        Household.select(*HOUSEHOLD_COLUMNS)
        # A proposed household is not in the register yet: its proposal visit stands for it.
        .where(village_clause & (Household.id > after) & (Household.status != "proposed"))
        .order_by(Household.id)
        .limit(limit),
        principal.region_filter(Household.region_code),
    )
    rows: list[dict[str, Any]] = await query
    for row in rows:
        row["baseline"] = load_json(row["baseline"])
    return rows


VISIT_COLUMNS = (
    Visit.id,
    Visit.household_id,
    Visit.region_code,
    Visit.enumerator_id,
    Visit.outcome,
    Visit.eligibility,
    Visit.started_at,
    Visit.received_at,
    Visit.gps_lat,
    Visit.gps_lon,
    Visit.gps_accuracy_m,
    Visit.state,
    Visit.flag_count,
    Visit.proposed_household,
)


def _later(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (a["started_at"], a["received_at"]) > (b["started_at"], b["received_at"])


async def latest_visits(
    principal: Principal, round_id: int, household_ids: list[int], *, answers: bool = True
) -> dict[int, dict[str, Any]]:
    """The last visit of each household in the round (by start time): the result that counts."""
    if not household_ids:
        return {}
    columns = [*VISIT_COLUMNS, Visit.answers] if answers else list(VISIT_COLUMNS)
    rows = await where(
        Visit.select(*columns).where(
            (Visit.round_id == round_id) & Visit.household_id.is_in(household_ids)
        ),
        principal.region_filter(Visit.region_code),
    )
    latest: dict[int, dict[str, Any]] = {}
    for row in rows:
        current = latest.get(row["household_id"])
        if current is None or _later(row, current):
            latest[row["household_id"]] = row
    if answers:
        for row in latest.values():
            row["answers"] = load_json(row["answers"])
    return latest


async def proposal_page(
    principal: Principal, round_id: int, village: str, after: uuid.UUID | None, limit: int
) -> tuple[list[dict[str, Any]], uuid.UUID | None]:
    """Proposed new households of a village (the latest of each chain of revisits).

    Returns the page's current proposals and the keyset cursor (None when done).
    """
    query = (
        Visit.select(*VISIT_COLUMNS, Visit.answers)
        .where(
            (Visit.round_id == round_id)
            & (Visit.region_code == village)
            & (Visit.proposed_household == True)  # noqa: E712 (SQL, not Python)
        )
        .order_by(Visit.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Visit.id > after)
    rows: list[dict[str, Any]] = await where(query, principal.region_filter(Visit.region_code))
    if not rows:
        return [], None
    superseded = {
        row["revisit_of"]
        for row in await Visit.select(Visit.revisit_of).where(
            Visit.revisit_of.is_in([row["id"] for row in rows])
        )
    }
    current = [row for row in rows if row["id"] not in superseded]
    for row in current:
        row["answers"] = load_json(row["answers"])
    cursor = rows[-1]["id"] if len(rows) == limit else None
    return current, cursor


async def visit_page(
    principal: Principal, round_id: int, villages: list[str], after: uuid.UUID | None, limit: int
) -> list[dict[str, Any]]:
    """Every visit of ``villages`` in the round (GeoJSON), by id."""
    query = (
        Visit.select(*VISIT_COLUMNS)
        .where((Visit.round_id == round_id) & Visit.region_code.is_in(villages))
        .order_by(Visit.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Visit.id > after)
    return await where(query, principal.region_filter(Visit.region_code))  # type: ignore[no-any-return]


async def visit_counts(principal: Principal, region: str, round_id: int) -> dict[str, int]:
    """Visits of the round per village."""
    from piccolo.query.functions.aggregate import Count

    rows = await where(
        Visit.select(Visit.region_code, Count(Visit.id, alias="n"))
        .where((Visit.round_id == round_id) & under(Visit.region_code, region))
        .group_by(Visit.region_code),
        principal.region_filter(Visit.region_code),
    )
    return {row["region_code"]: row["n"] for row in rows}


async def flag_codes(visit_ids: list[Any]) -> dict[Any, list[str]]:
    """The distinct flag codes of each visit (the caller already may see these visits)."""
    if not visit_ids:
        return {}
    rows = await (
        Flag.select(Flag.visit, Flag.code)
        .where(Flag.visit.is_in(visit_ids))
        .order_by(Flag.visit)
        .order_by(Flag.code)
    )
    codes: dict[Any, list[str]] = defaultdict(list)
    for row in rows:
        bucket = codes[row["visit"]]
        if row["code"] not in bucket:
            bucket.append(row["code"])
    return codes


async def members_of(household_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Baseline members of households the caller already may see, in family-card order."""
    if not household_ids:
        return {}
    rows = await (
        HouseholdMember.select(
            HouseholdMember.household,
            HouseholdMember.position,
            HouseholdMember.nik,
            HouseholdMember.name,
            HouseholdMember.sex,
            HouseholdMember.birth_date,
            HouseholdMember.relationship,
            HouseholdMember.marital_status,
            HouseholdMember.answers,
            HouseholdMember.presence,
        )
        .where(HouseholdMember.household.is_in(household_ids))
        .order_by(HouseholdMember.household)
        .order_by(HouseholdMember.position)
        .order_by(HouseholdMember.id)
    )
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        row["answers"] = load_json(row["answers"])
        members[row["household"]].append(row)
    return members


class UserNames:
    """Display names of staff, fetched once per id for the length of one export."""

    def __init__(self) -> None:
        self._names: dict[int, str] = {}

    async def fetch(self, ids: set[int]) -> dict[int, str]:
        missing = [i for i in ids if i not in self._names]
        if missing:
            rows = await User.select(User.id, User.display_name).where(User.id.is_in(missing))
            for row in rows:
                self._names[row["id"]] = row["display_name"]
            for i in missing:
                self._names.setdefault(i, "")
        return self._names


async def approvers(visit_ids: list[Any]) -> list[tuple[int, str]]:
    """Who approved these visits, most approvals first (the minutes' supervisor)."""
    if not visit_ids:
        return []
    rows = await Decision.select(Decision.reviewer, Decision.reviewer.display_name).where(
        Decision.visit.is_in(visit_ids) & (Decision.to_state == "approved")
    )
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for row in rows:
        counts[(row["reviewer"], row["reviewer.display_name"])] += 1
    return sorted(counts, key=lambda key: (-counts[key], key[1]))


# --- progress: two aggregates over the round --------------------------------------------------


async def assignment_counts(
    principal: Principal, region: str, round_id: int, decile: str | None = None
) -> list[dict[str, Any]]:
    """Assignments of the round per (village, enumerator, household decile)."""
    from piccolo.query.functions.aggregate import Count

    query = (
        Assignment.select(
            Assignment.region_code,
            Assignment.enumerator,
            Assignment.household.decile.as_alias("decile"),
            Count(Assignment.id, alias="n"),
        )
        .where((Assignment.round == round_id) & under(Assignment.region_code, region))
        .group_by(Assignment.region_code, Assignment.enumerator, Assignment.household.decile)
    )
    if decile:
        query = query.where(deciles.clause(Assignment.household.decile, decile))
    return await where(query, principal.region_filter(Assignment.region_code))  # type: ignore[no-any-return]


_LATEST_VISIT_BUCKETS = """
SELECT region_code, enumerator_id, state, flagged, proposed, decile, COUNT(*) AS n
FROM (
    SELECT
        "visit"."region_code" AS region_code,
        "household"."decile" AS decile,
        "visit"."enumerator_id" AS enumerator_id,
        "visit"."state" AS state,
        CASE WHEN "visit"."flag_count" > 0 THEN 1 ELSE 0 END AS flagged,
        CASE WHEN "visit"."household_id" IS NULL THEN 1 ELSE 0 END AS proposed,
        ROW_NUMBER() OVER (
            PARTITION BY COALESCE(
                CAST("visit"."household_id" AS TEXT),
                'p:' || CAST(COALESCE("visit"."revisit_of", "visit"."id") AS TEXT)
            )
            ORDER BY "visit"."started_at" DESC, "visit"."received_at" DESC
        ) AS position
    FROM "visit"
    LEFT JOIN "household" ON "household"."id" = "visit"."household_id"
    WHERE "visit"."round_id" = {} AND ("visit"."region_code" = {} OR "visit"."region_code" LIKE {})
      AND {}
) AS latest
WHERE position = 1 AND {}
GROUP BY region_code, enumerator_id, state, flagged, proposed, decile
"""


def _decile_sql(selection: str | None) -> QueryString:
    """The latest-visit subquery's ``decile`` within a selection, as SQL (TRUE for all)."""
    if not selection:
        return QueryString("TRUE")
    limits = deciles.bounds(selection)
    if limits is None:
        return QueryString("decile IS NULL")
    return QueryString("decile BETWEEN {} AND {}", *limits)


async def latest_visit_buckets(
    principal: Principal, region: str, round_id: int, decile: str | None = None
) -> list[dict[str, Any]]:
    """The latest visit of each household (and of each proposal with its revisit) in the
    round, counted per (village, enumerator, review state, flagged?, proposal?, decile);
    a proposal's decile is unknown (NULL)."""
    return await Visit.raw(  # type: ignore[no-any-return]
        _LATEST_VISIT_BUCKETS,
        round_id,
        region,
        region + ".%",
        _scoped(principal, Visit.region_code),
        _decile_sql(decile),
    )


async def household_counts(principal: Principal, region: str) -> dict[str, int]:
    from piccolo.query.functions.aggregate import Count

    rows = await where(
        Household.select(Household.region_code, Count(Household.id, alias="n"))
        .where(under(Household.region_code, region) & (Household.status != "proposed"))
        .group_by(Household.region_code),
        principal.region_filter(Household.region_code),
    )
    return {row["region_code"]: row["n"] for row in rows}


async def household_decile_counts(
    principal: Principal, region: str, decile: str | None = None
) -> list[dict[str, Any]]:
    """Households of the register per (village, decile)."""
    from piccolo.query.functions.aggregate import Count

    query = (
        Household.select(Household.region_code, Household.decile, Count(Household.id, alias="n"))
        .where(under(Household.region_code, region) & (Household.status != "proposed"))
        .group_by(Household.region_code, Household.decile)
    )
    if decile:
        query = query.where(deciles.clause(Household.decile, decile))
    return await where(query, principal.region_filter(Household.region_code))  # type: ignore[no-any-return]


async def users_by_id(ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = await User.select(User.id, User.username, User.display_name).where(
        User.id.is_in(sorted(ids))
    )
    return {row["id"]: row for row in rows}

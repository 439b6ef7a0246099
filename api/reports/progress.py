"""Progress of a round in a region, per village and per enumerator.

Three grouped queries, whatever the size of the region: assignments per (village,
enumerator), households per village, and the latest visit of each household per
(village, enumerator, review state, flagged). A household counts once, by its latest
visit in the round, so a returned visit that was redone counts as the redo:

* ``assigned``: assignments of the round; ``not_visited``: assigned minus visited
* ``visited``: households with a visit in the round (= submitted + complete + approved
  + returned + escalated)
* ``submitted``: latest visit still waiting for its photos; ``complete``: every photo in,
  waiting for review; ``approved``, ``returned`` (to be visited again), ``escalated``
* ``flagged``: latest visit carries at least one quality flag
* ``proposed``: new households proposed in the field (not in the counts above)
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import msgspec

from api.reports import queries
from api.reports.scope import ReportScope
from auth.roles import Principal

STATES = ("submitted", "complete", "approved", "returned", "escalated")


class Counts(msgspec.Struct, kw_only=True):
    assigned: int = 0
    visited: int = 0
    not_visited: int = 0
    submitted: int = 0
    complete: int = 0
    approved: int = 0
    returned: int = 0
    escalated: int = 0
    flagged: int = 0
    proposed: int = 0


class VillageProgress(Counts, kw_only=True):
    region_code: str
    name: str
    district: str
    households: int = 0


class EnumeratorProgress(Counts, kw_only=True):
    enumerator_id: int
    username: str
    display_name: str


class ProgressReport(msgspec.Struct, kw_only=True):
    region_code: str
    region_name: str
    round_id: int
    round: str
    generated_at: datetime
    totals: VillageProgress
    villages: list[VillageProgress]
    enumerators: list[EnumeratorProgress]


def _add_visits(target: Counts, row: dict[str, Any]) -> None:
    n = int(row["n"])
    if int(row["proposed"]):
        target.proposed += n
        return
    target.visited += n
    if row["state"] in STATES:
        setattr(target, row["state"], getattr(target, row["state"]) + n)
    if int(row["flagged"]):
        target.flagged += n


async def progress(principal: Principal, scope: ReportScope) -> ProgressReport:
    region = scope.region_code
    assignments = await queries.assignment_counts(principal, region, scope.round_id)
    buckets = await queries.latest_visit_buckets(principal, region, scope.round_id)
    households = await queries.household_counts(principal, region)
    names = await queries.region_names_around(region)

    villages: dict[str, VillageProgress] = {}

    def village(code: str) -> VillageProgress:
        if code not in villages:
            district = code.rsplit(".", 1)[0]
            villages[code] = VillageProgress(
                region_code=code, name=names.get(code, ""), district=names.get(district, "")
            )
        return villages[code]

    people: dict[int, Counts] = defaultdict(Counts)
    for code, count in households.items():
        village(code).households = count
    for row in assignments:
        n = int(row["n"])
        village(row["region_code"]).assigned += n
        people[row["enumerator"]].assigned += n
    for row in buckets:
        _add_visits(village(row["region_code"]), row)
        _add_visits(people[row["enumerator_id"]], row)

    users = await queries.users_by_id(set(people))
    totals = VillageProgress(region_code=region, name=names.get(region, ""), district="")
    fields = [f for f in Counts.__struct_fields__]
    for item in villages.values():
        item.not_visited = max(item.assigned - item.visited, 0)
        totals.households += item.households
        for name in fields:
            setattr(totals, name, getattr(totals, name) + getattr(item, name))
    enumerators = []
    for user_id, counts in people.items():
        counts.not_visited = max(counts.assigned - counts.visited, 0)
        user = users.get(user_id, {})
        enumerators.append(
            EnumeratorProgress(
                enumerator_id=user_id,
                username=user.get("username", ""),
                display_name=user.get("display_name", ""),
                **{name: getattr(counts, name) for name in fields},
            )
        )
    return ProgressReport(
        region_code=region,
        region_name=names.get(region, ""),
        round_id=scope.round_id,
        round=scope.round_name,
        generated_at=datetime.now(UTC),
        totals=totals,
        villages=sorted(villages.values(), key=lambda v: v.region_code),
        enumerators=sorted(enumerators, key=lambda e: (e.display_name, e.enumerator_id)),
    )

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

Each village and the totals also carry ``deciles``: households, assigned, visited and
approved per decile band of the register (``1-4`` the poorest 40 %, ``5-10``, ``unknown``;
``api.registry.deciles``), so the office sees whether the poorest are visited first.
With a decile selection every figure counts only the households inside it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import msgspec

from api.registry import deciles
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


class DecileProgress(msgspec.Struct, kw_only=True):
    band: deciles.Band  # "1-4" (the poorest 40 %), "5-10" or "unknown"
    households: int = 0
    assigned: int = 0
    visited: int = 0
    approved: int = 0


def _bands() -> list[DecileProgress]:
    return [DecileProgress(band=band) for band in deciles.BANDS]


class VillageProgress(Counts, kw_only=True):
    region_code: str
    name: str
    district: str
    households: int = 0
    # Always the three bands, in the order of deciles.BANDS.
    deciles: list[DecileProgress] = msgspec.field(default_factory=_bands)


class EnumeratorProgress(Counts, kw_only=True):
    enumerator_id: int
    username: str
    display_name: str


class ProgressReport(msgspec.Struct, kw_only=True):
    region_code: str
    region_name: str
    round_id: int
    round: str
    decile: str | None  # the decile selection the figures are limited to; None: all
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


def _band_of(target: VillageProgress, decile: int | None) -> DecileProgress:
    return target.deciles[deciles.BANDS.index(deciles.band(decile))]


async def progress(
    principal: Principal, scope: ReportScope, decile: str | None = None
) -> ProgressReport:
    region = scope.region_code
    assignments = await queries.assignment_counts(principal, region, scope.round_id, decile)
    buckets = await queries.latest_visit_buckets(principal, region, scope.round_id, decile)
    households = await queries.household_decile_counts(principal, region, decile)
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
    for row in households:
        place = village(row["region_code"])
        place.households += int(row["n"])
        _band_of(place, row["decile"]).households += int(row["n"])
    for row in assignments:
        n = int(row["n"])
        place = village(row["region_code"])
        place.assigned += n
        _band_of(place, row["decile"]).assigned += n
        people[row["enumerator"]].assigned += n
    for row in buckets:
        place = village(row["region_code"])
        _add_visits(place, row)
        _add_visits(people[row["enumerator_id"]], row)
        if not int(row["proposed"]):
            band = _band_of(place, row["decile"])
            band.visited += int(row["n"])
            if row["state"] == "approved":
                band.approved += int(row["n"])

    users = await queries.users_by_id(set(people))
    totals = VillageProgress(region_code=region, name=names.get(region, ""), district="")
    fields = [f for f in Counts.__struct_fields__]
    for item in villages.values():
        item.not_visited = max(item.assigned - item.visited, 0)
        totals.households += item.households
        for name in fields:
            setattr(totals, name, getattr(totals, name) + getattr(item, name))
        for total_band, item_band in zip(totals.deciles, item.deciles, strict=True):
            total_band.households += item_band.households
            total_band.assigned += item_band.assigned
            total_band.visited += item_band.visited
            total_band.approved += item_band.approved
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
        decile=decile,
        generated_at=datetime.now(UTC),
        totals=totals,
        villages=sorted(villages.values(), key=lambda v: v.region_code),
        enumerators=sorted(enumerators, key=lambda e: (e.display_name, e.enumerator_id)),
    )

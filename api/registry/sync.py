"""The enumerator's download: ``GET /api/v1/assignments?since=CURSOR``.

Without a cursor: every assignment of the caller in open rounds (a *full* download),
with the baseline answers and members the form pre-fills, and a cursor. With a cursor:
only the assignments whose log entries (``assignment_change``) are newer, each either
sent again in its current form or listed in ``removed`` when it is no longer the
caller's (reassigned, unassigned, round closed). See ``api.registry.changes`` for why the
cursor is safe against concurrent writers.

Paging: at most ``limit`` assignments per answer; ``has_more`` says to ask again with the
returned cursor, which then continues the same window. A cursor of another user, or one
ahead of the log (a restored database), starts a full download instead.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import msgspec

from api import db
from api.civil_registry.findings import open_for_households
from api.civil_registry.kinds import hint
from api.registry import bulk, changes
from api.registry.changes import Cursor
from api.registry.queries import (
    SYNC_FINDINGS_SQL,
    SYNC_MEMBERS_SQL,
    SYNC_ROWS_SQL,
    region_names,
    where,
)
from api.registry.schemas import SyncAssignment, SyncHint, SyncHousehold, SyncResponse, SyncRound
from api.registry.tables import Assignment, AssignmentChange, HouseholdMember, Round
from api.visits.tables import Visit
from auth.roles import Principal

MEMBER_KEYS = ("nik", "name", "sex", "relationship", "marital_status")


def _assignment_query(principal: Principal) -> Any:
    return where(
        Assignment.select(
            Assignment.id,
            Assignment.round,
            Assignment.state,
            Assignment.returned_comment,
            Assignment.assigned_at,
            Assignment.updated_at,
            Assignment.household.id.as_alias("household_id"),
            Assignment.household.region_code.as_alias("region_code"),
            Assignment.household.address.as_alias("address"),
            Assignment.household.rt.as_alias("rt"),
            Assignment.household.rw.as_alias("rw"),
            Assignment.household.kk_number.as_alias("kk_number"),
            Assignment.household.head_name.as_alias("head_name"),
            Assignment.household.head_nik.as_alias("head_nik"),
            Assignment.household.latitude.as_alias("latitude"),
            Assignment.household.longitude.as_alias("longitude"),
            Assignment.household.decile.as_alias("decile"),
            Assignment.household.status.as_alias("status"),
            Assignment.household.baseline.as_alias("baseline"),
        )
        .where(Assignment.enumerator == principal.user_id)
        .where(Assignment.round.state == "open"),
        principal.region_filter(Assignment.region_code),
    ).output(load_json=True)


async def _members(household_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    if not household_ids:
        return {}
    rows = await (
        HouseholdMember.select(
            HouseholdMember.id,
            HouseholdMember.household,
            HouseholdMember.nik,
            HouseholdMember.name,
            HouseholdMember.sex,
            HouseholdMember.birth_date,
            HouseholdMember.relationship,
            HouseholdMember.marital_status,
            HouseholdMember.answers,
        )
        .where(HouseholdMember.household.is_in(household_ids))
        .order_by(HouseholdMember.household)
        .order_by(HouseholdMember.position)
        .order_by(HouseholdMember.id)
        .output(load_json=True)
    )
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        record: dict[str, Any] = {"member_id": row["id"]}
        for key in MEMBER_KEYS:
            if row[key] is not None:
                record[key] = row[key]
        if row["birth_date"] is not None:
            record["birth_date"] = row["birth_date"].isoformat()
        record.update(row["answers"] or {})
        result[row["household"]].append(record)
    return result


async def _returned_visits(rows: list[dict[str, Any]]) -> dict[tuple[int, int], uuid.UUID]:
    """The visit a reviewer returned, per (household, round) of a returned assignment.

    The phone sends it as ``revisit_of`` so the revisit is linked to the visit it answers.
    """
    returned = [row for row in rows if row["state"] == "returned"]
    if not returned:
        return {}
    found = await (
        Visit.select(Visit.id, Visit.household_id, Visit.round_id)
        .where(Visit.household_id.is_in(sorted({row["household_id"] for row in returned})))
        .where(Visit.round_id.is_in(sorted({row["round"] for row in returned})))
        .where(Visit.state == "returned")
        .order_by(Visit.received_at)
    )
    # Newest last, so the newest returned visit of each pair wins.
    return {(v["household_id"], v["round_id"]): v["id"] for v in found}


async def _items(rows: list[dict[str, Any]]) -> tuple[list[SyncAssignment], list[SyncRound]]:
    members = await _members([row["household_id"] for row in rows])
    returned = await _returned_visits(rows)
    findings = await open_for_households(sorted({row["household_id"] for row in rows}))
    names = await region_names({row["region_code"] for row in rows})
    round_ids = sorted({row["round"] for row in rows})
    rounds = (
        await Round.select(
            Round.id,
            Round.name,
            Round.region_code,
            Round.starts_on,
            Round.ends_on,
            Round.form_id,
            Round.form_version,
        ).where(Round.id.is_in(round_ids))
        if round_ids
        else []
    )
    forms = {r["id"]: (r["form_id"], r["form_version"]) for r in rounds}
    items = [
        SyncAssignment(
            assignment_id=row["id"],
            round_id=row["round"],
            state=row["state"],
            returned_comment=row["returned_comment"],
            returned_visit_id=returned.get((row["household_id"], row["round"]))
            if row["state"] == "returned"
            else None,
            form_id=forms[row["round"]][0],
            form_version=forms[row["round"]][1],
            assigned_at=row["assigned_at"],
            updated_at=row["updated_at"],
            household=SyncHousehold(
                id=row["household_id"],
                region_code=row["region_code"],
                village_name=names.get(row["region_code"], ""),
                address=row["address"],
                rt=row["rt"],
                rw=row["rw"],
                kk_number=row["kk_number"],
                head_name=row["head_name"],
                head_nik=row["head_nik"],
                latitude=row["latitude"],
                longitude=row["longitude"],
                decile=row["decile"],
                status=row["status"],
            ),
            baseline={**(row["baseline"] or {}), "members": members.get(row["household_id"], [])},
            civil_registry_hints=[
                SyncHint(f.id, f.kind, f.member_id, f.hint, f.details)
                for f in findings.get(row["household_id"], [])
            ],
        )
        for row in rows
    ]
    return items, [SyncRound(**r) for r in rounds]


_JSON_OBJECT = msgspec.json.Decoder(dict[str, Any])


async def _page_postgres(
    principal: Principal, after: int, size: int, only: list[int] | None
) -> tuple[int, list[int], list[SyncAssignment], list[SyncRound]]:
    """The page from plain rows, on the request's connection: the change-log head, the
    assignments (with household, village name, round, returned visit), their members and
    open civil-registry findings. Raw asyncpg rows, JSON columns decoded by msgspec, no
    Piccolo result processing (that was most of the old path's time, see benchmarks)."""
    head = await changes.head()
    scopes = None if principal.is_national else list(principal.scopes)
    rows = await bulk.fetch(SYNC_ROWS_SQL, principal.user_id, scopes, after, size, only)
    households = [row["household_id"] for row in rows]
    families: dict[int, list[dict[str, Any]]] = defaultdict(list)
    hints: dict[int, list[SyncHint]] = defaultdict(list)
    if households:
        for member in await bulk.fetch(SYNC_MEMBERS_SQL, households):
            household = member.pop("household")
            answers = member.pop("answers")
            if member["birth_date"] is not None:
                member["birth_date"] = member["birth_date"].isoformat()
            record = {key: value for key, value in member.items() if value is not None}
            if answers:
                record.update(_JSON_OBJECT.decode(answers))
            families[household].append(record)
        for finding in await bulk.fetch(SYNC_FINDINGS_SQL, households):
            details = _JSON_OBJECT.decode(finding["details"]) if finding["details"] else {}
            hints[finding["household_id"]].append(
                SyncHint(
                    finding["id"],
                    finding["kind"],
                    finding["member_id"],
                    hint(finding["kind"], details),
                    details,
                )
            )
    rounds: dict[int, SyncRound] = {}
    items = []
    for row in rows:
        if row["round"] not in rounds:
            rounds[row["round"]] = SyncRound(
                row["round"], row["round_name"], row["round_region"], row["starts_on"],
                row["ends_on"], row["form_id"], row["form_version"],
            )  # fmt: skip
        baseline = _JSON_OBJECT.decode(row["baseline"]) if row["baseline"] else {}
        baseline["members"] = families.get(row["household_id"], [])
        items.append(
            SyncAssignment(
                assignment_id=row["id"],
                round_id=row["round"],
                state=row["state"],
                returned_comment=row["returned_comment"],
                returned_visit_id=row["returned_visit_id"],
                form_id=row["form_id"],
                form_version=row["form_version"],
                assigned_at=row["assigned_at"],
                updated_at=row["updated_at"],
                household=SyncHousehold(
                    row["household_id"],
                    row["region_code"],
                    row["village_name"],
                    row["address"],
                    row["rt"],
                    row["rw"],
                    row["kk_number"],
                    row["head_name"],
                    row["head_nik"],
                    row["latitude"],
                    row["longitude"],
                    row["decile"],
                    row["status"],
                ),
                baseline=baseline,
                civil_registry_hints=hints.get(row["household_id"], []),
            )
        )
    return head, [row["id"] for row in rows], items, sorted(rounds.values(), key=lambda r: r.id)


async def download(
    principal: Principal, since: str | None, limit: int, *, fast_path: bool | None = None
) -> SyncResponse:
    """The page; ``fast_path`` (default: on PostgreSQL) serves a first sync from raw rows."""
    if fast_path is None:
        fast_path = db.is_postgres()
    if fast_path and not since:
        return await _full_first_page_postgres(principal, limit)
    head = await changes.head()
    cursor = changes.decode(since) if since else None
    if cursor is not None and (cursor.user_id != principal.user_id or cursor.to_seq > head):
        cursor = None  # another user's cursor, or a database restored to an earlier point
    full = cursor is None or cursor.full
    # The window: changes in (from_seq, to_seq]. A continuation keeps its window.
    if cursor is None:
        to_seq, from_seq, after = head, 0, 0
    elif cursor.after_id is not None:
        to_seq, from_seq, after = cursor.to_seq, cursor.from_seq, cursor.after_id
    else:
        to_seq, from_seq, after = head, cursor.to_seq, 0

    removed: list[int] = []
    if full:
        rows = (
            await _assignment_query(principal)
            .where(Assignment.id > after)
            .order_by(Assignment.id)
            .limit(limit + 1)
        )
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1]["id"] if rows else None
    else:
        changed = await (
            AssignmentChange.select(AssignmentChange.assignment_id)
            .distinct()
            .where(AssignmentChange.enumerator_id == principal.user_id)
            .where(AssignmentChange.seq > from_seq)
            .where(AssignmentChange.seq <= to_seq)
            .where(AssignmentChange.assignment_id > after)
            .order_by(AssignmentChange.assignment_id)
            .limit(limit + 1)
        )
        more = len(changed) > limit
        ids = [row["assignment_id"] for row in changed[:limit]]
        rows = (
            await _assignment_query(principal)
            .where(Assignment.id.is_in(ids))
            .order_by(Assignment.id)
            if ids
            else []
        )
        present = {row["id"] for row in rows}
        removed = [i for i in ids if i not in present]
        last = ids[-1] if ids else None

    if more and last is not None:
        next_cursor = Cursor(principal.user_id, to_seq, full=full, from_seq=from_seq, after_id=last)
    else:
        next_cursor = Cursor(principal.user_id, to_seq)
    items, rounds = await _items(rows)
    return SyncResponse(
        cursor=next_cursor.encode(),
        has_more=more,
        full=full,
        server_time=datetime.now(UTC),
        rounds=rounds,
        assignments=items,
        removed=removed,
    )


async def _full_first_page_postgres(principal: Principal, limit: int) -> SyncResponse:
    """A first sync on PostgreSQL (the heaviest read of a phone): the fast path."""
    head, ids, items, rounds = await _page_postgres(principal, 0, limit + 1, None)
    more = len(ids) > limit
    if more:
        items = items[:limit]
        used = {item.round_id for item in items}
        rounds = [r for r in rounds if r.id in used]
        next_cursor = Cursor(
            principal.user_id, head, full=True, from_seq=0, after_id=ids[limit - 1]
        )
    else:
        next_cursor = Cursor(principal.user_id, head)
    return SyncResponse(
        cursor=next_cursor.encode(),
        has_more=more,
        full=True,
        server_time=datetime.now(UTC),
        rounds=rounds,
        assignments=items,
        removed=[],
    )

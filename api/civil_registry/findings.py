"""Findings as the round sees them: staff lists, the phone's hints, a visit's verdict.

A visit settles the open findings of its household in its own transaction: the
member's presence answered on the phone confirms or contradicts a death or a move; a
corrected NIK confirms an unknown NIK; a found household's members answer the rest.
A visit that did not meet the household (not home, refused, not found) keeps them open.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from api.civil_registry.kinds import LABELS, FindingKind, FindingState, hint
from api.civil_registry.schemas import FindingOut, FindingPage
from api.civil_registry.tables import Finding
from api.errors import NotFound
from api.registry.queries import where
from api.registry.tables import Household, HouseholdMember
from auth.roles import Principal

MET = {"found"}
_DIED, _MOVED = "2", {"3", "4"}
_LIVES, _NEW = "1", "5"


def _out(row: dict[str, Any], names: dict[int, str]) -> FindingOut:
    kind = FindingKind(row["kind"])
    details = row["details"] or {}
    return FindingOut(
        id=row["id"],
        kind=kind.value,
        label=LABELS[kind],
        household_id=row["household_id"],
        member_id=row["member_id"],
        member_name=names.get(row["member_id"]) if row["member_id"] else None,
        region_code=row["region_code"],
        evidence=row["evidence"],
        details=details,
        hint=hint(kind.value, details),
        state=row["state"],
        opened_at=row["opened_at"],
        closed_at=row["closed_at"],
        closed_by_visit=str(row["closed_by_visit"]) if row["closed_by_visit"] else None,
    )


async def _member_names(rows: list[dict[str, Any]]) -> dict[int, str]:
    ids = sorted({r["member_id"] for r in rows if r["member_id"]})
    if not ids:
        return {}
    found = await HouseholdMember.select(HouseholdMember.id, HouseholdMember.name).where(
        HouseholdMember.id.is_in(ids)
    )
    return {r["id"]: r["name"] for r in found}


async def list_findings(
    principal: Principal,
    *,
    household_id: int | None,
    region: str | None,
    kind: FindingKind | None,
    state: FindingState | None,
    after: int | None,
    limit: int,
) -> FindingPage:
    query = where(Finding.select(), principal.region_filter(Finding.region_code))
    if household_id is not None:
        visible = await where(
            Household.exists().where(Household.id == household_id),
            principal.region_filter(Household.region_code),
        )
        if not visible:
            raise NotFound("No such household in your regions.", code="household_not_found")
        query = query.where(Finding.household_id == household_id)
    if region is not None:
        if not principal.covers(region) and not any(
            s.startswith(region + ".") for s in principal.scopes
        ):
            raise NotFound("No such region in your regions.", code="region_not_found")
        query = query.where(
            (Finding.region_code == region) | Finding.region_code.like(region + ".%")
        )
    if kind is not None:
        query = query.where(Finding.kind == kind.value)
    if state is not None:
        query = query.where(Finding.state == state.value)
    if after is not None:
        query = query.where(Finding.id > after)
    rows = await query.order_by(Finding.id).limit(limit + 1).output(load_json=True)
    more = len(rows) > limit
    rows = rows[:limit]
    names = await _member_names(rows)
    return FindingPage(
        items=[_out(r, names) for r in rows], next_after=rows[-1]["id"] if more else None
    )


async def open_for_households(household_ids: list[int]) -> dict[int, list[FindingOut]]:
    """Open findings per household (the phone's hints, the review screen's flags)."""
    if not household_ids:
        return {}
    rows = await (
        Finding.select()
        .where(Finding.household_id.is_in(household_ids))
        .where(Finding.state == FindingState.OPEN.value)
        .order_by(Finding.id)
        .output(load_json=True)
    )
    names = await _member_names(rows)
    result: dict[int, list[FindingOut]] = {}
    for row in rows:
        result.setdefault(row["household_id"], []).append(_out(row, names))
    return result


async def for_household(household_id: int) -> list[FindingOut]:
    """Every finding of one household, open and closed (for the review screen)."""
    rows = await (
        Finding.select()
        .where(Finding.household_id == household_id)
        .order_by(Finding.id)
        .output(load_json=True)
    )
    names = await _member_names(rows)
    return [_out(r, names) for r in rows]


def _verdict(
    finding: dict[str, Any], answered: dict[str, dict[str, Any]], nik: str | None
) -> FindingState | None:
    """confirmed / contradicted by the visit's members, or None to keep it open."""
    kind = FindingKind(finding["kind"])
    member = answered.get(nik) if nik else None
    presence = str(member.get("presence", "")) if member else None
    if kind is FindingKind.BIRTH:
        born = (finding["details"] or {}).get("birth_date")
        new = [m for m in answered.values() if str(m.get("presence")) == _NEW]
        if any(str(m.get("birth_date", ""))[:10] == born for m in new):
            return FindingState.CONFIRMED
        return FindingState.CONTRADICTED if not new else None
    if member is None:
        # The member's NIK is no longer answered: corrected, or the member left the card.
        if kind in (FindingKind.NIK_UNKNOWN, FindingKind.IDENTITY_MISMATCH):
            return FindingState.CONFIRMED
        return None
    if kind is FindingKind.DIED:
        return FindingState.CONFIRMED if presence == _DIED else FindingState.CONTRADICTED
    if kind in (FindingKind.MOVED_OUT, FindingKind.KK_CHANGED, FindingKind.DUPLICATE_NIK):
        return FindingState.CONFIRMED if presence in _MOVED else FindingState.CONTRADICTED
    # NIK unknown or identity mismatch, answered with the same NIK: the card shows it.
    return FindingState.CONTRADICTED


def open_findings(household_id: int) -> Any:
    """The household's open findings, as a query (for ``db.fetch_together`` too)."""
    return Finding.select(Finding.id, Finding.kind, Finding.member_id, Finding.details).where(
        (Finding.household_id == household_id) & (Finding.state == FindingState.OPEN.value)
    )


async def settle_by_visit(
    visit_id: uuid.UUID,
    household_id: int | None,
    outcome: str,
    cleaned: dict[str, Any],
    now: datetime,
    open_rows: list[dict[str, Any]] | None = None,
) -> dict[str, int]:
    """Close what the visit answers; call inside the visit's write transaction.

    ``open_rows``: the household's open findings when the caller read them already
    (visit intake reads them with its other facts, in one round trip: ``open_findings``).
    """
    if household_id is None or outcome not in MET:
        return {}
    rows = (
        open_rows
        if open_rows is not None
        else await open_findings(household_id).output(load_json=True)
    )
    if not rows:
        return {}
    for row in rows:  # rows read through JSON (SQLite) carry details as text
        if isinstance(row.get("details"), str):
            row["details"] = json.loads(row["details"])
    member_ids = sorted({r["member_id"] for r in rows if r["member_id"]})
    niks = {
        r["id"]: r["nik"]
        for r in (
            await HouseholdMember.select(HouseholdMember.id, HouseholdMember.nik).where(
                HouseholdMember.id.is_in(member_ids)
            )
            if member_ids
            else []
        )
    }
    members = cleaned.get("members") if isinstance(cleaned.get("members"), list) else []
    answered = {
        str(m.get("nik")) if m.get("nik") else f"new-{i}": m
        for i, m in enumerate(members or [])
        if isinstance(m, dict)
    }
    settled: dict[str, int] = {}
    for row in rows:
        verdict = _verdict(row, answered, niks.get(row["member_id"]))
        if verdict is None:
            continue
        await Finding.update(
            {
                Finding.state: verdict.value,
                Finding.closed_at: now,
                Finding.closed_by_visit: visit_id,
            }
        ).where(Finding.id == row["id"])
        settled[verdict.value] = settled.get(verdict.value, 0) + 1
    return settled

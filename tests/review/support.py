"""Visits written straight into the tables, for queue, state-machine and matrix tests that
need many visits in given states without the phone's round trip (the end-to-end tests
go through the HTTP API instead)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from api.registry.tables import Assignment, Household, Round
from api.visits.tables import Flag, Visit

T0 = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)


async def make_round(region_code: str = "17.06", name: str = "Verval Juni 2026") -> int:
    rows = await Round.insert(
        Round(
            name=name,
            region_code=region_code,
            starts_on=date(2026, 6, 1),
            ends_on=date(2026, 12, 31),
            state="open",
            created_by="test",
        )
    ).returning(Round.id)
    return int(rows[0]["id"])


async def make_household(village: str, number: int, **extra: Any) -> int:
    rows = await Household.insert(
        Household(
            kk_number=f"{village.replace('.', '')[:6]}1201{number:06d}",
            region_code=village,
            address=f"Jl. Kenanga {number}",
            rt="001",
            rw="001",
            head_name="Kepala",
            baseline=extra.pop("baseline", {}),
            **extra,
        )
    ).returning(Household.id)
    return int(rows[0]["id"])


async def make_assignment(
    round_id: int, household_id: int, enumerator_id: int, village: str, state: str = "visited"
) -> int:
    rows = await Assignment.insert(
        Assignment(
            round=round_id,
            household=household_id,
            enumerator=enumerator_id,
            region_code=village,
            state=state,
            assigned_by="test",
        )
    ).returning(Assignment.id)
    return int(rows[0]["id"])


async def insert_visit(
    *,
    household_id: int | None,
    round_id: int,
    region_code: str,
    enumerator_id: int,
    state: str = "complete",
    received_at: datetime | None = None,
    outcome: str = "found",
    flags: list[tuple[str, str]] | None = None,
    photos_declared: int = 0,
    photos_stored: int | None = None,
    revisit_of: uuid.UUID | None = None,
) -> uuid.UUID:
    """One visit row (and its flags, as (code, severity)); returns its id."""
    visit_id = uuid.uuid4()
    received_at = received_at or datetime.now(UTC)
    started = received_at - timedelta(hours=1)
    flags = flags or []
    await Visit.insert(
        Visit(
            id=visit_id,
            household_id=household_id,
            round_id=round_id,
            region_code=region_code,
            proposed_household=household_id is None,
            enumerator_id=enumerator_id,
            form_id="dtks_verval",
            form_version=1,
            outcome=outcome,
            eligibility="layak" if outcome == "found" else None,
            answers={},
            started_at=started,
            ended_at=started + timedelta(minutes=12),
            device_id="android-test",
            app_version="1.0.0",
            revisit_of=revisit_of,
            content_hash=hashlib.sha256(visit_id.bytes).hexdigest(),
            state=state,
            received_at=received_at,
            completed_at=received_at if state != "submitted" else None,
            photos_declared=photos_declared,
            photos_stored=photos_declared if photos_stored is None else photos_stored,
            flag_count=len(flags),
        )
    )
    if flags:
        await Flag.insert(
            *[
                Flag(
                    visit=visit_id,
                    code=code,
                    severity=severity,
                    evidence={},
                    created_at=received_at,
                )
                for code, severity in flags
            ]
        )
    return visit_id

"""A crafted round for the reports: two villages of the own district, one foreign village,
two enumerators, visits in every review state (written straight into the tables), a
revisit after a return, a proposed new household, flags, and signed-in clients.

Expected figures for district 17.06.01 (the supervisor's scope):

| village          | hh | assigned | visited | submitted | complete | approved | escalated | flagged | proposed |
| Suka Pindah 2005 |  6 |        6 |       5 |         1 |        1 |        2 |         1 |       2 |        1 |
| Lubuk Pinang 2006|  3 |        3 |       1 |         0 |        0 |        1 |         0 |       0 |        0 |
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from api.audit.service import Actor
from api.registry.region_import import import_regions
from api.registry.tables import Assignment, Household, HouseholdMember, Round
from api.visits.tables import Flag, Visit
from auth.roles import Role
from survey_forms.samples import dtks_submission, usulan_submission
from tests.support.users import bearer, login, make_user

# The full-stack fixtures (SQLite + local store, PostgreSQL + SeaweedFS) of the visit tests.
from tests.visits.conftest import app_client, field, phone, stack  # noqa: F401

VILLAGE_A = "17.06.01.2005"  # Suka Pindah (desa)
VILLAGE_B = "17.06.01.2006"  # Lubuk Pinang (desa)
FOREIGN = "17.06.05.2004"  # Air Buluh, district Ipuh
T0 = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)  # 09:00 WIB
HOME = (-2.5601, 101.1102)
INJECTION = '=HYPERLINK("http://x","klik")'


@dataclass
class Crafted:
    round_id: int
    siti: int
    budi: int
    other: int
    households: dict[str, int] = dataclasses.field(default_factory=dict)  # label → id
    kk: dict[str, str] = dataclasses.field(default_factory=dict)  # label → No. KK
    visits: dict[str, uuid.UUID] = dataclasses.field(default_factory=dict)  # label → visit id
    proposal_kk: str = ""


async def _household(label: str, village: str, number: int, crafted: Crafted, **extra: Any) -> int:
    kk = f"{village.replace('.', '')[:6]}1201{number:06d}"
    rows = await Household.insert(
        Household(
            kk_number=kk,
            region_code=village,
            address=extra.pop("address", f"Jl. Kenanga {number}"),
            rt=extra.pop("rt", f"{number % 3 + 1:03d}"),
            rw="002",
            head_name=extra.pop("head_name", f"Kepala {label.upper()}"),
            head_nik=f"{village.replace('.', '')[:6]}0101{80 + number % 10:02d}{number:04d}",
            latitude=HOME[0] + number * 0.001,
            longitude=HOME[1],
            decile=2,
            member_count=2,
            baseline={"house_ownership": "2", "floor_material": "8", "roof_material": "5"},
        )
    ).returning(Household.id)
    household_id = int(rows[0]["id"])
    for position in range(2):
        await HouseholdMember.insert(
            HouseholdMember(
                household=household_id,
                position=position,
                nik=f"{village.replace('.', '')[:6]}01019{position}{number:04d}",
                name=f"Anggota {label} {position}",
                sex=str(position + 1),
                birth_date=date(1980 + position, 1, 1),
                relationship="1" if position == 0 else "2",
                marital_status="2",
            )
        )
    crafted.households[label] = household_id
    crafted.kk[label] = kk
    return household_id


async def _assign(crafted: Crafted, label: str, enumerator: int, village: str) -> None:
    await Assignment.insert(
        Assignment(
            round=crafted.round_id,
            household=crafted.households[label],
            enumerator=enumerator,
            region_code=village,
            state="visited",
            assigned_by="test",
        )
    )


async def add_visit(
    crafted: Crafted,
    label: str,
    *,
    household: str | None,
    village: str,
    enumerator: int,
    outcome: str,
    eligibility: str | None,
    state: str,
    minutes_after: int,
    flags: list[str] | None = None,
    answers: dict[str, Any] | None = None,
    gps: tuple[float, float] | None = HOME,
    revisit_of: uuid.UUID | None = None,
) -> uuid.UUID:
    visit_id = uuid.uuid4()
    started = T0 + timedelta(minutes=minutes_after)
    flags = flags or []
    if answers is None:
        answers = dtks_submission() if outcome == "found" else {}
    await Visit.insert(
        Visit(
            id=visit_id,
            household_id=crafted.households[household] if household else None,
            round_id=crafted.round_id,
            region_code=village,
            proposed_household=household is None,
            enumerator_id=enumerator,
            form_id="dtks_verval" if household else "usulan_baru",
            form_version=1,
            outcome=outcome,
            eligibility=eligibility,
            answers=answers,
            started_at=started,
            ended_at=started + timedelta(minutes=12),
            gps_lat=gps[0] if gps else None,
            gps_lon=gps[1] if gps else None,
            gps_accuracy_m=7.5 if gps else None,
            device_id="android-test",
            app_version="1.0.0",
            revisit_of=revisit_of,
            content_hash=hashlib.sha256(visit_id.bytes).hexdigest(),
            state=state,
            received_at=started + timedelta(minutes=30),
            completed_at=None if state == "submitted" else started + timedelta(minutes=31),
            flag_count=len(flags),
        )
    )
    for code in flags:
        await Flag.insert(
            Flag(visit=visit_id, code=code, severity="warning", evidence={}, created_at=started)
        )
    crafted.visits[label] = visit_id
    return visit_id


async def build_crafted() -> Crafted:
    await import_regions(Actor.system(), only="17.06")
    siti = (await make_user("siti", Role.ENUMERATOR, ["17.06.01"])).id
    budi = (await make_user("budi", Role.ENUMERATOR, ["17.06.01"])).id
    other = (await make_user("other", Role.ENUMERATOR, ["17.06.05"])).id
    await make_user("spv", Role.SUPERVISOR, ["17.06.01"])
    await make_user("aud", Role.AUDITOR, ["17.06.01"])
    await make_user("adm", Role.ADMIN, [])
    await make_user("spv.ipuh", Role.SUPERVISOR, ["17.06.05"])
    rows = await Round.insert(
        Round(
            name="Verval Juni 2026",
            region_code="17.06",
            starts_on=date(2026, 6, 1),
            ends_on=date(2026, 7, 31),
            state="open",
            created_by="test",
        )
    ).returning(Round.id)
    crafted = Crafted(round_id=int(rows[0]["id"]), siti=siti, budi=budi, other=other)
    for number, label in enumerate(["h1", "h2", "h3", "h4", "h5", "h6"], start=1):
        extra = {"head_name": INJECTION} if label == "h4" else {}
        await _household(label, VILLAGE_A, number, crafted, **extra)
    for number, label in enumerate(["b1", "b2", "b3"], start=11):
        await _household(label, VILLAGE_B, number, crafted)
    await _household("f1", FOREIGN, 21, crafted)
    for label in ("h1", "h2", "h3", "h4"):
        await _assign(crafted, label, siti, VILLAGE_A)
    for label in ("h5", "h6"):
        await _assign(crafted, label, budi, VILLAGE_A)
    for label in ("b1", "b2", "b3"):
        await _assign(crafted, label, budi, VILLAGE_B)
    await _assign(crafted, "f1", other, FOREIGN)

    await add_visit(
        crafted,
        "h1",
        household="h1",
        village=VILLAGE_A,
        enumerator=siti,
        outcome="found",
        eligibility="layak",
        state="approved",
        minutes_after=0,
    )
    first = await add_visit(
        crafted,
        "h2.first",
        household="h2",
        village=VILLAGE_A,
        enumerator=siti,
        outcome="found",
        eligibility="tidak_layak",
        state="returned",
        minutes_after=20,
    )
    await add_visit(
        crafted,
        "h2",
        household="h2",
        village=VILLAGE_A,
        enumerator=siti,
        outcome="found",
        eligibility="musdes",
        state="complete",
        minutes_after=24 * 60,
        flags=["gps_far_from_household"],
        revisit_of=first,
    )
    await add_visit(
        crafted,
        "h3",
        household="h3",
        village=VILLAGE_A,
        enumerator=siti,
        outcome="not_found",
        eligibility=None,
        state="approved",
        minutes_after=40,
    )
    await add_visit(
        crafted,
        "h5",
        household="h5",
        village=VILLAGE_A,
        enumerator=budi,
        outcome="moved",
        eligibility=None,
        state="escalated",
        minutes_after=60,
        flags=["visit_too_short", "gps_poor_accuracy"],
        gps=None,
    )
    await add_visit(
        crafted,
        "h6",
        household="h6",
        village=VILLAGE_A,
        enumerator=budi,
        outcome="found",
        eligibility="layak",
        state="submitted",
        minutes_after=80,
    )
    proposal = usulan_submission()
    crafted.proposal_kk = proposal["kk_number"]
    await add_visit(
        crafted,
        "p1",
        household=None,
        village=VILLAGE_A,
        enumerator=siti,
        outcome="new_household",
        eligibility="musdes",
        state="approved",
        minutes_after=100,
        answers=proposal,
    )
    await add_visit(
        crafted,
        "b1",
        household="b1",
        village=VILLAGE_B,
        enumerator=budi,
        outcome="found",
        eligibility="layak",
        state="approved",
        minutes_after=120,
    )
    await add_visit(
        crafted,
        "f1",
        household="f1",
        village=FOREIGN,
        enumerator=other,
        outcome="found",
        eligibility="layak",
        state="approved",
        minutes_after=140,
    )
    return crafted


@pytest.fixture
async def crafted(database: Any) -> Crafted:
    return await build_crafted()


@pytest.fixture
async def as_role(client: httpx.AsyncClient, crafted: Crafted) -> dict[str, dict[str, str]]:
    """Authorization headers by role: supervisor, auditor, admin, enumerator, foreign."""
    names = {"supervisor": "spv", "auditor": "aud", "admin": "adm", "enumerator": "siti",
             "foreign": "spv.ipuh"}  # fmt: skip
    return {role: bearer(await login(client, name)) for role, name in names.items()}

"""The registry part of ``verval demo``: Mukomuko's region tree, synthetic households, a
round and assignments for the demo enumerators. Deterministic and idempotent: a second
run imports the same file (nothing changes) and finds the assignments already made.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from api.audit.service import Actor
from api.registry import assignments, rounds
from api.registry.baseline.importer import import_baseline
from api.registry.region_import import SHIPPED_REGIONS, import_regions, region_rows
from api.registry.schemas import AssignRequest, RoundCreate, RoundState
from api.registry.synthetic import Village, write_csv
from api.registry.tables import Household, Round
from api.visits.rounds_window import WIB
from auth import queries as auth_queries
from auth import service as auth_service

DEMO_REGENCY = "17.06"
DEMO_HOUSEHOLDS = 3000
DEMO_SEED = 1706
DEMO_TODAY = date(2026, 6, 1)  # fixed, so the generated NIKs never change
_BULAN = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
).split()
# enumerator username → the villages whose households it gets in the demo round
DEMO_ASSIGNMENTS = {
    "enumerator": ("17.06.01.2005", "17.06.01.2006", "17.06.01.2007"),
    "enumerator.ipuh": ("17.06.05.2004", "17.06.05.2005", "17.06.05.2006"),
    "enumerator.demo": ("17.06.01.2008",),
}


@dataclass
class RegistryDemo:
    regions: int
    households: int
    round_id: int
    assigned: dict[str, int]


def demo_villages() -> list[Village]:
    return [
        Village(code, name)
        for _, code, name in region_rows(SHIPPED_REGIONS, DEMO_REGENCY)
        if code.count(".") == 3
    ]


async def _import_regencies_of_indonesia(actor: Actor) -> None:
    """Every province and regency too (a few hundred rows), so a member who moved to
    another regency can be recorded with its code (the server checks it exists)."""
    with tempfile.TemporaryDirectory(prefix="verval-demo-") as folder:
        upper = Path(folder) / "regencies.csv"
        with upper.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["kode", "nama"])
            writer.writerows(
                (code, name)
                for _, code, name in region_rows(SHIPPED_REGIONS)
                if code and code.count(".") <= 1
            )
        await import_regions(actor, upper)


def demo_round_terms(today: date | None = None) -> tuple[str, date, date]:
    """The demo round runs from the start of last month to the end of next month (Jakarta
    time), so it takes the demo's visits of the last days and the visitor's own (rounds
    refuse visits made outside their days); it is named after this month."""
    today = today or datetime.now(UTC).astimezone(WIB).date()
    this_month = today.replace(day=1)
    starts_on = (this_month - timedelta(days=1)).replace(day=1)
    after_next = (this_month + timedelta(days=62)).replace(day=1)
    name = f"Verval {_BULAN[this_month.month - 1]} {this_month.year}"
    return name, starts_on, after_next - timedelta(days=1)


async def load_registry_demo(actor: Actor, admin_username: str = "admin") -> RegistryDemo:
    regions = await import_regions(actor, SHIPPED_REGIONS, only=DEMO_REGENCY)
    await _import_regencies_of_indonesia(actor)
    loaded = await Household.count().where(Household.region_code.like(DEMO_REGENCY + ".%"))
    if loaded < DEMO_HOUSEHOLDS:  # a second run keeps what exists (and stays fast)
        with tempfile.TemporaryDirectory(prefix="verval-demo-") as folder:
            baseline = Path(folder) / "baseline-mukomuko.csv"
            write_csv(baseline, demo_villages(), DEMO_HOUSEHOLDS, seed=DEMO_SEED, today=DEMO_TODAY)
            await import_baseline(actor, baseline, today=DEMO_TODAY, batch_rows=5000)
    principal = await auth_service.acting_as(admin_username, "demo", actor)
    assert principal is not None, "the demo users come first"
    name, starts_on, ends_on = demo_round_terms()
    existing = await Round.select(Round.id).where(Round.name == name).first()
    if existing is None:
        created = await rounds.create_round(  # with the newest published dtks_verval
            principal,
            RoundCreate(
                name=name,
                region_code=DEMO_REGENCY,
                starts_on=starts_on,
                ends_on=ends_on,
                state=RoundState.OPEN,
            ),
        )
        round_id = created.id
    else:
        round_id = existing["id"]
    assigned: dict[str, int] = {}
    for username, villages in DEMO_ASSIGNMENTS.items():
        user = await auth_queries.user_by_username(username)
        if user is None:
            continue
        total = 0
        for village in villages:
            result = await assignments.assign(
                principal,
                round_id,
                AssignRequest(enumerator_id=user["id"], region_code=village),
            )
            total += result.assigned + result.unchanged
        assigned[username] = total
    return RegistryDemo(
        regions=regions.created + regions.unchanged + regions.renamed,
        households=await Household.count(),
        round_id=round_id,
        assigned=assigned,
    )

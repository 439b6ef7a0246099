"""The demo's civil registry: an extract derived from the demo register, a push key, and
one death pushed as an event on a household of each demo enumerator, so the phones show a
death hint and the supervisors' screens show findings. Idempotent."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from api.audit.service import Actor
from api.civil_registry import credentials, events, matching, synthetic
from api.civil_registry.importer import import_extract
from api.civil_registry.schemas import CivilEventIn, CredentialCreate, EventBatch, EventKind
from api.civil_registry.tables import CivilCredential, CivilPerson
from api.registry import bulk
from auth.roles import Principal, Role

DEMO_REGENCY = "17.06"
DEMO_SEED = 14
DEMO_KEY_NAME = "Disdukcapil Mukomuko (demo)"
DEATH_HINT_FOR = ("enumerator", "enumerator.demo")


async def _key_principal(actor: Actor) -> Principal:
    row = await CivilCredential.select().where(CivilCredential.name == DEMO_KEY_NAME).first()
    if row is None:
        issued = await credentials.issue(
            actor, CredentialCreate(name=DEMO_KEY_NAME, region_code=DEMO_REGENCY)
        )
        credential_id, region = issued.credential.id, issued.credential.region_code
    else:
        credential_id, region = row["id"], row["region_code"]
    ref = f"civil_registry:{credential_id}"
    return Principal(
        user_id=0,
        username=ref,
        display_name=DEMO_KEY_NAME,
        role=Role.CIVIL_REGISTRY,
        scopes=(region,),
        session_id="demo",
        extra={"credential_id": credential_id, "actor": ref},
    )


async def _push_deaths(principal: Principal, today: date) -> None:
    """A death on the head's spouse (or the head) of the 21st household assigned to each
    enumerator, or its last (the first ones, the last and those after the 40th are where
    the journeys in tests/e2e begin)."""
    wanted: list[CivilEventIn] = []
    for username in DEATH_HINT_FOR:
        assigned = await bulk.fetch(
            "SELECT a.household FROM assignment a JOIN app_user u ON u.id = a.enumerator "
            "WHERE u.username = $1 ORDER BY a.id",
            username,
        )
        if not assigned:
            continue
        household = assigned[min(20, len(assigned) - 1)]["household"]
        rows = await bulk.fetch(
            "SELECT m.nik, m.name, h.region_code FROM household h "
            "JOIN household_member m ON m.household = h.id "
            "WHERE h.id = $1 ORDER BY m.position DESC LIMIT 1",
            household,
        )
        if rows:
            row = rows[0]
            wanted.append(
                CivilEventIn(
                    id=f"DEMO-DEATH-{username}",
                    kind=EventKind.DEATH,
                    occurred_on=today - timedelta(days=30),
                    region_code=row["region_code"],
                    nik=row["nik"],
                    name=row["name"],
                )
            )
    if wanted:
        await events.receive(principal, EventBatch(events=wanted))


async def load_civil_registry_demo(actor: Actor, today: date | None = None) -> None:
    today = today or date.today()
    if not await CivilPerson.exists():
        with tempfile.TemporaryDirectory(prefix="verval-dukcapil-") as folder:
            extract = Path(folder) / "dukcapil-mukomuko.csv"
            await synthetic.write_extract(extract, DEMO_REGENCY, seed=DEMO_SEED, today=today)
            # After the extract: the copies' mistyped NIKs are unknown to the civil registry.
            await synthetic.plant_duplicates(DEMO_REGENCY, seed=DEMO_SEED, share=0.002)
            await import_extract(actor, extract, today=today)
        await matching.reconcile(actor, matching.Target(region=DEMO_REGENCY), today)
    await _push_deaths(await _key_principal(actor), today)

"""The register's objects for the authorisation matrix: own (17.06.01) and foreign (17.06.05)."""

from __future__ import annotations

from datetime import date
from typing import Any

from api.audit.service import Actor
from api.registry.region_import import import_regions
from api.registry.tables import Assignment, Household, Round

SIDES = {
    "own": {"district": "17.06.01", "village": "17.06.01.2005", "spare": "17.06.01.2006"},
    "foreign": {"district": "17.06.05", "village": "17.06.05.2004", "spare": "17.06.05.2005"},
}


async def _household(kk: str, village: str) -> int:
    rows = await Household.insert(
        Household(kk_number=kk, region_code=village, head_name="Warga", rt="001", rw="001")
    ).returning(Household.id)
    return int(rows[0]["id"])


async def add_registry_world(world: dict[str, Any]) -> None:
    """Adds village/district/spare/household/round/assignment/doomed for both sides."""
    await import_regions(Actor.system(), only="17.06")
    for number, (side, codes) in enumerate(SIDES.items()):
        for key, code in codes.items():
            world[f"{key}.{side}"] = code
        district6 = codes["district"].replace(".", "")
        household = await _household(f"{district6}0101200{number}01", codes["village"])
        doomed = await _household(f"{district6}0101200{number}02", codes["village"])
        await _household(f"{district6}0101200{number}03", codes["spare"])
        round_rows = await Round.insert(
            Round(
                name=f"Verval {codes['district']}",
                region_code=codes["district"],
                starts_on=date(2026, 6, 1),
                ends_on=date(2026, 7, 31),
                state="open",
                created_by="system",
            )
        ).returning(Round.id)
        round_id = round_rows[0]["id"]
        enumerator = world[f"enumerator.{side}"]
        ids = []
        for target in (household, doomed):
            rows = await Assignment.insert(
                Assignment(
                    round=round_id,
                    household=target,
                    enumerator=enumerator,
                    region_code=codes["village"],
                    state="open",
                    assigned_by="system",
                )
            ).returning(Assignment.id)
            ids.append(rows[0]["id"])
        world[f"household.{side}"] = household
        world[f"round.{side}"] = round_id
        world[f"assignment.{side}"] = ids[0]
        world[f"doomed.{side}"] = ids[1]

"""The village's objects for the authorisation matrix, on top of the register's world
(``tests/registry/matrix_world.py``): per side a removal proposal, a draft deliberation,
an open public review with one entry and one open objection."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from api.village.tables import (
    Deliberation,
    PublicEntry,
    PublicObjection,
    PublicReview,
    VillageProposal,
)


async def add_village_world(world: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    for side in ("own", "foreign"):
        village, round_id = world[f"village.{side}"], world[f"round.{side}"]
        household = world[f"household.{side}"]
        proposal = await VillageProposal.insert(
            VillageProposal(
                round_id=round_id,
                region_code=village,
                kind="removal",
                household_id=household,
                reason="died",
                evidence_text="Surat kematian dari desa",
                source="village_office",
                created_by="system",
                created_at=now,
            )
        ).returning(VillageProposal.id)
        deliberation = await Deliberation.insert(
            Deliberation(
                round_id=round_id,
                region_code=village,
                held_on=date(2026, 7, 1),
                place="Balai Desa",
                attendance=[{"name": "Pak Kades", "position": "kepala_desa"}],
                state="draft",
                created_by="system",
                created_at=now,
                updated_at=now,
            )
        ).returning(Deliberation.id)
        review = await PublicReview.insert(
            PublicReview(
                round_id=round_id,
                region_code=village,
                deliberation_id=deliberation[0]["id"],
                opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=13),
                state="open",
                published_by="system",
            )
        ).returning(PublicReview.id)
        entry = await PublicEntry.insert(
            PublicEntry(
                review_id=review[0]["id"],
                token=f"matrixentry{side}",
                household_id=household,
                position=1,
                rt="001",
                rw="001",
                masked_name="W***a",
                change="unchanged",
            )
        ).returning(PublicEntry.id)
        objection = await PublicObjection.insert(
            PublicObjection(
                review_id=review[0]["id"],
                region_code=village,
                entry_id=entry[0]["id"],
                kind="objection",
                category="not_eligible",
                text="Keluarga ini sudah mampu.",
                client_hash="x" * 64,
                state="open",
                created_at=now,
            )
        ).returning(PublicObjection.id)
        world[f"proposal.{side}"] = proposal[0]["id"]
        world[f"deliberation.{side}"] = deliberation[0]["id"]
        world[f"review.{side}"] = review[0]["id"]
        world[f"objection.{side}"] = objection[0]["id"]

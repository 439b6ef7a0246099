"""Shared steps of the village tests: people, approved visits, a finalised deliberation."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from api.registry.tables import Household
from auth.roles import Role
from tests.review.support import insert_visit
from tests.support.field import VILLAGE, Field, jpeg_bytes
from tests.support.users import bearer, login, make_user

NAMES = ["Sugiarti Wibowo", "Bambang Sutrisno", "Dewi Lestari"]


async def people(client: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    await make_user("sari", Role.SUPERVISOR, ["17.06"])
    await make_user("ops", Role.VILLAGE_OPERATOR, [VILLAGE])
    await make_user("ops.ipuh", Role.VILLAGE_OPERATOR, ["17.06.05.2001"])
    return {name: bearer(await login(client, name)) for name in ("sari", "ops", "ops.ipuh", "siti")}


async def name_households(field: Field) -> None:
    for household_id, name in zip(field.household_ids, NAMES, strict=True):
        await Household.update({Household.head_name: name}).where(Household.id == household_id)


async def approved_visits(field: Field) -> dict[str, uuid.UUID]:
    """h0 found (layak), h1 moved: both approved in the round."""
    found = await insert_visit(
        household_id=field.household_ids[0],
        round_id=field.round_id,
        region_code=VILLAGE,
        enumerator_id=field.enumerator_id,
        state="approved",
    )
    moved = await insert_visit(
        household_id=field.household_ids[1],
        round_id=field.round_id,
        region_code=VILLAGE,
        enumerator_id=field.enumerator_id,
        state="approved",
        outcome="moved",
    )
    return {"found": found, "moved": moved}


def addition_body(field: Field, answers: dict[str, Any]) -> dict[str, Any]:
    return {
        "round_id": field.round_id,
        "region_code": VILLAGE,
        "kind": "addition",
        "source": "village_office",
        "answers": answers,
    }


def removal_body(field: Field, household_id: int, reason: str = "died") -> dict[str, Any]:
    return {
        "round_id": field.round_id,
        "region_code": VILLAGE,
        "kind": "removal",
        "household_id": household_id,
        "reason": reason,
        "evidence_text": "Surat keterangan kematian dari kepala desa",
    }


async def final_deliberation(
    client: httpx.AsyncClient, who: dict[str, str], field: Field
) -> dict[str, Any]:
    """A deliberation with every agenda item agreed and a signed page attached."""
    created = await client.post(
        "/api/v1/deliberations",
        headers=who,
        json={
            "round_id": field.round_id,
            "region_code": VILLAGE,
            "held_on": "2026-07-02",
            "place": "Balai Desa Suka Pindah",
            "attendance": [
                {"name": "Hasan Basri", "position": "kepala_desa"},
                {"name": "Yusuf Effendi", "position": "bpd"},
            ],
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    for item in body["agenda"]:
        decided = await client.post(
            f"/api/v1/deliberations/{body['id']}/decisions",
            headers=who,
            json={"item_key": item["key"], "decision": "agreed"},
        )
        assert decided.status_code == 201, decided.text
    page = await client.put(
        f"/api/v1/deliberations/{body['id']}/minutes/{uuid.uuid4()}",
        headers={**who, "Content-Type": "image/jpeg"},
        content=jpeg_bytes(seed=77, size=(800, 1100)),
    )
    assert page.status_code == 201, page.text
    return (await client.get(f"/api/v1/deliberations/{body['id']}", headers=who)).json()  # type: ignore[no-any-return]

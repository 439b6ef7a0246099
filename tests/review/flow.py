"""The phone's side of a visit, through the HTTP API, and fetching a photo link."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Any

import httpx

from api.registry.tables import Household, HouseholdMember
from tests.support.field import FOUND_KINDS, Field, PhonePhoto, photos_for, visit_body

# The head and grandmother of survey_forms.samples.dtks_submission, as the register has them,
# and a member the visit does not list.
BASELINE_MEMBERS = [
    {"nik": "1706031505780001", "name": "Sutrisno", "sex": "1", "relationship": "1",
     "marital_status": "1", "birth_date": date(1978, 5, 15)},
    {"nik": "1706034107450005", "name": "Painem", "sex": "2", "relationship": "6",
     "marital_status": "4", "birth_date": date(1945, 7, 1)},
    {"nik": "1706035507600007", "name": "Karto", "sex": "1", "relationship": "6",
     "marital_status": "4", "birth_date": date(1960, 7, 15)},
]  # fmt: skip
BASELINE_ANSWERS = {"house_ownership": "2", "floor_material": "8", "floor_area": "48"}


async def give_household_a_baseline(household_id: int) -> None:
    """The register's view of the field's first household, to compare the visit with."""
    await Household.update({Household.baseline: BASELINE_ANSWERS}).where(
        Household.id == household_id
    )
    await HouseholdMember.delete().where(HouseholdMember.household == household_id)
    for position, member in enumerate(BASELINE_MEMBERS):
        await HouseholdMember.insert(
            HouseholdMember(household=household_id, position=position, **member)
        )


async def send_visit(
    client: httpx.AsyncClient,
    phone: dict[str, str],
    field_: Field,
    household_id: int,
    *,
    seed: int = 0,
    kinds: list[str] | None = None,
    **body_extra: Any,
) -> tuple[uuid.UUID, list[PhonePhoto]]:
    """PUT a visit and every photo; returns the visit id and the photos."""
    photos = photos_for(kinds or FOUND_KINDS, seed=seed)
    body = visit_body(field_, household_id, photos)
    body.update(body_extra)
    visit_id = uuid.uuid4()
    response = await client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    assert response.status_code == 201, response.text
    for photo in photos:
        uploaded = await client.put(
            f"/api/v1/visits/{visit_id}/photos/{photo.id}",
            content=photo.data,
            headers={**phone, "Content-Type": "image/jpeg"},
        )
        assert uploaded.status_code == 201, uploaded.text
    return visit_id, photos


async def fetch(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """A presigned link: the object store's own (S3), or the API's (local store)."""
    if url.startswith("http://") or url.startswith("https://"):
        async with httpx.AsyncClient() as outside:
            return await outside.get(url)
    return await client.get(url)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

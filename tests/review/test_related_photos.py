"""A duplicate-photo flag names the other household and shows its photo beside this one,
for a reviewer of both regions; outside the reviewer's regions only the fact is shown."""

from __future__ import annotations

import uuid

from auth.roles import Role
from tests.support.field import FOUND_KINDS, PhonePhoto, photos_for, visit_body
from tests.support.users import bearer, login, make_user


async def _send(client, headers, field, household: int, photos: list[PhonePhoto]) -> uuid.UUID:
    visit_id = uuid.uuid4()
    body = visit_body(field, household, photos)
    response = await client.put(f"/api/v1/visits/{visit_id}", json=body, headers=headers)
    assert response.status_code == 201, response.text
    for photo in photos:
        stored = await client.put(
            f"/api/v1/visits/{visit_id}/photos/{photo.id}",
            content=photo.data,
            headers={**headers, "Content-Type": "image/jpeg"},
        )
        assert stored.status_code == 201, stored.text
    return visit_id


def _reusing(original: PhonePhoto, seed: int) -> list[PhonePhoto]:
    """The same front photo sent again under a new id, with fresh inside and card photos."""
    fresh = photos_for(FOUND_KINDS, seed=seed)
    return [PhonePhoto(uuid.uuid4(), original.kind, original.data), *fresh[1:]]


async def test_reused_photo_names_the_other_household_and_links_both(
    app_client, phone, field, store
):
    first_photos = photos_for(FOUND_KINDS, seed=1)
    first = await _send(app_client, phone, field, field.household_ids[0], first_photos)
    second_photos = _reusing(first_photos[0], seed=2)
    second = await _send(app_client, phone, field, field.household_ids[1], second_photos)

    await make_user("spv", Role.SUPERVISOR, ["17.06.01"])
    supervisor = bearer(await login(app_client, "spv"))
    detail = (await app_client.get(f"/api/v1/visits/{second}", headers=supervisor)).json()
    assert any(f["code"] == "photo_reused" for f in detail["flags"])
    [related] = [r for r in detail["related_photos"] if r["flag_code"] == "photo_reused"]
    assert related["in_scope"] is True
    assert related["photo_id"] == str(second_photos[0].id)
    assert related["other_visit_id"] == str(first)
    assert related["other_photo_id"] == str(first_photos[0].id)
    assert related["other_household_id"] == field.household_ids[0]
    assert related["other_head_name"] == "Kepala" and (
        related["other_rt"],
        related["other_rw"],
    ) == ("001", "002")
    assert related["other_village_name"] and related["other_enumerator_name"]
    assert related["other_links"]["original"]  # the other photo, to show side by side
    own = next(p for p in detail["photos"] if p["id"] == str(second_photos[0].id))
    assert own["links"]["original"]
    # The enumerator of the visit learns of the reuse, not whose household it was.
    mine = (await app_client.get(f"/api/v1/visits/{second}", headers=phone)).json()
    [fact] = [r for r in mine["related_photos"] if r["flag_code"] == "photo_reused"]
    assert fact["in_scope"] is False and fact["other_head_name"] is None
    assert fact["other_links"] is None


async def test_other_region_is_shown_by_the_fact_alone(app_client, phone, field, store):
    first_photos = photos_for(FOUND_KINDS, seed=3)
    await _send(app_client, phone, field, field.household_ids[0], first_photos)
    budi = bearer(await login(app_client, "budi"))
    reused = _reusing(first_photos[0], seed=4)
    foreign_visit = await _send(app_client, budi, field, field.foreign_household_id, reused)

    await make_user("spv.ipuh", Role.SUPERVISOR, ["17.06.05"])
    ipuh = bearer(await login(app_client, "spv.ipuh"))
    detail = (await app_client.get(f"/api/v1/visits/{foreign_visit}", headers=ipuh)).json()
    [related] = [r for r in detail["related_photos"] if r["flag_code"] == "photo_reused"]
    assert related["in_scope"] is False
    for key in ("other_photo_id", "other_household_id", "other_head_name", "other_links",
                "other_village_name", "other_enumerator_name"):  # fmt: skip
        assert related[key] is None, key

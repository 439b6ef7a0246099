"""``GET /audit/verify`` figures mean what they say: the chain walked is the whole chain
(one for every region), while the events, visits and photos in scope are the region's own,
the same ones the region's evidence bundle carries."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

from auth.roles import Role
from tests.audit.test_chain_and_evidence import _visit_with_photos
from tests.support.field import FOUND_KINDS, photos_for, visit_body
from tests.support.users import bearer, login, make_user


async def _visit_in_ipuh(app_client, field) -> None:
    """A visit in the other district (17.06.05), by its own enumerator."""
    budi = bearer(await login(app_client, "budi"))
    photos = photos_for(FOUND_KINDS, seed=11)
    visit_id = uuid.uuid4()
    body = visit_body(field, field.foreign_household_id, photos)
    response = await app_client.put(f"/api/v1/visits/{visit_id}", json=body, headers=budi)
    assert response.status_code == 201, response.text
    for photo in photos:
        stored = await app_client.put(
            f"/api/v1/visits/{visit_id}/photos/{photo.id}",
            content=photo.data,
            headers={**budi, "Content-Type": "image/jpeg"},
        )
        assert stored.status_code == 201


async def test_regency_and_district_figures_differ_and_match_the_bundle(
    app_client, phone, field, store
):
    await _visit_with_photos(app_client, phone, field)
    await _visit_with_photos(app_client, phone, field, household_index=1, seed=3)
    await _visit_in_ipuh(app_client, field)
    await make_user("inspektorat", Role.AUDITOR, ["17.06"])
    auditor = bearer(await login(app_client, "inspektorat"))

    regency = (await app_client.get("/api/v1/audit/verify?region=17.06", headers=auditor)).json()
    district = (
        await app_client.get("/api/v1/audit/verify?region=17.06.01", headers=auditor)
    ).json()
    assert regency["ok"] and district["ok"]
    # One chain for everyone: walked whole whatever the scope.
    assert regency["chain_events_checked"] == district["chain_events_checked"]
    assert district["scope"] == {"region": "17.06.01", "household_id": None}
    # The scope's own figures: the district is a part of the regency.
    assert (district["visits_in_scope"], district["photos_checked"]) == (2, 6)
    assert (regency["visits_in_scope"], regency["photos_checked"]) == (3, 9)
    assert 0 < district["events_in_scope"] < regency["events_in_scope"]
    assert regency["events_in_scope"] < regency["chain_events_checked"]

    # The district's bundle carries the same visits, photos and events in full.
    bundle = await app_client.get("/api/v1/audit/bundles?region=17.06.01", headers=auditor)
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        full_events = [
            line for line in archive.read("chain.jsonl").splitlines() if b'"action"' in line
        ]
    assert manifest["counts"]["visits"] == district["visits_in_scope"]
    assert manifest["counts"]["photos"] == district["photos_checked"]
    assert len(full_events) == district["events_in_scope"]

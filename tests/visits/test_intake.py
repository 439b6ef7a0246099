"""Visit and photo intake: idempotent, write-once, and every photo stored exactly once."""

from __future__ import annotations

import asyncio
import uuid

from api.audit.tables import AuditEvent
from api.registry.tables import Assignment
from api.visits.tables import Photo, Visit
from api.visits.thumbnails import IN_ROW_THUMBNAIL
from media.store import evidence_key
from tests.support.field import FOUND_KINDS, photos_for, visit_body
from tests.visits.analysed_events import analysed_photo_ids
from tests.visits.conftest import object_keys


async def test_visit_then_photos_completes_once(app_client, phone, field, store):
    photos = photos_for(FOUND_KINDS)
    body = visit_body(field, field.household_ids[0], photos)
    visit_id = uuid.uuid4()

    first = await app_client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert receipt["state"] == "submitted"
    assert sorted(receipt["missing_photos"]) == sorted(str(p.id) for p in photos)

    again = await app_client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    assert again.status_code == 200 and again.json() == receipt

    for index, photo in enumerate(photos):
        response = await app_client.put(
            f"/api/v1/visits/{visit_id}/photos/{photo.id}",
            content=photo.data,
            headers={**phone, "Content-Type": "image/jpeg"},
        )
        assert response.status_code == 201, response.text
        expected_state = "complete" if index == len(photos) - 1 else "submitted"
        assert response.json()["visit_state"] == expected_state
    repeat = await app_client.put(
        f"/api/v1/visits/{visit_id}/photos/{photos[0].id}",
        content=photos[0].data,
        headers={**phone, "Content-Type": "image/jpeg"},
    )
    assert repeat.status_code == 200 and repeat.json()["missing_photos"] == []

    assert await Visit.count() == 1 and await Photo.count() == 3
    keys = await object_keys(store)
    assert keys == sorted(evidence_key(p.sha256) for p in photos)
    for photo in photos:
        info = await store.stat(evidence_key(photo.sha256))
        assert info.sha256 == photo.sha256 and info.size == len(photo.data)
    # No derivative in the store: the photos carry no metadata, so each is its own display
    # copy, and each thumbnail is kept in its photo's row (a JPEG, not an object).
    assert await object_keys(store, "derivatives/") == []
    rows = await Photo.select(
        Photo.storage_key,
        Photo.display_key,
        Photo.analysed_at,
        Photo.thumbnail_key,
        Photo.thumbnail,
    )
    assert all(r["display_key"] == r["storage_key"] and r["analysed_at"] for r in rows)
    assert all(r["thumbnail_key"] == IN_ROW_THUMBNAIL for r in rows)
    assert all(bytes(r["thumbnail"])[:2] == b"\xff\xd8" for r in rows)
    actions = [
        row["action"] for row in await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.seq)
    ]
    assert actions.count("visit.received") == 1
    assert actions.count("photo.received") == 3
    assert actions.count("visit.completed") == 1
    # Each photo's analysis is on the chain once (photo.analysed, or the completion's details).
    assert await analysed_photo_ids() == sorted(str(p.id) for p in photos)
    assignment = (
        await Assignment.select(Assignment.state)
        .where(Assignment.household == field.household_ids[0])
        .first()
    )
    assert assignment["state"] == "visited"

    detail = await app_client.get(f"/api/v1/visits/{visit_id}", headers=phone)
    assert detail.status_code == 200
    assert detail.json()["state"] == "complete" and len(detail.json()["photos"]) == 3


async def test_same_uuid_with_different_content_is_409(app_client, phone, field):
    photos = photos_for(FOUND_KINDS)
    body = visit_body(field, field.household_ids[0], photos)
    visit_id = uuid.uuid4()
    assert (
        await app_client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    ).status_code == 201
    changed = {**body, "eligibility": "tidak_layak"}
    conflict = await app_client.put(f"/api/v1/visits/{visit_id}", json=changed, headers=phone)
    assert conflict.status_code == 409 and conflict.json()["code"] == "visit_conflict"
    stored = await Visit.select(Visit.eligibility).first()
    assert stored["eligibility"] == "layak"


async def test_concurrent_repeats_store_one_visit_and_one_object(app_client, phone, field, store):
    photos = photos_for(["house_front"])
    body = visit_body(field, field.household_ids[0], photos, outcome="not_home")
    visit_id = uuid.uuid4()
    answers = await asyncio.gather(
        *[app_client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone) for _ in range(4)]
    )
    assert sorted(r.status_code for r in answers) in ([200, 200, 200, 201],)
    uploads = await asyncio.gather(
        *[
            app_client.put(
                f"/api/v1/visits/{visit_id}/photos/{photos[0].id}",
                content=photos[0].data,
                headers={**phone, "Content-Type": "image/jpeg"},
            )
            for _ in range(3)
        ]
    )
    assert all(r.status_code in (200, 201) for r in uploads)
    assert [r.status_code for r in uploads].count(201) == 1
    assert await Visit.count() == 1
    assert await object_keys(store) == [evidence_key(photos[0].sha256)]
    events = await AuditEvent.count().where(AuditEvent.action == "photo.received")
    assert events == 1


async def test_same_photo_bytes_in_two_visits_stored_once_and_flagged(
    app_client, phone, field, store
):
    shared = photos_for(["house_front"])[0]
    first_id, second_id = uuid.uuid4(), uuid.uuid4()
    first = visit_body(field, field.household_ids[0], [shared], outcome="not_home")
    await app_client.put(f"/api/v1/visits/{first_id}", json=first, headers=phone)
    await app_client.put(
        f"/api/v1/visits/{first_id}/photos/{shared.id}",
        content=shared.data,
        headers={**phone, "Content-Type": "image/jpeg"},
    )

    reused = type(shared)(uuid.uuid4(), "house_front", shared.data)
    second = visit_body(field, field.household_ids[1], [reused], outcome="not_home")
    response = await app_client.put(f"/api/v1/visits/{second_id}", json=second, headers=phone)
    assert response.status_code == 201
    upload = await app_client.put(
        f"/api/v1/visits/{second_id}/photos/{reused.id}",
        content=reused.data,
        headers={**phone, "Content-Type": "image/jpeg"},
    )
    assert upload.status_code == 201 and upload.json()["visit_state"] == "complete"
    assert await object_keys(store) == [evidence_key(shared.sha256)]
    detail = (await app_client.get(f"/api/v1/visits/{second_id}", headers=phone)).json()
    reuse = [f for f in detail["flags"] if f["code"] == "photo_reused"]
    assert reuse and reuse[0]["evidence"]["other_visit"] == str(first_id)
    assert str(field.household_ids[0]) in reuse[0]["message"]["en"]


async def test_photo_before_its_visit_or_undeclared_is_404(app_client, phone, field):
    photo = photos_for(["house_front"])[0]
    missing = await app_client.put(
        f"/api/v1/visits/{uuid.uuid4()}/photos/{photo.id}",
        content=photo.data,
        headers={**phone, "Content-Type": "image/jpeg"},
    )
    assert missing.status_code == 404 and missing.json()["code"] == "visit_not_found"
    visit_id = uuid.uuid4()
    await app_client.put(
        f"/api/v1/visits/{visit_id}",
        json=visit_body(field, field.household_ids[0], [photo], outcome="not_home"),
        headers=phone,
    )
    stranger = await app_client.put(
        f"/api/v1/visits/{visit_id}/photos/{uuid.uuid4()}",
        content=photo.data,
        headers={**phone, "Content-Type": "image/jpeg"},
    )
    assert stranger.status_code == 404 and stranger.json()["code"] == "photo_not_declared"


async def test_unassigned_household_and_wrong_roles(app_client, phone, field):
    photos = photos_for(["house_front"])
    foreign = visit_body(field, field.foreign_household_id, photos, outcome="not_home")
    response = await app_client.put(f"/api/v1/visits/{uuid.uuid4()}", json=foreign, headers=phone)
    assert response.status_code == 404 and response.json()["code"] == "not_assigned"
    assert await Visit.count() == 0


async def test_media_gc_lists_only_unreferenced_objects(app_client, phone, field, store):
    import hashlib
    import tempfile
    from pathlib import Path

    from api.evidence_store.cli import unreferenced_objects
    from tests.support.field import jpeg_bytes

    photo = photos_for(["house_front"])[0]
    visit_id = uuid.uuid4()
    await app_client.put(
        f"/api/v1/visits/{visit_id}",
        json=visit_body(field, field.household_ids[0], [photo], outcome="not_home"),
        headers=phone,
    )
    await app_client.put(
        f"/api/v1/visits/{visit_id}/photos/{photo.id}",
        content=photo.data,
        headers={**phone, "Content-Type": "image/jpeg"},
    )
    # A crash between the object and its row leaves this behind:
    orphan = jpeg_bytes(999)
    digest = hashlib.sha256(orphan).hexdigest()
    with tempfile.NamedTemporaryFile(suffix=".jpg") as handle:
        handle.write(orphan)
        handle.flush()
        await store.put(evidence_key(digest), Path(handle.name), size=len(orphan), sha256=digest)
    assert await unreferenced_objects(store) == [evidence_key(digest)]

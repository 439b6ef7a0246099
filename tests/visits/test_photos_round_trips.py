"""How many SQL round trips a photo PUT makes on the queue path (PostgreSQL): at most 5,
authentication included (issue 18)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from api import db
from tests.support.field import PhonePhoto, build_field, jpeg_bytes, visit_body
from tests.support.round_trips import measure
from tests.support.users import bearer, login

pytestmark = pytest.mark.parametrize("database", ["postgres"], indirect=True)


async def test_photo_put_on_the_queue_path_makes_few_round_trips(queued):
    _, client, _ = queued
    field = await build_field()
    phone = bearer(await login(client, "siti"))
    data = jpeg_bytes(3)
    photo = PhonePhoto(uuid.uuid4(), "house_front", data)
    body = visit_body(field, field.household_ids[0], [], outcome="not_home")
    body["photos"] = [photo.declared(datetime.now(UTC) - timedelta(minutes=50))]
    visit_id = uuid.uuid4()
    sent = await client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    assert sent.status_code == 201
    response, counted = await measure(
        client,
        "PUT",
        f"/api/v1/visits/{visit_id}/photos/{photo.id}",
        content=data,
        headers={**phone, "Content-Type": "image/jpeg"},
    )
    assert response.status_code == 201 and response.json()["missing_photos"] == []
    statements = counted.statements
    # The lookup, one statement for the row, counter, job, audit event and receipt (atomic
    # on its own: no BEGIN/COMMIT), and the connection's reset; authentication's session
    # check is cached.
    assert counted.count <= 5, str(counted)
    assert "BEGIN" not in statements, str(counted)
    assert statements.count(db.POOL_RESET) == 1, str(counted)
    assert sum("visit_photo" in s for s in statements) == 2, str(counted)

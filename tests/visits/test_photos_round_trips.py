"""How many SQL round trips a photo PUT makes on the queue path (PostgreSQL).

The request returns its connection before the body streams, then makes: the declared
photo's lookup, BEGIN, one statement for the photo row + visit counter + analysis job +
receipt, the audit append, COMMIT, and the connection's reset. Authentication and the
audit append are counted as they are today (the session cache and the single-statement
append shrink them); the assertion pins the photo path's own part.
"""

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
    audit = [s for s in statements if "audit_event" in s or "pg_advisory" in s]
    auth = [s for s in statements if "auth_session" in s]
    # Authentication's query holds a connection that goes back before the body streams.
    own = [s for s in statements if s not in audit and s not in auth]
    assert len(own) <= 5 + (1 if auth else 0), str(counted)
    assert sum("visit_photo" in s for s in own) == 2, str(counted)  # lookup, then the write
    assert own.count(db.POOL_RESET) == 1 + (1 if auth else 0), str(counted)

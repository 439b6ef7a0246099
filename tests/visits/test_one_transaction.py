"""The visit PUT decides inside its one transaction (#18, #16)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from api import db
from api.registry.tables import Assignment
from api.visits import queries
from api.visits.schemas import VisitSubmission
from api.visits.service import _Target, _visit_row
from api.visits.tables import Visit
from auth.roles import Principal, Role
from tests.support.field import FOUND_KINDS, photos_for, visit_body

WIB = timezone(timedelta(hours=7))


def _in_wib(value: object) -> object:
    """Every instant of a body written as +07:00 instead of UTC (dates stay as they are)."""
    if isinstance(value, dict):
        return {key: _in_wib(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_in_wib(item) for item in value]
    if isinstance(value, str) and "T" in value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return moment.astimezone(WIB).isoformat()
    return value


async def test_the_same_visit_resent_with_another_offset_gets_its_receipt(app_client, phone, field):
    body = visit_body(field, field.household_ids[0], photos_for(FOUND_KINDS))
    visit_id = uuid.uuid4()
    first = await app_client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    assert first.status_code == 201, first.text
    resent = _in_wib(body)
    assert resent["started_at"] != body["started_at"] and "+07:00" in resent["started_at"]
    again = await app_client.put(f"/api/v1/visits/{visit_id}", json=resent, headers=phone)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    # A real change under the same id is still refused.
    changed = {**resent, "note": "something else"}
    conflict = await app_client.put(f"/api/v1/visits/{visit_id}", json=changed, headers=phone)
    assert conflict.status_code == 409 and conflict.json()["code"] == "visit_conflict"
    assert await Visit.count() == 1


class _RollBack(Exception):
    pass


async def _store_as(field, body, assignment_id: int, enumerator_id: int) -> bool:
    submission = VisitSubmission.model_validate(body)
    principal = Principal(
        user_id=enumerator_id,
        username="siti",
        display_name="Siti",
        role=Role.ENUMERATOR,
        scopes=("17.06",),
        session_id=str(uuid.uuid4()),
    )
    target = _Target(region_code="17.06", assignment_id=assignment_id, household_location=None)
    now = datetime.now(UTC)
    stored: bool | None = None
    async with db.request_connection():
        with pytest.raises(_RollBack):
            async with db.write_transaction():
                stored = await queries.store_visit(
                    _visit_row(uuid.uuid4(), principal, submission, target, {}, "x" * 64, now, 0),
                    [],
                    [],
                    assignment_id=assignment_id,
                    enumerator_id=enumerator_id,
                    at=now,
                )
                raise _RollBack  # as the service's 409 does
    assert stored is not None
    return stored


async def test_the_write_rechecks_the_assignment_it_read(app_client, phone, field):
    """Closed, or given to someone else, between the read and the write: the write says
    so (the service answers 409 and its transaction rolls back)."""
    body = visit_body(field, field.household_ids[0], photos_for(FOUND_KINDS))
    row = (
        await Assignment.select(Assignment.id)
        .where(Assignment.household == field.household_ids[0])
        .first()
    )
    assert row is not None
    assignment_id = row["id"]
    assert await _store_as(field, body, assignment_id, field.enumerator_id) is True
    assert await _store_as(field, body, assignment_id, field.other_enumerator_id) is False
    await Assignment.update({Assignment.state: "closed"}).where(Assignment.id == assignment_id)
    assert await _store_as(field, body, assignment_id, field.enumerator_id) is False
    assert await Visit.count() == 0
    closed = await app_client.put(f"/api/v1/visits/{uuid.uuid4()}", json=body, headers=phone)
    assert closed.status_code == 409 and closed.json()["code"] == "assignment_closed"
    assert await Visit.count() == 0

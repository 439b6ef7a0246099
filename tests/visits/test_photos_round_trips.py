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
    # The lookup and one statement for the row, counter, job, audit event and receipt
    # (atomic on its own: no BEGIN/COMMIT); returning the connection costs no round trip
    # (the pool keeps the session); authentication's session check is cached.
    assert counted.count <= 5, str(counted)
    assert "BEGIN" not in statements, str(counted)
    assert db.POOL_RESET not in statements, str(counted)
    assert sum("visit_photo" in s for s in statements) == 2, str(counted)


async def test_analysing_a_photo_writes_in_one_statement(queued):
    """The analysis job's writes (photo columns, visit counter and completion, hash bands,
    and the completion's chain append carrying the outcome) are one statement."""
    from api.visits.analysis import analyse_photo
    from api.visits.quality import QualityThresholds
    from api.visits.tables import Photo, PhotoHashBand, Visit

    app, client, _ = queued
    field = await build_field()
    phone = bearer(await login(client, "siti"))
    data = jpeg_bytes(4)
    photo = PhonePhoto(uuid.uuid4(), "house_front", data)
    body = visit_body(field, field.household_ids[0], [], outcome="not_home")
    body["photos"] = [photo.declared(datetime.now(UTC) - timedelta(minutes=50))]
    visit_id = uuid.uuid4()
    assert (await client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)).is_success
    stored = await client.put(
        f"/api/v1/visits/{visit_id}/photos/{photo.id}",
        content=data,
        headers={**phone, "Content-Type": "image/jpeg"},
    )
    assert stored.status_code == 201
    db.bind_engine(app.state.resources.engine)
    with db.count_statements() as counted:
        outcome = await analyse_photo(
            photo.id, store=app.state.resources.store, limits=QualityThresholds()
        )
    assert outcome.analysed_now and outcome.visit_completed
    writes = [s for s in counted.statements if s.lstrip().upper().startswith(("WITH", "INSERT"))]
    assert len(writes) == 1, str(counted)
    assert writes[0].startswith("WITH input AS"), str(counted)
    # Reads (photo, visit, near-duplicate candidates), the write, no BEGIN/COMMIT; the
    # pool's connections go back without a reset query.
    assert "BEGIN" not in counted.statements, str(counted)
    assert db.POOL_RESET not in counted.statements, str(counted)
    assert counted.count <= 4, str(counted)
    analysed = await Photo.select(Photo.analysed_at).where(Photo.id == photo.id).first()
    assert analysed is not None and analysed["analysed_at"] is not None
    assert await PhotoHashBand.count().where(PhotoHashBand.photo == photo.id) == 8
    # The completion's event (appended by that one statement) carries the outcome.
    from api.audit.tables import AuditEvent

    events = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.details)
        .where(AuditEvent.action.is_in(["photo.analysed", "visit.completed"]))
        .output(load_json=True)
    )
    assert events == [{"action": "visit.completed", "details": {"analysed": {str(photo.id): []}}}]
    visit = await Visit.select(Visit.state, Visit.photos_analysed).where(Visit.id == visit_id)
    assert visit == [{"state": "complete", "photos_analysed": 1}]


async def test_a_visits_analysis_job_reads_once_and_writes_once_per_photo(queued):
    """The per-visit job: one connection, one read of the visit and its pending photos,
    one near-duplicate lookup for all of them, one statement for all their writes and the
    visit's completion event."""
    from api.audit.tables import AuditEvent
    from api.jobs.queue import ANALYSE_VISIT
    from api.visits.analysis import analyse_visit
    from api.visits.quality import QualityThresholds
    from api.visits.tables import Photo, PhotoHashBand, Visit

    app, client, _ = queued
    engine = app.state.resources.engine
    field = await build_field()
    phone = bearer(await login(client, "siti"))
    photos = [PhonePhoto(uuid.uuid4(), "house_front", jpeg_bytes(10 + n)) for n in range(3)]
    body = visit_body(field, field.household_ids[0], [], outcome="not_home")
    body["photos"] = [p.declared(datetime.now(UTC) - timedelta(minutes=50)) for p in photos]
    visit_id = uuid.uuid4()
    assert (await client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)).is_success
    for number, photo in enumerate(photos):
        stored = await client.put(
            f"/api/v1/visits/{visit_id}/photos/{photo.id}",
            content=photo.data,
            headers={**phone, "Content-Type": "image/jpeg"},
        )
        assert stored.status_code == 201
        jobs = await engine.run_ddl("SELECT task_name, args FROM procrastinate_jobs")
        # Only the photo that stores the visit's last declared photo queues its job.
        assert len(jobs) == (1 if number == 2 else 0), jobs
    assert jobs[0]["task_name"] == ANALYSE_VISIT

    db.bind_engine(engine)
    with db.count_statements() as counted:
        outcomes = await analyse_visit(
            visit_id, store=app.state.resources.store, limits=QualityThresholds()
        )
    assert [o.analysed_now for o in outcomes] == [True, True, True]
    assert [o.visit_completed for o in outcomes] == [False, False, True]
    completion = (
        await AuditEvent.select(AuditEvent.details)
        .where(AuditEvent.action == "visit.completed")
        .output(load_json=True)
    )
    assert sorted(completion[0]["details"]["analysed"]) == sorted(str(p.id) for p in photos)
    assert await AuditEvent.count().where(AuditEvent.action == "photo.analysed") == 0
    statements = counted.statements
    # The read, the near-duplicate lookup, one write for the three photos and the
    # completion (its event carrying their outcomes); the one connection goes back
    # without a reset query.
    assert db.POOL_RESET not in statements, str(counted)
    assert "BEGIN" not in statements, str(counted)
    assert sum(s.startswith("WITH input AS") for s in statements) == 1, str(counted)
    assert counted.count <= 3, str(counted)
    assert await PhotoHashBand.count() == 24
    visit = await Visit.select(Visit.state, Visit.photos_analysed).where(Visit.id == visit_id)
    assert visit == [{"state": "complete", "photos_analysed": 3}]

    # The job again (a retry after its writes): nothing left to do, nothing written twice.
    again = await analyse_visit(
        visit_id, store=app.state.resources.store, limits=QualityThresholds()
    )
    assert again == []
    assert await Photo.count().where(Photo.analysed_at.is_null()) == 0

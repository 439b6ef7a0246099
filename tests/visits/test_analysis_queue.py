"""Photo analysis on the job queue (PostgreSQL + SeaweedFS): the receipt says "stored" at
once, `verval worker` processes analyse, and a worker killed mid-job loses nothing and
duplicates nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from api.audit.tables import AuditEvent
from api.settings import Settings
from api.visits.tables import Flag, Photo, Visit
from tests.support.field import FOUND_KINDS, PhonePhoto, build_field, photos_for, visit_body
from tests.support.users import bearer, login
from tests.visits.analysed_events import analysed_photo_ids

pytestmark = pytest.mark.parametrize("database", ["postgres"], indirect=True)


def _environment(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERVAL_")}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, bool):
            value = "true" if value else "false"
        env[f"VERVAL_{name.upper()}"] = str(value)
    return env


def _worker(settings: Settings, *extra: str, own_session: bool = False) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker", *extra],
        env=_environment(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=own_session,
    )


async def _send(
    client: httpx.AsyncClient, phone: dict[str, str], body: dict[str, Any], photos: list[Any]
) -> tuple[uuid.UUID, list[httpx.Response]]:
    visit_id = uuid.uuid4()
    sent = await client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    assert sent.status_code == 201, sent.text
    uploads = []
    for photo in photos:
        uploads.append(
            await client.put(
                f"/api/v1/visits/{visit_id}/photos/{photo.id}",
                content=photo.data,
                headers={**phone, "Content-Type": "image/jpeg"},
            )
        )
    return visit_id, uploads


async def _job_counts(engine: Any) -> dict[str, int]:
    rows = await engine.run_ddl(
        "SELECT status::text AS status, count(*) AS n FROM procrastinate_jobs GROUP BY status"
    )
    return {row["status"]: row["n"] for row in rows}


async def test_stored_at_once_then_a_worker_analyses_and_completes(queued):
    app, client, settings = queued
    field = await build_field()
    phone = bearer(await login(client, "siti"))
    photos = photos_for(FOUND_KINDS)
    visit_id, uploads = await _send(
        client, phone, visit_body(field, field.household_ids[0], photos), photos
    )
    assert [u.status_code for u in uploads] == [201, 201, 201]
    # Every photo is safe, the visit waits for its analysis (not yet in the review queue).
    last = uploads[-1].json()
    assert last["stored"] is True and last["missing_photos"] == []
    assert last["visit_state"] == "submitted"
    assert await Photo.count().where(Photo.analysed_at.is_null()) == 3
    # One job for the visit, queued by its last photo.
    assert (await _job_counts(app.state.resources.engine)) == {"todo": 1}

    worker = _worker(settings, "--until-empty", "--concurrency", "2")
    _, errors = await asyncio.to_thread(worker.communicate, timeout=120)
    assert worker.returncode == 0, errors.decode()

    visit = await Visit.select(Visit.state, Visit.photos_analysed).first()
    assert visit == {"state": "complete", "photos_analysed": 3}
    rows = await Photo.select(Photo.analysed_at, Photo.thumbnail_key, Photo.perceptual_hash)
    assert all(r["analysed_at"] and r["thumbnail_key"] and r["perceptual_hash"] for r in rows)
    completed = await AuditEvent.count().where(AuditEvent.action == "visit.completed")
    assert completed == 1
    detail = await client.get(f"/api/v1/visits/{visit_id}", headers=phone)
    assert detail.json()["state"] == "complete"


async def test_a_worker_killed_mid_job_loses_and_duplicates_nothing(queued):
    app, client, settings = queued
    engine = app.state.resources.engine
    field = await build_field()
    phone = bearer(await login(client, "siti"))
    # Big noisy photos make each job long enough to be caught running.
    sent: list[PhonePhoto] = []
    for number in range(3):
        photos = photos_for(FOUND_KINDS, seed=40 + number)
        body = visit_body(field, field.household_ids[number], photos)
        await _send(client, phone, body, photos)
        sent += photos
    killed_running_job = False
    for _ in range(5):
        worker = _worker(settings, "--concurrency", "1")
        try:
            for _ in range(2000):
                if (await _job_counts(engine)).get("doing"):
                    break
                await asyncio.sleep(0.005)
            worker.send_signal(signal.SIGKILL)  # no clean-up: the job stays "doing"
        finally:
            await asyncio.to_thread(worker.wait)
        if (await _job_counts(engine)).get("doing"):
            killed_running_job = True
            break
    assert killed_running_job, "no job was running when the worker was killed"

    # A new worker waits out the dead one's heartbeat, puts its job back and drains.
    await asyncio.sleep(11)
    drainer = _worker(settings, "--until-empty")
    _, errors = await asyncio.to_thread(drainer.communicate, timeout=180)
    assert drainer.returncode == 0, errors.decode()

    assert await Photo.count().where(Photo.analysed_at.is_null()) == 0
    assert await Photo.count() == len(sent)
    # Each photo's analysis on the chain exactly once (here: each visit's completion event).
    assert await analysed_photo_ids() == sorted(str(p.id) for p in sent)
    assert await AuditEvent.count().where(AuditEvent.action == "visit.completed") == 3
    states = await Visit.select(Visit.state, Visit.photos_analysed)
    assert states == [{"state": "complete", "photos_analysed": 3}] * 3
    # Analysing twice made no second flags: each photo's flags appear once.
    flags = await Flag.select(Flag.photo_id, Flag.code).where(Flag.photo_id.is_not_null())
    assert len(flags) == len({(f["photo_id"], f["code"]) for f in flags})
    assert (await _job_counts(engine)).get("doing", 0) == 0


def _niceness_once_set(worker: subprocess.Popen[bytes], expected: int) -> int:
    """The worker's niceness once it has reached `expected` (it sets it as it starts), or
    whatever it is when the worker exits or the polls run out."""
    seen = os.getpriority(os.PRIO_PROCESS, worker.pid)
    for _ in range(3000):
        if seen == expected or worker.poll() is not None:
            break
        time.sleep(0.01)
        seen = os.getpriority(os.PRIO_PROCESS, worker.pid)
    return seen


@pytest.mark.parametrize(
    ("options", "added"), [((), 10), (("--nice", "3"), 3), (("--nice", "0"), 0)]
)
async def test_a_worker_yields_the_cpu_by_its_niceness(queued, options, added):
    # Beside an API the job worker runs niced (default 10) so intake goes first.
    _, _, settings = queued
    expected = min(19, os.nice(0) + added)
    worker = _worker(settings, *options)
    try:
        seen = await asyncio.to_thread(_niceness_once_set, worker, expected)
        assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
        assert seen == expected
    finally:
        worker.send_signal(signal.SIGTERM)
        await asyncio.to_thread(worker.wait)


def _autogroup_nice(pid: int) -> int | None:
    """The nice value of the process's own autogroup, or None when it has none.

    The file is missing when the kernel has no autogroup support, and empty for a process
    in the default autogroup (init's session and every process that never left it, as on
    the CI machines).
    """
    try:
        text = Path(f"/proc/{pid}/autogroup").read_text()  # "/autogroup-85 nice 0"
    except OSError:
        return None
    return int(text.split()[-1]) if text.strip() else None


@pytest.mark.parametrize("own_session", [True, False])
async def test_a_worker_leading_its_session_lowers_the_session_too(queued, own_session):
    # Linux shares the CPU between sessions (autogroups) before nice values count, so a
    # worker started as a service (its own session) must lower its session's share or it
    # competes with the API's session as an equal. Started from a shell, it must leave the
    # shell's session (here: the test runner's) alone.
    _, _, settings = queued
    ours = _autogroup_nice(os.getpid())
    worker = _worker(settings, "--nice", "7", own_session=own_session)
    try:
        await asyncio.to_thread(_niceness_once_set, worker, min(19, os.nice(0) + 7))
        seen = _autogroup_nice(worker.pid)
        for _ in range(300):  # the session's nice is written just after the process's
            if not own_session or seen == 7 or worker.poll() is not None:
                break
            await asyncio.sleep(0.01)
            seen = _autogroup_nice(worker.pid)
        assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
        if own_session:
            # A new session gets its own autogroup wherever the kernel has autogroups.
            has_autogroups = Path(f"/proc/{os.getpid()}/autogroup").exists()
            assert seen == (7 if has_autogroups else None)
        else:
            assert seen == ours and _autogroup_nice(os.getpid()) == ours
    finally:
        worker.send_signal(signal.SIGTERM)
        await asyncio.to_thread(worker.wait)

"""The job queue: procrastinate on the deployment's own PostgreSQL.

Why procrastinate: jobs live in PostgreSQL tables (nothing else to run or back up), a
job can be inserted by the same statement as the rows it is about (the visit's job by the
statement that stores its last photo, so a visit whose photos are all stored always has
its job: see :func:`defer_analysis_statement`), workers are plain processes on
any machine that reaches the database, and a worker killed mid-job is detected by its
missing heartbeat and its job retried (:func:`retry_stalled_jobs`).

The job functions themselves are in the domains (``api.visits.analysis``); the inline
runner calls the same functions in the API process (``api.jobs.runner``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from importlib import resources as package_files
from typing import Any

import procrastinate
from piccolo.engine.base import Engine

from api.settings import Settings

log = logging.getLogger("verval.jobs")

ANALYSIS_QUEUE = "analysis"
# One job per visit, queued by the photo PUT that stores the visit's last declared photo:
# procrastinate's per-job work (defer, fetch, finish, their triggers and events) is paid
# once per visit instead of once per photo.
ANALYSE_VISIT = "analyse_visit"
# One job per photo: what the queue held before per-visit jobs; still registered so jobs
# queued by an older API are worked off.
ANALYSE_PHOTO = "analyse_photo"
# A worker beats every HEARTBEAT_S; one silent for STALLED_AFTER_S is taken as dead and
# its running jobs are put back in the queue.
HEARTBEAT_S = 2.0
STALLED_AFTER_S = 10.0
RETRY = procrastinate.RetryStrategy(max_attempts=12, exponential_wait=2)

# One row of procrastinate's own SQL API (procrastinate_defer_jobs_v1), so the job is
# inserted by the photo's statement on the API's connection. `lock` = the visit: two jobs
# for one visit never run at the same time.
_DEFER = (
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW({}, {}, 0, {}, NULL, {}::jsonb, NULL)"
    "::procrastinate_job_to_defer_v1])"
)


def defer_analysis_statement(visit_id: uuid.UUID) -> tuple[str, list[Any]]:
    """The SQL (Piccolo raw placeholders) and arguments that queue a visit's analysis."""
    args = json.dumps({"visit_id": str(visit_id)})
    return _DEFER, [ANALYSIS_QUEUE, ANALYSE_VISIT, f"visit:{visit_id}", args]


async def install_queue_schema(engine: Engine) -> None:
    """procrastinate's tables and functions, once (called by the visits migration)."""
    present = await engine.run_ddl("SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS ok")
    if present and present[0]["ok"]:
        return
    schema = package_files.files("procrastinate.sql").joinpath("schema.sql").read_text()
    # Many statements in one simple-protocol call (run_ddl would prepare them); inside
    # the migration's transaction when there is one.
    transaction = getattr(engine, "current_transaction", None)
    current = transaction.get() if transaction is not None else None
    if current is not None:
        await current.connection.execute(schema)
        return
    connection = await engine.get_new_connection()  # type: ignore[attr-defined]
    try:
        await connection.execute(schema)
    finally:
        await connection.close()


def psycopg_conninfo(settings: Settings) -> str:
    url = settings.effective_database_url
    return "postgresql://" + url.split("://", 1)[1]


def make_job_app(settings: Settings) -> procrastinate.App:
    """A procrastinate app on the deployment's database, with Verval's tasks registered."""
    from api.jobs import tasks

    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=psycopg_conninfo(settings), min_size=1, max_size=4
        )
    )
    tasks.register(app)
    return app


async def retry_stalled_jobs(app: procrastinate.App) -> int:
    """Put back in the queue the jobs of workers that stopped beating (killed, lost)."""
    stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_S)
    count = 0
    for job in stalled:
        await app.job_manager.retry_job(job)
        count += 1
    if count:
        log.warning("retried %d job(s) of stalled workers", count)
    return count


async def watch_stalled_jobs(app: procrastinate.App, every_s: float = STALLED_AFTER_S) -> None:
    while True:
        await asyncio.sleep(every_s)
        try:
            await retry_stalled_jobs(app)
        except Exception:  # the next round tries again; the worker keeps working
            log.exception("checking for stalled jobs failed")

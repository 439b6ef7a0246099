"""``verval worker``: a job-worker process (any number, on any machine that reaches the
database and the object store)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from api.jobs.queue import (
    ANALYSIS_QUEUE,
    HEARTBEAT_S,
    STALLED_AFTER_S,
    make_job_app,
    retry_stalled_jobs,
    watch_stalled_jobs,
)
from api.jobs.runner import sweep_pending
from api.jobs.tasks import job_context
from api.resources import open_resources
from api.settings import Settings

log = logging.getLogger("verval.jobs")


async def run_worker(settings: Settings, *, concurrency: int, until_empty: bool) -> int:
    """Work the analysis queue; with ``until_empty``, stop when nothing is left to do.

    Returns how many photos this process analysed inline (SQLite), else 0.
    """
    async with open_resources(settings) as resources:
        if settings.effective_analysis_runner == "inline":
            # SQLite: no queue; the API analyses in-process. A worker can still finish
            # photos a crash left unanalysed.
            return await sweep_pending(resources)
        app = make_job_app(settings)
        async with app.open_async():
            # Jobs of workers that died mid-job (no heartbeat) go back in the queue first.
            await retry_stalled_jobs(app)
            watcher = asyncio.create_task(watch_stalled_jobs(app))
            try:
                await app.run_worker_async(
                    queues=[ANALYSIS_QUEUE],
                    concurrency=concurrency,
                    wait=not until_empty,
                    additional_context=job_context(resources),
                    update_heartbeat_interval=HEARTBEAT_S,
                    stalled_worker_timeout=STALLED_AFTER_S,
                    delete_jobs="successful",
                    install_signal_handlers=True,
                )
            finally:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
    return 0

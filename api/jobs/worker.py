"""``verval worker``: a job-worker process (any number, on any machine that reaches the
database and the object store)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from pathlib import Path

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

AUTOGROUP = Path("/proc/self/autogroup")


def lower_cpu_priority(niceness: int) -> None:
    """Lower this process's CPU priority by ``niceness`` (0: leave it).

    Linux's autogroup scheduling first shares the CPU between sessions, then between the
    processes of a session by their nice values: ``os.nice`` alone ranks the worker only
    against its own session, not against an API, PostgreSQL or SeaweedFS started in
    theirs. A worker that leads its own session (systemd, ``setsid``, a supervisor's
    ``start_new_session``) therefore lowers its session's share as well. One that does
    not (started from a shell) leaves the session alone: that would slow the shell's
    other processes too. In containers the cgroup's CPU weight decides instead
    (``cpu_shares`` in deploy/compose.yaml).
    """
    if niceness <= 0:
        return
    os.nice(niceness)
    if os.getsid(0) != os.getpid() or not autogroup_in_effect():
        return
    try:
        AUTOGROUP.write_text(str(min(19, niceness)))
    except OSError as error:  # not permitted
        log.info("worker session priority unchanged: %s", error.strerror or error)


def autogroup_in_effect(path: Path = AUTOGROUP) -> bool:
    """Whether the kernel schedules this process by autogroup.

    The file reads "/autogroup-85 nice 0" when it does. It is missing without autogroup
    support, and empty in the default autogroup (init's session, and every process that
    never started a session of its own), which has no share of its own to lower.
    """
    try:
        return bool(path.read_text().strip())
    except OSError:
        return False


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

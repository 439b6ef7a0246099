"""Where a stored photo's analysis runs: inline in the API process, or on the queue."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from api.resources import Resources
from api.visits.analysis import analyse_photo, pending_photo_ids
from api.visits.quality import thresholds_from_settings

log = logging.getLogger("verval.jobs")


async def after_photo_stored(resources: Resources, photo_id: uuid.UUID) -> None:
    """Inline runner: analyse now, in this request (the embedded default). On the queue
    the visit's job row was inserted by the statement that stored its last photo; nothing
    to do here."""
    if resources.settings.effective_analysis_runner != "inline":
        return
    try:
        await analyse_photo(
            photo_id,
            store=resources.store,
            limits=thresholds_from_settings(resources.settings),
        )
    except Exception:  # the photo is stored; the start-up sweep analyses it again
        log.exception("inline analysis failed; it is retried at the next start")


async def sweep_pending(resources: Resources) -> int:
    """Inline runner at start-up: analyse photos stored before a crash or a failure."""
    done = 0
    for photo_id in await pending_photo_ids():
        await after_photo_stored(resources, photo_id)
        done += 1
    return done


def start_inline_sweep(resources: Resources) -> asyncio.Task[Any] | None:
    if resources.settings.effective_analysis_runner != "inline":
        return None
    return asyncio.create_task(sweep_pending(resources), name="verval-analysis-sweep")

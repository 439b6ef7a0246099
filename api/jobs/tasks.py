"""Verval's job functions as procrastinate tasks: thin wrappers over domain services."""

from __future__ import annotations

import uuid
from typing import Any

import procrastinate

from api.jobs.queue import ANALYSE_PHOTO, ANALYSE_VISIT, ANALYSIS_QUEUE, RETRY
from api.resources import Resources
from api.visits.analysis import analyse_photo, analyse_visit
from api.visits.quality import thresholds_from_settings


def register(app: procrastinate.App) -> None:
    @app.task(name=ANALYSE_VISIT, queue=ANALYSIS_QUEUE, retry=RETRY, pass_context=True)
    async def analyse_visit_job(context: procrastinate.JobContext, visit_id: str) -> None:
        resources: Resources = context.additional_context["resources"]
        await analyse_visit(
            uuid.UUID(visit_id),
            store=resources.store,
            limits=thresholds_from_settings(resources.settings),
        )

    @app.task(name=ANALYSE_PHOTO, queue=ANALYSIS_QUEUE, retry=RETRY, pass_context=True)
    async def analyse_photo_job(context: procrastinate.JobContext, photo_id: str) -> None:
        resources: Resources = context.additional_context["resources"]
        await analyse_photo(
            uuid.UUID(photo_id),
            store=resources.store,
            limits=thresholds_from_settings(resources.settings),
        )


def job_context(resources: Resources) -> dict[str, Any]:
    return {"resources": resources}

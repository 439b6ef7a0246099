"""Liveness and readiness: what a load balancer and an operator need to know."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, Response, get
from litestar.datastructures import State

from api import db
from api.errors import PROBLEM_JSON
from api.resources import resources_from_state
from media.store import ObjectStoreUnavailable

READY_TIMEOUT_SECONDS = 5.0


class HealthController(Controller):
    path = ""
    tags = ["health"]
    include_in_schema = True

    @get("/healthz", summary="The process is alive", exclude_from_auth=True)
    async def healthz(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/readyz", summary="The database and the object store answer", exclude_from_auth=True)
    async def readyz(self, state: State) -> Response[dict[str, Any]]:
        resources = resources_from_state(state)
        checks: dict[str, str] = {}

        async def check(name: str, probe: Any) -> None:
            try:
                await asyncio.wait_for(probe, READY_TIMEOUT_SECONDS)
                checks[name] = "ok"
            except (TimeoutError, db.DatabaseUnavailable, ObjectStoreUnavailable, OSError):
                checks[name] = "unavailable"

        await asyncio.gather(
            check("database", db.ping(resources.engine)),
            check("object_store", resources.store.ping()),
        )
        down = [name for name, status in checks.items() if status != "ok"]
        if not down:
            return Response({"status": "ok", "checks": checks})
        return Response(
            {
                "type": "https://verval.id/problems/not_ready",
                "title": "Service Unavailable",
                "status": 503,
                "code": "not_ready",
                "detail": "Not reachable: " + ", ".join(down),
                "checks": checks,
            },
            status_code=503,
            media_type=PROBLEM_JSON,
        )

"""Bench only: turn audit appends into no-ops in every process started with this
directory on ``PYTHONPATH`` (``bench/intake.py --audit off``).

Python imports ``sitecustomize`` at start-up, before any application module, so the
domain modules' ``from api.audit.service import append_event`` (at their import time)
binds the no-op below. ``verval serve --workers N`` spawns its workers with the same
environment, so they get it too. Nothing in the application knows about this switch.
"""

from __future__ import annotations

import os
from typing import Any


def _install() -> None:
    try:
        import api.audit.service as service
    except ImportError:  # not a Verval process (e.g. a helper tool): leave it alone
        return

    async def append_event(*args: Any, **kwargs: Any) -> str:
        return service.GENESIS_HASH

    service.append_event = append_event  # type: ignore[assignment]
    os.environ["VERVAL_BENCH_AUDIT"] = "off"


_install()

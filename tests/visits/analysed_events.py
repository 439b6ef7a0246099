"""Which photos the audit chain records as analysed: a ``photo.analysed`` event each for
photos whose analysis did not complete their visit, and the ``visit.completed`` event's
``details.analysed`` for those that did (one chain append per visit on the queue)."""

from __future__ import annotations

import json

from api.audit.tables import AuditEvent


async def analysed_photo_ids() -> list[str]:
    """Every photo the chain says was analysed, once per record (sorted; repeats kept)."""
    rows = await AuditEvent.select(
        AuditEvent.action, AuditEvent.object_id, AuditEvent.details
    ).where(AuditEvent.action.is_in(["photo.analysed", "visit.completed"]))
    found: list[str] = []
    for row in rows:
        details = row["details"]
        if isinstance(details, str):
            details = json.loads(details)
        if row["action"] == "photo.analysed":
            found.append(row["object_id"])
        else:
            found += list((details or {}).get("analysed", {}))
    return sorted(found)

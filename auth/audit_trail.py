"""The audit chain as ``auth`` sees it: one function that appends an event inside the
caller's transaction. ``api.audit.service`` installs the real one when it is imported
(every app, command and test that writes imports it), so ``auth`` does not import
``api.audit`` and the folders' dependency goes one way (api → auth)."""

from __future__ import annotations

from typing import Any, Protocol

from auth.actors import Actor


class AuditWriter(Protocol):
    async def __call__(
        self,
        actor: Actor,
        action: str,
        object_type: str,
        object_id: str | int,
        *,
        region_code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> str: ...


_writer: AuditWriter | None = None


def use_audit_writer(writer: AuditWriter) -> None:
    global _writer
    _writer = writer


async def append_event(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    *,
    region_code: str | None = None,
    details: dict[str, Any] | None = None,
) -> str:
    # Refuse rather than write unaudited: every write is audited.
    if _writer is None:
        raise RuntimeError("no audit writer installed: import api.audit.service first")
    return await _writer(
        actor, action, object_type, object_id, region_code=region_code, details=details
    )

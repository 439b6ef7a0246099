"""Life events pushed by the civil registry: stored once, applied to its persons.

A batch is one transaction. Each event carries the sender's own id: the same id with
the same content is a no-op (``repeated``), with other content it is refused
(``event_id_reused``). An event for a region outside the key's region is refused and
listed in the answer (``region_forbidden``); the batch's other events are kept, so a
sender that mixes regencies learns exactly which events to send elsewhere.

Each accepted event updates the civil-registry person of its NIK (``evidence`` becomes
``event <id>``); then the households it concerns are reconciled at once, so the
finding reaches the round the same minute.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from api import db
from api.audit.service import Actor, append_event
from api.civil_registry import matching
from api.civil_registry.names import name_key
from api.civil_registry.schemas import (
    CivilEventIn,
    EventBatch,
    EventBatchResult,
    EventKind,
    RefusedEvent,
)
from api.civil_registry.tables import CivilCredential, CivilEvent, CivilPerson
from api.registry import bulk
from auth.roles import Principal


def _content_hash(event: CivilEventIn) -> str:
    return hashlib.sha256(event.model_dump_json().encode()).hexdigest()


async def _apply(event: CivilEventIn, now: datetime) -> None:
    """The person row after the event (created when the civil registry had none)."""
    evidence = f"event {event.id}"
    changes: dict[Any, Any] = {CivilPerson.evidence: evidence, CivilPerson.updated_at: now}
    match event.kind:
        case EventKind.DEATH:
            changes[CivilPerson.death_date] = event.occurred_on
        case EventKind.MOVE_OUT:
            changes[CivilPerson.moved_out_on] = event.occurred_on
            changes[CivilPerson.move_destination] = event.destination or ""
        case EventKind.MOVE_IN:
            changes[CivilPerson.moved_out_on] = None
            changes[CivilPerson.move_destination] = ""
            changes[CivilPerson.region_code] = event.region_code
            changes[CivilPerson.kk_number] = event.kk_number
        case EventKind.KK_SPLIT | EventKind.KK_MERGE:
            changes[CivilPerson.kk_number] = event.new_kk_number
            changes[CivilPerson.kk_changed_on] = event.occurred_on
        case EventKind.BIRTH:
            changes[CivilPerson.kk_number] = event.kk_number
            changes[CivilPerson.birth_date] = event.birth_date or event.occurred_on
    exists = await CivilPerson.exists().where(CivilPerson.nik == event.nik)
    if exists:
        await CivilPerson.update(changes).where(CivilPerson.nik == event.nik)
        return
    values = {column._meta.name: value for column, value in changes.items()}
    await CivilPerson.insert(
        CivilPerson(
            nik=event.nik,
            kk_number=values.get("kk_number") or event.kk_number or "",
            name=event.name or "",
            name_key=name_key(event.name),
            sex=event.sex or "",
            birth_place=event.birth_place or "",
            birth_date=values.get("birth_date") or event.birth_date,
            relationship="3" if event.kind is EventKind.BIRTH else "",
            region_code=event.region_code if len(event.region_code) == 13 else "",
            death_date=values.get("death_date"),
            moved_out_on=values.get("moved_out_on"),
            move_destination=values.get("move_destination", ""),
            kk_changed_on=values.get("kk_changed_on"),
            content_hash="",
            evidence=evidence,
        )
    )


async def _concerned_households(events: list[CivilEventIn]) -> list[int]:
    niks = sorted({e.nik for e in events})
    kks = sorted({k for e in events for k in (e.kk_number, e.new_kk_number) if k})
    nik_clause, nik_args = bulk.any_of("m.nik", niks, 1)
    kk_clause, kk_args = bulk.any_of("h.kk_number", kks, 1 + len(nik_args))
    rows = await bulk.fetch(
        "SELECT m.household AS id FROM household_member m "  # noqa: S608
        f"WHERE {nik_clause} UNION SELECT h.id AS id FROM household h WHERE {kk_clause}",
        *nik_args,
        *kk_args,
    )
    return sorted({int(r["id"]) for r in rows})


async def receive(principal: Principal, batch: EventBatch) -> EventBatchResult:
    credential_id = int(principal.extra["credential_id"])
    actor = Actor(f"civil_registry:{credential_id}")
    refused: list[RefusedEvent] = []
    accepted: list[CivilEventIn] = []
    repeated = 0
    ids = [e.id for e in batch.events]
    now = datetime.now(UTC)
    async with db.write_transaction():
        known = {
            r["event_id"]: r["content_hash"]
            for r in await CivilEvent.select(CivilEvent.event_id, CivilEvent.content_hash).where(
                CivilEvent.event_id.is_in(ids)
            )
        }
        seen: dict[str, str] = {}
        for event in batch.events:
            digest = _content_hash(event)
            earlier = known.get(event.id) or seen.get(event.id)
            if earlier is not None:
                if earlier == digest:
                    repeated += 1
                else:
                    refused.append(
                        RefusedEvent(
                            event.id, "event_id_reused", "This id was sent with other content."
                        )
                    )
                continue
            if not principal.covers(event.region_code):
                refused.append(
                    RefusedEvent(
                        event.id,
                        "region_forbidden",
                        "The event's region is outside this key's region; nothing was stored.",
                    )
                )
                continue
            seen[event.id] = digest
            await CivilEvent.insert(
                CivilEvent(
                    event_id=event.id,
                    kind=event.kind.value,
                    region_code=event.region_code,
                    occurred_on=event.occurred_on,
                    content_hash=digest,
                    payload=json.loads(event.model_dump_json()),
                    credential_id=credential_id,
                    received_at=now,
                )
            )
            await _apply(event, now)
            accepted.append(event)
        await CivilCredential.update({CivilCredential.last_used_at: now}).where(
            CivilCredential.id == credential_id
        )
        kinds: dict[str, int] = {}
        for event in accepted:
            kinds[event.kind.value] = kinds.get(event.kind.value, 0) + 1
        await append_event(
            actor,
            "civil_registry.events_received",
            "civil_registry_credential",
            credential_id,
            region_code=principal.scopes[0] if principal.scopes else None,
            details={
                "accepted": len(accepted),
                "repeated": repeated,
                "refused": len(refused),
                "kinds": kinds,
                "event_ids": [e.id for e in accepted][:100],
            },
        )
    findings_new = 0
    if accepted:
        households = await _concerned_households(accepted)
        if households:
            summary = await matching.reconcile(actor, matching.Target(households=tuple(households)))
            findings_new = summary.new
    return EventBatchResult(
        accepted=len(accepted), repeated=repeated, refused=refused, findings_new=findings_new
    )

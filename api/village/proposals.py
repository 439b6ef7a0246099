"""Proposals registered at the village office: new households and removals.

A new household carries the same answers as the phone's ``usulan_baru`` proposal, checked
against the same published form, and becomes a *proposed* household of its village
(``api.registry.proposals.insert_proposed_household``, the model an approved field
proposal uses). A removal names a household of the register with its reason and
evidence (text here, photos through the sealed evidence path). Both wait for the
deliberation; nothing leaves or enters the register before ratification.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api import db
from api.audit.service import append_event
from api.errors import Conflict, NotFound, Unprocessable
from api.forms.service import compiled_form
from api.registry.proposals import insert_proposed_household
from api.registry.queries import actor_of
from api.registry.schemas import HouseholdStatus
from api.registry.tables import Household
from api.village import evidence
from api.village.access import round_for_village, village_in_scope
from api.village.labels import reason_label
from api.village.masking import mask_name
from api.village.schemas import (
    EvidenceOut,
    ProposalCreate,
    ProposalKind,
    ProposalOut,
    VillageHouseholdOut,
)
from api.village.tables import VillageProposal
from auth.roles import Principal
from media.store import ObjectStore
from survey_forms import validate_submission
from survey_forms.identity import mask_nik

PROPOSAL_FORM = "usulan_baru"
# One RT rarely has more than a few hundred households; the picker asks per RT beyond that.
HOUSEHOLD_PICK_LIMIT = 500


async def _checked_answers(data: ProposalCreate) -> dict[str, Any]:
    if data.answers is None:
        raise Unprocessable(
            "A new household needs the usulan_baru answers.", code="answers_required"
        )
    form = await compiled_form(PROPOSAL_FORM, data.form_version)
    result = validate_submission(form, data.answers)
    problems = [
        {
            "path": f"answers.{p.path}",
            "code": p.code,
            "message": {"id": p.message.id, "en": p.message.en},
        }
        for p in result.problems
    ]
    if problems:
        raise Unprocessable(
            "The proposal's answers break the form's rules.",
            code="validation_failed",
            extra={"problems": problems},
        )
    return dict(result.cleaned or data.answers)


async def register(principal: Principal, data: ProposalCreate) -> ProposalOut:
    await village_in_scope(principal, data.region_code)
    await round_for_village(principal, data.round_id, data.region_code)
    actor = actor_of(principal)
    now = datetime.now(UTC)
    answers: dict[str, Any] = {}
    if data.kind is ProposalKind.ADDITION:
        answers = await _checked_answers(data)
    elif data.household_id is None or data.reason is None:
        raise Unprocessable(
            "A removal names the household and the reason.", code="removal_incomplete"
        )
    async with db.write_transaction():
        if data.kind is ProposalKind.ADDITION:
            household_id = await insert_proposed_household(
                answers,
                region_code=data.region_code,
                latitude=None,
                longitude=None,
                proposed_by_visit=None,
                now=now,
            )
            await append_event(
                actor,
                "household.proposed",
                "household",
                household_id,
                region_code=data.region_code,
                details={"source": data.source.value, "status": HouseholdStatus.PROPOSED.value},
            )
            reason = "new_household"
        else:
            assert data.household_id is not None and data.reason is not None
            household = (
                await Household.select(Household.id, Household.status)
                .where(
                    (Household.id == data.household_id)
                    & (Household.region_code == data.region_code)
                )
                .first()
            )
            if household is None or household["status"] != "active":
                raise NotFound(
                    "No such household of the register in this village.",
                    code="household_not_found",
                )
            household_id = data.household_id
            reason = data.reason.value
        rows = await VillageProposal.insert(
            VillageProposal(
                round_id=data.round_id,
                region_code=data.region_code,
                kind=data.kind.value,
                household_id=household_id,
                reason=reason,
                evidence_text=data.evidence_text,
                source=data.source.value,
                created_by=actor.ref,
                created_at=now,
            )
        ).returning(VillageProposal.id)
        proposal_id = int(rows[0]["id"])
        await append_event(
            actor,
            "village.proposal_registered",
            "village_proposal",
            proposal_id,
            region_code=data.region_code,
            details={
                "round_id": data.round_id,
                "kind": data.kind.value,
                "reason": reason,
                "household_id": household_id,
                "source": data.source.value,
            },
        )
    return (await _outs(principal, [await _row(principal, proposal_id)]))[0]


async def _row(principal: Principal, proposal_id: int) -> dict[str, Any]:
    query = VillageProposal.select().where(VillageProposal.id == proposal_id)
    clause = principal.region_filter(VillageProposal.region_code)
    if clause is not None:
        query = query.where(clause)
    row = await query.first()
    if row is None:
        raise NotFound("No such proposal.", code="proposal_not_found")
    return row  # type: ignore[no-any-return]


async def rows_for(round_id: int, village: str) -> list[dict[str, Any]]:
    return await (  # type: ignore[no-any-return]
        VillageProposal.select()
        .where((VillageProposal.round_id == round_id) & (VillageProposal.region_code == village))
        .order_by(VillageProposal.id)
    )


async def households_by_id(ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = await Household.select(
        Household.id,
        Household.kk_number,
        Household.head_name,
        Household.rt,
        Household.rw,
        Household.status,
        Household.region_code,
        Household.decile,
    ).where(Household.id.is_in(sorted(set(ids))))
    return {int(r["id"]): r for r in rows}


async def _outs(principal: Principal, rows: list[dict[str, Any]]) -> list[ProposalOut]:
    households = await households_by_id([r["household_id"] for r in rows])
    photos = await evidence.evidence_of("village_proposal", [r["id"] for r in rows])
    outs = []
    for row in rows:
        household = households.get(row["household_id"], {})
        outs.append(
            ProposalOut(
                id=row["id"],
                round_id=row["round_id"],
                region_code=row["region_code"],
                kind=ProposalKind(row["kind"]),
                household_id=row["household_id"],
                reason=row["reason"],
                reason_label=reason_label(row["kind"], row["reason"]),
                evidence_text=row["evidence_text"],
                source=row["source"],
                head_name_masked=mask_name(str(household.get("head_name") or "")),
                kk_masked=mask_nik(str(household.get("kk_number") or "")),
                rt=str(household.get("rt") or ""),
                rw=str(household.get("rw") or ""),
                evidence_photos=len(photos.get(row["id"], [])),
                created_at=row["created_at"],
            )
        )
    return outs


async def list_for(principal: Principal, village: str, round_id: int) -> list[ProposalOut]:
    await village_in_scope(principal, village)
    await round_for_village(principal, round_id, village)
    return await _outs(principal, await rows_for(round_id, village))


async def households_for(
    principal: Principal, village: str, rt: str | None
) -> list[VillageHouseholdOut]:
    """The village's active households, masked, for choosing the one a removal names."""
    await village_in_scope(principal, village)
    query = Household.select(
        Household.id,
        Household.rt,
        Household.rw,
        Household.head_name,
        Household.kk_number,
        Household.decile,
    ).where((Household.region_code == village) & (Household.status == "active"))
    if rt is not None:
        query = query.where(Household.rt == rt)
    rows = await query.order_by(Household.rt, Household.rw, Household.id).limit(
        HOUSEHOLD_PICK_LIMIT
    )
    return [
        VillageHouseholdOut(
            id=row["id"],
            rt=str(row["rt"] or ""),
            rw=str(row["rw"] or ""),
            head_name_masked=mask_name(str(row["head_name"] or "")),
            kk_masked=mask_nik(str(row["kk_number"] or "")),
            decile=row["decile"],
        )
        for row in rows
    ]


async def add_photo(
    principal: Principal,
    proposal_id: int,
    photo_id: uuid.UUID,
    chunks: AsyncIterator[bytes],
    *,
    content_type: str,
    store: ObjectStore,
    max_bytes: int,
    spool_dir: Path,
) -> tuple[EvidenceOut, bool]:
    row = await _row(principal, proposal_id)
    await village_in_scope(principal, row["region_code"])
    evidence.require_jpeg(content_type)
    existing = await evidence.existing_evidence(photo_id)
    if existing is not None:
        if existing["owner_type"] != "village_proposal" or existing["owner_id"] != proposal_id:
            raise Conflict("That photo id is taken.", code="evidence_id_taken")
        known = (await evidence.evidence_of("village_proposal", [proposal_id]))[proposal_id]
        return next(p for p in known if p.id == photo_id), False
    sealed = await evidence.seal_jpeg(chunks, store=store, max_bytes=max_bytes, spool_dir=spool_dir)
    async with db.write_transaction():
        out = await evidence.record_evidence(
            actor_of(principal),
            sealed,
            evidence_id=photo_id,
            kind="evidence",
            owner_type="village_proposal",
            owner_id=proposal_id,
            region_code=row["region_code"],
        )
    return out, True

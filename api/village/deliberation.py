"""The village deliberation (musdes/muskel): attendance, the agenda, a decision per item,
the minutes PDF, and the signed pages that make its decisions final.

The agenda is made, not typed: the round's approved visits of the village (with their
recommendation), the approved field proposals (proposed households from the phone) and
the proposals registered at the village office. A decision is a new row each time; the
newest per item counts. Once a photo of the signed minutes is attached the deliberation
is final: its date, place and attendance no longer change, and a changed decision is an
amendment (a reason is required, the row says so, the audit event is its own).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typst
from anyio import to_thread

from api import db
from api.audit.service import append_event
from api.errors import Conflict, NotFound, Unprocessable
from api.registry.queries import actor_of
from api.registry.tables import Household, Region, Round
from api.reports.labels import eligibility_label, is_kelurahan, long_date, outcome_label, weekday
from api.village import evidence, proposals
from api.village.access import round_for_village, village_in_scope
from api.village.labels import DECISIONS, POSITIONS, reason_label
from api.village.schemas import (
    AgendaItem,
    Attendee,
    DecisionCreate,
    DeliberationChoice,
    DeliberationCreate,
    DeliberationOut,
    DeliberationUpdate,
    EvidenceOut,
    VillageRound,
)
from api.village.tables import Deliberation, DeliberationDecision
from api.visits.tables import Visit
from auth.roles import Principal
from media.store import ObjectStore
from survey_forms.identity import mask_nik

TEMPLATE = Path(__file__).parent / "templates" / "deliberation.typ"
OWNER = "deliberation"


async def visible(principal: Principal, deliberation_id: int) -> dict[str, Any]:
    query = Deliberation.select().where(Deliberation.id == deliberation_id)
    clause = principal.region_filter(Deliberation.region_code)
    if clause is not None:
        query = query.where(clause)
    row = await query.first()
    if row is None:
        raise NotFound("No such deliberation in your scope.", code="deliberation_not_found")
    if isinstance(row["attendance"], str):
        row["attendance"] = json.loads(row["attendance"])
    return row  # type: ignore[no-any-return]


async def create(principal: Principal, data: DeliberationCreate) -> DeliberationOut:
    await village_in_scope(principal, data.region_code)
    await round_for_village(principal, data.round_id, data.region_code)
    actor = actor_of(principal)
    now = datetime.now(UTC)
    async with db.write_transaction():
        taken = await Deliberation.exists().where(
            (Deliberation.round_id == data.round_id)
            & (Deliberation.region_code == data.region_code)
        )
        if taken:
            raise Conflict(
                "This village already has a deliberation for the round.",
                code="deliberation_exists",
            )
        rows = await Deliberation.insert(
            Deliberation(
                round_id=data.round_id,
                region_code=data.region_code,
                held_on=data.held_on,
                place=data.place,
                attendance=[a.model_dump(mode="json") for a in data.attendance],
                state="draft",
                created_by=actor.ref,
                created_at=now,
                updated_at=now,
            )
        ).returning(Deliberation.id)
        deliberation_id = int(rows[0]["id"])
        await append_event(
            actor,
            "deliberation.recorded",
            OWNER,
            deliberation_id,
            region_code=data.region_code,
            details={
                "round_id": data.round_id,
                "held_on": data.held_on.isoformat(),
                "attendance": len(data.attendance),
            },
        )
    return await detail(principal, deliberation_id)


def _refuse_if_final(row: dict[str, Any]) -> None:
    if row["state"] == "final":
        raise Conflict(
            "The signed minutes are attached: this deliberation no longer changes.",
            code="deliberation_final",
        )


async def update(
    principal: Principal, deliberation_id: int, data: DeliberationUpdate
) -> DeliberationOut:
    actor = actor_of(principal)
    async with db.write_transaction():
        row = await visible(principal, deliberation_id)
        _refuse_if_final(row)
        changes: dict[Any, Any] = {Deliberation.updated_at: datetime.now(UTC)}
        if data.held_on is not None:
            changes[Deliberation.held_on] = data.held_on
        if data.place is not None:
            changes[Deliberation.place] = data.place
        if data.attendance is not None:
            changes[Deliberation.attendance] = [a.model_dump(mode="json") for a in data.attendance]
        await Deliberation.update(changes).where(Deliberation.id == deliberation_id)
        await append_event(
            actor,
            "deliberation.updated",
            OWNER,
            deliberation_id,
            region_code=row["region_code"],
            details={"fields": sorted(data.model_dump(exclude_none=True))},
        )
    return await detail(principal, deliberation_id)


# --- the agenda ---------------------------------------------------------------------------


async def current_decisions(deliberation_id: int) -> dict[str, dict[str, Any]]:
    rows = await (
        DeliberationDecision.select()
        .where(DeliberationDecision.deliberation_id == deliberation_id)
        .order_by(DeliberationDecision.id)
    )
    return {row["item_key"]: row for row in rows}  # later rows win


async def agenda(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of the deliberation, as plain dicts (the PDF and the API share them)."""
    round_id, village = row["round_id"], row["region_code"]
    visits = await (
        Visit.select(
            Visit.id,
            Visit.household_id,
            Visit.outcome,
            Visit.eligibility,
            Visit.started_at,
            Visit.received_at,
            Visit.proposed_household,
        )
        .where(
            (Visit.round_id == round_id)
            & (Visit.region_code == village)
            & (Visit.state == "approved")
        )
        .order_by(Visit.started_at)
    )
    latest: dict[Any, dict[str, Any]] = {}
    proposal_visits: dict[Any, dict[str, Any]] = {}
    for visit in visits:
        if visit["proposed_household"]:
            proposal_visits[visit["id"]] = visit
        else:
            latest[visit["household_id"]] = visit  # ordered by start: the last one stays
    field_proposals = {}
    if proposal_visits:
        for household in await Household.select(Household.id, Household.proposed_by_visit).where(
            Household.proposed_by_visit.is_in(list(proposal_visits))
        ):
            field_proposals[household["id"]] = proposal_visits[household["proposed_by_visit"]]
    office = await proposals.rows_for(round_id, village)
    households = await proposals.households_by_id(
        [*latest, *field_proposals, *(p["household_id"] for p in office)]
    )
    items: list[dict[str, Any]] = []

    def base(key: str, kind: str, household_id: int) -> dict[str, Any]:
        household = households.get(household_id, {})
        return {
            "key": key,
            "kind": kind,
            "household_id": household_id,
            "rt": str(household.get("rt") or ""),
            "rw": str(household.get("rw") or ""),
            "head_name": str(household.get("head_name") or ""),
            "kk_masked": mask_nik(str(household.get("kk_number") or "")),
            "decile": household.get("decile"),
        }

    for household_id, visit in sorted(latest.items(), key=lambda kv: _place(households, kv[0])):
        recommendation = eligibility_label(visit["eligibility"], village) or None
        items.append(
            {
                **base(f"visit:{visit['id']}", "visit", household_id),
                "subject": f"Hasil verifikasi: {outcome_label(visit['outcome'])}",
                "recommendation": recommendation,
                "outcome": visit["outcome"],
                "eligibility": visit["eligibility"],
            }
        )
    for household_id, visit in field_proposals.items():
        items.append(
            {
                **base(f"visit:{visit['id']}", "addition", household_id),
                "subject": "Usulan keluarga baru (temuan lapangan)",
                "recommendation": eligibility_label(visit["eligibility"], village) or None,
                "outcome": "new_household",
                "eligibility": visit["eligibility"],
            }
        )
    for proposal in office:
        words = reason_label(proposal["kind"], proposal["reason"])
        subject = (
            f"{words} (kantor desa)"
            if proposal["kind"] == "addition"
            else f"Usulan dikeluarkan: {words.lower()}"
        )
        if proposal["evidence_text"]:
            subject += f" — {proposal['evidence_text'][:200]}"
        items.append(
            {
                **base(f"proposal:{proposal['id']}", proposal["kind"], proposal["household_id"]),
                "subject": subject,
                "recommendation": None,
                "outcome": None,
                "eligibility": None,
                "reason": proposal["reason"],
            }
        )
    return items


def _place(households: dict[int, dict[str, Any]], household_id: int) -> tuple[str, str, str]:
    household = households.get(household_id, {})
    return (household.get("rt") or "", household.get("rw") or "", household.get("head_name") or "")


async def detail(principal: Principal, deliberation_id: int) -> DeliberationOut:
    row = await visible(principal, deliberation_id)
    items = await agenda(row)
    decided = await current_decisions(deliberation_id)
    region = await Region.select(Region.name).where(Region.code == row["region_code"]).first()
    pages = (await evidence.evidence_of(OWNER, [deliberation_id])).get(deliberation_id, [])
    out_items = []
    for item in items:
        decision = decided.get(item["key"])
        out_items.append(
            AgendaItem(
                key=item["key"],
                kind=item["kind"],
                household_id=item["household_id"],
                rt=item["rt"],
                rw=item["rw"],
                head_name=item["head_name"],
                kk_masked=item["kk_masked"],
                subject=item["subject"],
                recommendation=item["recommendation"],
                decision=DeliberationChoice(decision["decision"]) if decision else None,
                reason=decision["reason"] if decision else "",
                decided_at=decision["decided_at"] if decision else None,
                amended=bool(decision and decision["amends_final"]),
                decile=item["decile"],
            )
        )
    return DeliberationOut(
        id=row["id"],
        round_id=row["round_id"],
        region_code=row["region_code"],
        village_name=region["name"] if region else "",
        held_on=row["held_on"],
        place=row["place"],
        attendance=[Attendee.model_validate(a) for a in row["attendance"]],
        state=row["state"],
        finalised_at=row["finalised_at"],
        minutes_pages=pages,
        agenda=out_items,
        undecided=sum(1 for item in out_items if item.decision is None),
    )


async def rounds_of(principal: Principal, village: str) -> list[VillageRound]:
    """The rounds whose region covers the village, newest first."""
    await village_in_scope(principal, village)
    parts = village.split(".")
    covering = [".".join(parts[:n]) for n in range(1, len(parts) + 1)]
    rows = await (
        Round.select(Round.id, Round.name, Round.state, Round.starts_on, Round.ends_on)
        .where(Round.region_code.is_in(covering))
        .order_by(Round.id, ascending=False)
    )
    return [VillageRound(**row) for row in rows]


async def list_for(principal: Principal, village: str, round_id: int | None) -> list[int]:
    await village_in_scope(principal, village)
    query = Deliberation.select(Deliberation.id).where(Deliberation.region_code == village)
    if round_id is not None:
        query = query.where(Deliberation.round_id == round_id)
    return [int(r["id"]) for r in await query.order_by(Deliberation.id)]


async def decide(
    principal: Principal, deliberation_id: int, data: DecisionCreate
) -> DeliberationOut:
    actor = actor_of(principal)
    row = await visible(principal, deliberation_id)
    keys = {item["key"] for item in await agenda(row)}
    if data.item_key not in keys:
        raise NotFound("No such item on this deliberation's agenda.", code="agenda_item_not_found")
    if data.decision is not DeliberationChoice.AGREED and not data.reason:
        raise Unprocessable(
            "A rejected or deferred item needs its reason.", code="decision_reason_required"
        )
    async with db.write_transaction():
        row = await visible(principal, deliberation_id)  # its state, under the write lock
        amends = row["state"] == "final"
        if amends and not data.reason:
            raise Unprocessable(
                "A change after the signed minutes needs its reason.",
                code="amendment_reason_required",
            )
        await DeliberationDecision.insert(
            DeliberationDecision(
                deliberation_id=deliberation_id,
                item_key=data.item_key,
                decision=data.decision.value,
                reason=data.reason,
                amends_final=amends,
                decided_by=actor.ref,
                decided_at=datetime.now(UTC),
            )
        )
        await append_event(
            actor,
            "deliberation.decision_amended" if amends else "deliberation.decided",
            OWNER,
            deliberation_id,
            region_code=row["region_code"],
            details={"item": data.item_key, "decision": data.decision.value},
        )
    return await detail(principal, deliberation_id)


# --- the minutes --------------------------------------------------------------------------


async def minutes_data(principal: Principal, deliberation_id: int) -> dict[str, Any]:
    row = await visible(principal, deliberation_id)
    village = row["region_code"]
    codes = [".".join(village.split(".")[:n]) for n in (2, 4)]
    names = {
        r["code"]: r["name"]
        for r in await Region.select(Region.code, Region.name).where(
            Region.code.is_in([*codes, village])
        )
    }
    round_row = await round_for_village(principal, row["round_id"], village)
    items = await agenda(row)
    decided = await current_decisions(deliberation_id)
    kelurahan = is_kelurahan(village)
    totals = {"agreed": 0, "rejected": 0, "deferred": 0, "undecided": 0}
    lines = []
    for item in items:
        decision = decided.get(item["key"])
        totals[decision["decision"] if decision else "undecided"] += 1
        subject = item["subject"]
        if item.get("recommendation"):
            subject += f"; rekomendasi: {item['recommendation']}"
        lines.append(
            {
                "kk": item["kk_masked"],
                "head": item["head_name"],
                "rt_rw": f"{item['rt'] or '-'}/{item['rw'] or '-'}",
                "subject": subject,
                "decision": DECISIONS[decision["decision"]] if decision else "-",
                "reason": decision["reason"] if decision else "",
            }
        )
    attendance = [
        {"name": a["name"], "position": POSITIONS.get(a["position"], a["position"])}
        for a in row["attendance"]
    ]
    head = next((a["name"] for a in row["attendance"] if a["position"] == "kepala_desa"), "")
    chair = next((a["name"] for a in row["attendance"] if a["position"] == "bpd"), "")
    village_name = names.get(village, "")
    data: dict[str, Any] = {
        "id": row["id"],
        "title": f"Berita Acara Musyawarah {village_name} {round_row['name']}",
        "office": {"regency": names.get(codes[0], "")},
        "district": names.get(codes[1], ""),
        "village": village_name,
        "village_word": "Kelurahan" if kelurahan else "Desa",
        "meeting": "Musyawarah Kelurahan" if kelurahan else "Musyawarah Desa",
        "round": round_row["name"],
        "date": {"weekday": weekday(row["held_on"]), "long": long_date(row["held_on"])},
        "place": row["place"],
        "attendance": attendance,
        "items": lines,
        "totals": totals,
        "signatures": {
            "chair": chair,
            "village_head": head,
            "village_head_title": f"Lurah {village_name}"
            if kelurahan
            else f"Kepala Desa {village_name}",
        },
    }
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    data["fingerprint"] = f"{digest[:8]}…{digest[-8:]}"
    data["sha256"] = digest
    return data


def render(data: dict[str, Any]) -> bytes:
    pdf = typst.compile(
        str(TEMPLATE),
        sys_inputs={"data": json.dumps(data, ensure_ascii=False, default=str)},
        ignore_system_fonts=True,
    )
    assert isinstance(pdf, bytes)
    return pdf


async def minutes_pdf(principal: Principal, deliberation_id: int) -> tuple[bytes, dict[str, Any]]:
    data = await minutes_data(principal, deliberation_id)
    pdf = await to_thread.run_sync(render, data)
    row = await visible(principal, deliberation_id)
    async with db.write_transaction():
        await append_event(
            actor_of(principal),
            "deliberation.minutes_downloaded",
            OWNER,
            deliberation_id,
            region_code=row["region_code"],
            details={"sha256": data["sha256"], "items": len(data["items"])},
        )
    return pdf, data


async def attach_signed_page(
    principal: Principal,
    deliberation_id: int,
    page_id: uuid.UUID,
    chunks: AsyncIterator[bytes],
    *,
    content_type: str,
    store: ObjectStore,
    max_bytes: int,
    spool_dir: Path,
) -> tuple[EvidenceOut, bool]:
    """A photo of a signed page (kind ``minutes``); the first one makes the decisions final."""
    row = await visible(principal, deliberation_id)
    evidence.require_jpeg(content_type)
    existing = await evidence.existing_evidence(page_id)
    if existing is not None:
        if existing["owner_type"] != OWNER or existing["owner_id"] != deliberation_id:
            raise Conflict("That photo id is taken.", code="evidence_id_taken")
        pages = (await evidence.evidence_of(OWNER, [deliberation_id]))[deliberation_id]
        return next(p for p in pages if p.id == page_id), False
    decided = await current_decisions(deliberation_id)
    if not decided:
        raise Conflict(
            "Record the decisions before the signed minutes.", code="deliberation_undecided"
        )
    sealed = await evidence.seal_jpeg(chunks, store=store, max_bytes=max_bytes, spool_dir=spool_dir)
    actor = actor_of(principal)
    async with db.write_transaction():
        out = await evidence.record_evidence(
            actor,
            sealed,
            evidence_id=page_id,
            kind="minutes",
            owner_type=OWNER,
            owner_id=deliberation_id,
            region_code=row["region_code"],
        )
        finalised = (
            await Deliberation.update(
                {Deliberation.state: "final", Deliberation.finalised_at: out.stored_at}
            )
            .where((Deliberation.id == deliberation_id) & (Deliberation.state == "draft"))
            .returning(Deliberation.id)
        )
        if finalised:
            await append_event(
                actor,
                "deliberation.minutes_signed",
                OWNER,
                deliberation_id,
                region_code=row["region_code"],
                details={"sha256": sealed.sha256, "decisions": len(decided)},
            )
    return out, True

"""An approved proposal (usulan baru) becomes a *proposed* household of its village.

A ``new_household`` visit is a household found in the field that the register does not
hold. When a reviewer approves it, the household enters the register's tables with status
``proposed``: listed for its village, never assigned by village selection, and not yet a
member of the register — the village deliberation (musdes/muskel) decides later. It is
written in the approval's own transaction, with its ``household.proposed`` audit event.

A proposal whose No. KK or NIKs the register already holds is flagged on arrival
(``api.visits.members.proposal_flags``); approving it anyway is refused (409), because one
family card cannot be two households nor one person two members: the reviewer returns or
escalates it instead.

Form ``usulan_baru`` v2 lists the family's other members (NIK, name, sex, birth date,
relationship); they become the proposed household's members after the head, in the order
entered. Version 1 named the head only.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from api.audit.service import Actor, append_event
from api.civil_registry.names import name_key
from api.errors import Conflict
from api.registry import queries
from api.registry.schemas import HouseholdStatus
from api.registry.tables import Household, HouseholdMember
from survey_forms import check_nik

HEAD = "1"  # relationship code of the head of the family
LIVES_HERE = "1"


def _proposed_members(answers: dict[str, Any]) -> list[dict[str, Any]]:
    members = answers.get("members")
    if not isinstance(members, list):
        return []
    return [m for m in members if isinstance(m, dict) and m.get("nik")]


def _birth_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _padded(value: Any) -> str:
    text = str(value or "").strip()
    return text.zfill(3) if text.isdigit() else ""


async def register_proposed_household(actor: Actor, visit_id: uuid.UUID, now: datetime) -> int:
    """Insert the proposed household of an approved proposal; returns its id.

    Call inside the decision's transaction.
    """
    visit = await queries.proposal_visit(visit_id)
    if visit is None:
        raise Conflict("This visit is not a household proposal.", code="not_a_proposal")
    existing = (
        await Household.select(Household.id).where(Household.proposed_by_visit == visit_id).first()
    )
    if existing is not None:  # approved before (returned and approved again): one household
        return int(existing["id"])
    answers: dict[str, Any] = visit["answers"] or {}
    household_id = await insert_proposed_household(
        answers,
        region_code=visit["region_code"],
        latitude=visit.get("gps_lat"),
        longitude=visit.get("gps_lon"),
        proposed_by_visit=visit_id,
        now=now,
    )
    await append_event(
        actor,
        "household.proposed",
        "household",
        household_id,
        region_code=visit["region_code"],
        details={
            "visit_id": str(visit_id),
            "status": HouseholdStatus.PROPOSED.value,
            "members": (1 if answers.get("head_nik") else 0) + len(_proposed_members(answers)),
        },
    )
    return household_id


async def insert_proposed_household(
    answers: dict[str, Any],
    *,
    region_code: str,
    latitude: float | None,
    longitude: float | None,
    proposed_by_visit: uuid.UUID | None,
    now: datetime,
) -> int:
    """A household with status ``proposed`` from the usulan_baru answers; returns its id.

    Used by an approved field proposal and by a proposal registered at the village office
    (``api.village.proposals``). Refused (409) when the register holds its No. KK or the
    head's NIK. The caller appends the audit event, inside its transaction.
    """
    kk = str(answers.get("kk_number") or "")
    head_nik = str(answers.get("head_nik") or "")
    members = _proposed_members(answers)
    niks = [n for n in [head_nik, *(str(m["nik"]) for m in members)] if n]
    taken_kk = await queries.households_with_kk([kk]) if kk else {}
    taken_nik = await queries.households_with_niks(niks)
    if taken_kk or taken_nik:
        raise Conflict(
            "No. KK atau NIK anggota usulan ini sudah ada di register; kembalikan atau "
            "eskalasikan usulan ini.",
            code="proposal_in_register",
            extra={
                "message": {
                    "id": "No. KK atau NIK anggota usulan ini sudah ada di register",
                    "en": "The register already holds this proposal's family card number or "
                    "a member's NIK; return or escalate it instead",
                },
                "other_household_ids": sorted({*taken_kk.values(), *taken_nik.values()}),
            },
        )
    if len(set(niks)) != len(niks):
        raise Conflict(
            "Satu NIK tercatat dua kali dalam usulan ini; kembalikan usulan untuk diperbaiki.",
            code="proposal_nik_repeated",
            extra={
                "message": {
                    "id": "Satu NIK tercatat dua kali dalam usulan ini",
                    "en": "One NIK appears twice in this proposal; return it to be corrected",
                }
            },
        )
    rows = await Household.insert(
        Household(
            kk_number=kk,
            region_code=region_code,
            address=str(answers.get("address") or ""),
            rt=_padded(answers.get("rt")),
            rw=_padded(answers.get("rw")),
            head_name=str(answers.get("head_name") or ""),
            head_nik=head_nik or None,
            latitude=latitude,
            longitude=longitude,
            baseline={},
            member_count=(1 if head_nik else 0) + len(members)
            if "members" in answers
            else int(answers.get("members_count") or (1 if head_nik else 0)),
            status=HouseholdStatus.PROPOSED.value,
            proposed_by_visit=proposed_by_visit,
            created_at=now,
            updated_at=now,
        )
    ).returning(Household.id)
    household_id = int(rows[0]["id"])
    if head_nik:
        # The head is the one member the proposal names; the NIK gives sex and birth date.
        identity = check_nik(head_nik)
        await HouseholdMember.insert(
            HouseholdMember(
                household=household_id,
                position=0,
                nik=head_nik,
                name=str(answers.get("head_name") or ""),
                name_key=name_key(str(answers.get("head_name") or "")),
                sex={"male": "1", "female": "2"}.get(str(identity.sex or ""), ""),
                birth_date=identity.birth_date,
                relationship=HEAD,
                presence=LIVES_HERE,
            )
        )
    if members:
        # The other members as proposed (v2), after the head, in the order entered.
        await HouseholdMember.insert(
            *[
                HouseholdMember(
                    household=household_id,
                    position=position,
                    nik=str(m["nik"]),
                    name=str(m.get("full_name") or ""),
                    name_key=name_key(str(m.get("full_name") or "")),
                    sex=str(m.get("sex") or ""),
                    birth_date=_birth_date(m.get("birth_date")),
                    relationship=str(m.get("relationship") or ""),
                    presence=LIVES_HERE,
                )
                for position, m in enumerate(members, start=1)
            ]
        )
    return household_id

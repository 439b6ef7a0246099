"""The village part of ``verval demo``: one village with its deliberation recorded
(Lubuk Gedang's approved visits, decided, minutes not yet signed) and one in public
review (a removal and a new household agreed, signed minutes attached, the list
published for 14 days). Through the real services; idempotent."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from api.demo.visits import demo_photo
from api.registry.tables import Household, Round
from api.settings import Settings
from api.village import deliberation, proposals, review
from api.village.evidence import one_chunk
from api.village.schemas import (
    Attendee,
    DecisionCreate,
    DeliberationChoice,
    DeliberationCreate,
    Position,
    ProposalCreate,
    ProposalKind,
    PublishRequest,
    RemovalReason,
)
from api.village.tables import Deliberation
from auth import service as auth_service
from media.store import ObjectStore

DEMO_OPERATOR = "operator.desa"
DELIBERATED_VILLAGE = "17.06.01.2008"  # the demo enumerator's village: approved visits
REVIEWED_VILLAGE = "17.06.01.2005"
ATTENDANCE = [
    Attendee(name="Hasan Basri", position=Position.VILLAGE_HEAD),
    Attendee(name="Yusuf Effendi", position=Position.BPD),
    Attendee(name="Sri Wahyuni", position=Position.RT_RW),
    Attendee(name="Rudi Hartono", position=Position.TKSK),
    Attendee(name="Nurul Aini", position=Position.PKH),
    Attendee(name="Serda Agus", position=Position.BABINSA),
]
NEW_HOUSEHOLD = {
    "address": "Jl. Lintas Barat No. 12",
    "rt": "003",
    "rw": "001",
    "kk_number": "1706011203150904",
    "head_name": "Rahmat Hidayat",
    "head_nik": "1706010707900001",
    "members_count": 4,
    "reason": "2",
    "notes": "Pecah KK dari orang tua",
}


async def _decide_all(operator: Any, deliberation_id: int) -> None:
    detail = await deliberation.detail(operator, deliberation_id)
    for item in detail.agenda:
        await deliberation.decide(
            operator,
            deliberation_id,
            DecisionCreate(item_key=item.key, decision=DeliberationChoice.AGREED),
        )


async def load_village_demo(settings: Settings, store: ObjectStore) -> None:
    operator = await auth_service.acting_as(DEMO_OPERATOR, "demo")
    supervisor = await auth_service.acting_as("supervisor", "demo")
    round_row = await Round.select(Round.id).order_by(Round.id).first()
    if operator is None or supervisor is None or round_row is None:
        return
    if await Deliberation.exists().where(Deliberation.round_id == round_row["id"]):
        return
    round_id = int(round_row["id"])
    recorded = await deliberation.create(
        operator,
        DeliberationCreate(
            round_id=round_id,
            region_code=DELIBERATED_VILLAGE,
            held_on=date(2026, 7, 2),
            place="Balai Desa",
            attendance=ATTENDANCE,
        ),
    )
    await _decide_all(operator, recorded.id)

    died = (
        await Household.select(Household.id)
        .where((Household.region_code == REVIEWED_VILLAGE) & (Household.status == "active"))
        .order_by(Household.id)
        .first()
    )
    if died is None:
        return
    await proposals.register(
        operator,
        ProposalCreate(
            round_id=round_id,
            region_code=REVIEWED_VILLAGE,
            kind=ProposalKind.REMOVAL,
            household_id=int(died["id"]),
            reason=RemovalReason.DIED,
            evidence_text="Surat keterangan kematian dari kepala desa",
        ),
    )
    await proposals.register(
        operator,
        ProposalCreate(
            round_id=round_id,
            region_code=REVIEWED_VILLAGE,
            kind=ProposalKind.ADDITION,
            answers=NEW_HOUSEHOLD,
        ),
    )
    held = await deliberation.create(
        operator,
        DeliberationCreate(
            round_id=round_id,
            region_code=REVIEWED_VILLAGE,
            held_on=date(2026, 7, 3),
            place="Balai Desa",
            attendance=ATTENDANCE,
        ),
    )
    await _decide_all(operator, held.id)
    settings.spool_dir.mkdir(parents=True, exist_ok=True)
    await deliberation.attach_signed_page(
        operator,
        held.id,
        uuid.uuid4(),
        one_chunk(demo_photo(9001, "Berita acara ditandatangani")),
        content_type="image/jpeg",
        store=store,
        max_bytes=settings.max_photo_bytes,
        spool_dir=settings.spool_dir,
    )
    await review.publish(supervisor, PublishRequest(deliberation_id=held.id), settings.signing_key)

"""Request bodies and answers of the village's part of a round."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

VillageCode = Annotated[str, StringConstraints(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProposalKind(StrEnum):
    ADDITION = "addition"
    REMOVAL = "removal"


class RemovalReason(StrEnum):
    DIED = "died"
    MOVED = "moved"
    NOT_FOUND = "not_found"
    DISSOLVED = "dissolved"
    DUPLICATE = "duplicate"
    NOT_ELIGIBLE = "not_eligible"


class ProposalSource(StrEnum):
    VILLAGE_OFFICE = "village_office"  # a citizen came with KTP and KK
    RT_RW = "rt_rw"  # proposed by the RT/RW


class ProposalCreate(Strict):
    round_id: int = Field(ge=1, le=2_147_483_647)
    region_code: VillageCode
    kind: ProposalKind
    source: ProposalSource = ProposalSource.VILLAGE_OFFICE
    # removal: the household and why
    household_id: int | None = Field(default=None, ge=1)
    reason: RemovalReason | None = None
    evidence_text: Reason = ""
    # addition: the answers of the phone's usulan_baru form (same fields, same checks)
    answers: dict[str, Any] | None = None
    form_version: int = Field(default=1, ge=1, le=1000)


class ProposalOut(BaseModel):
    id: int
    round_id: int
    region_code: str
    kind: ProposalKind
    household_id: int
    reason: str
    reason_label: str
    evidence_text: str
    source: str
    head_name_masked: str
    kk_masked: str
    rt: str
    rw: str
    evidence_photos: int
    created_at: datetime


class VillageHouseholdOut(BaseModel):
    """A household of the register as the village office picks it for a removal: masked."""

    id: int
    rt: str
    rw: str
    head_name_masked: str
    kk_masked: str
    decile: int | None


class Position(StrEnum):
    VILLAGE_HEAD = "kepala_desa"  # kepala desa / lurah
    BPD = "bpd"
    RT_RW = "rt_rw"
    TKSK = "tksk"
    PKH = "pendamping_pkh"
    BABINSA = "babinsa"
    BHABINKAMTIBMAS = "bhabinkamtibmas"
    COMMUNITY_LEADER = "tokoh_masyarakat"
    VILLAGE_OFFICER = "perangkat_desa"
    SUPERVISOR = "dinas_sosial"


class Attendee(Strict):
    name: ShortText
    position: Position


class DeliberationCreate(Strict):
    round_id: int = Field(ge=1, le=2_147_483_647)
    region_code: VillageCode
    held_on: date
    place: ShortText
    attendance: list[Attendee] = Field(default_factory=list, max_length=200)


class DeliberationUpdate(Strict):
    held_on: date | None = None
    place: ShortText | None = None
    attendance: list[Attendee] | None = Field(default=None, max_length=200)


class DeliberationChoice(StrEnum):
    AGREED = "agreed"
    REJECTED = "rejected"
    DEFERRED = "deferred"


class DecisionCreate(Strict):
    item_key: Annotated[
        str, StringConstraints(pattern=r"^(visit:[0-9a-f-]{36}|proposal:\d{1,18})$")
    ]
    decision: DeliberationChoice
    reason: Reason = ""


class AgendaItem(BaseModel):
    key: str
    kind: str  # visit | addition | removal
    household_id: int | None
    rt: str
    rw: str
    head_name: str  # staff see names (the register's own operators)
    kk_masked: str
    subject: str  # what is decided, in words
    recommendation: str | None
    decision: DeliberationChoice | None
    reason: str
    decided_at: datetime | None
    # The newest decision was taken after the signed minutes (an audited amendment).
    amended: bool = False
    # BPS's welfare decile from the register baseline (1 = poorest); null when unknown.
    decile: int | None = Field(default=None, ge=1, le=10)


class EvidenceOut(BaseModel):
    id: uuid.UUID
    kind: str
    sha256: str
    size: int
    stored_at: datetime


class DeliberationOut(BaseModel):
    id: int
    round_id: int
    region_code: str
    village_name: str
    held_on: date
    place: str
    attendance: list[Attendee]
    state: str
    finalised_at: datetime | None
    minutes_pages: list[EvidenceOut]
    agenda: list[AgendaItem]
    undecided: int


class PublishRequest(Strict):
    deliberation_id: int = Field(ge=1)
    days: int = Field(default=14, ge=1, le=60)


class ReviewCounts(BaseModel):
    entries: int
    added: int
    removed: int
    unchanged: int
    objections: int
    objections_open: int
    objections_accepted: int
    objections_rejected: int


class ReviewOut(BaseModel):
    id: int
    round_id: int
    region_code: str
    deliberation_id: int
    opens_at: datetime
    closes_at: datetime
    state: str
    public_url: str
    counts: ReviewCounts
    ratified_at: datetime | None
    # The photographed, signed minutes of the deliberation the list comes from.
    signed_minutes: list[EvidenceOut]


class ObjectionOut(BaseModel):
    id: int
    review_id: int
    region_code: str
    kind: str
    category: str
    category_label: str
    text: str
    entry_token: str | None
    household_id: int | None
    entry_name_masked: str | None
    rt: str
    rw: str
    latitude: float | None
    longitude: float | None
    contact: str | None
    photo: EvidenceOut | None
    state: str
    resolution_reason: str | None
    revisit_assignment_id: int | None
    created_at: datetime


class Resolution(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"


class ResolutionRequest(Strict):
    decision: Resolution
    reason: Reason = ""
    # The enumerator who revisits, when the household has no assignment in the round.
    enumerator_id: int | None = Field(default=None, ge=1)


class RatificationOut(BaseModel):
    review: ReviewOut
    added: int
    removed: int


class PublicEntryOut(BaseModel):
    token: str
    rt: str
    rw: str
    name: str
    change: str
    change_words: str
    objection_state: str | None


class PublicListOut(BaseModel):
    village_code: str
    village_name: str
    district_name: str
    opens_at: datetime
    closes_at: datetime
    deadline_words: str
    counts: dict[str, int]
    entries: list[PublicEntryOut]


class ObjectionReceipt(BaseModel):
    reference: str
    state: str
    message: str


class VillageRound(BaseModel):
    id: int
    name: str
    state: str
    starts_on: date
    ends_on: date

"""Request bodies (pydantic, validated) and responses (msgspec structs, fast to encode).

The phone's assignment download is the hot path (300 households with members in one
answer), so responses are msgspec structs, which Litestar encodes without a copy.
Every NIK and No. KK in a list or detail is masked; full digits appear only in the
enumerator's own download (the form pre-fills them) and in the audited reveal.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import msgspec
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from api.bounds import INT4_MAX, BodyId, PlausibleDate

RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")]
RtRw = Annotated[str, StringConstraints(pattern=r"^\d{1,3}$")]
MAX_SELECTION_IDS = 5000
SearchName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]
RoundName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
HouseholdIds = Annotated[list[int], Field(min_length=1, max_length=MAX_SELECTION_IDS)]
FormId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
# The verification form a round uses unless it names another.
VERIFICATION_FORM = "dtks_verval"


class RoundState(StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"


class AssignmentState(StrEnum):
    OPEN = "open"
    VISITED = "visited"
    RETURNED = "returned"
    CLOSED = "closed"


class HouseholdStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    # An approved proposal (usulan baru): in the register's tables, not yet a member of the
    # register; the village deliberation decides.
    PROPOSED = "proposed"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- regions ---------------------------------------------------------------------------


class RegionOut(msgspec.Struct):
    code: str
    name: str
    level: str
    parent_code: str | None
    village_kind: str | None = None


class RegionChild(msgspec.Struct):
    code: str
    name: str
    level: str
    village_kind: str | None
    household_count: int | None  # with ?counts=true


class RegionDetail(msgspec.Struct):
    code: str
    name: str
    level: str
    parent_code: str | None
    village_kind: str | None
    ancestors: list[RegionOut]
    child_count: int


# --- households -------------------------------------------------------------------------


class HouseholdItem(msgspec.Struct):
    id: int
    region_code: str
    village_name: str
    address: str
    rt: str
    rw: str
    kk_masked: str
    head_name: str
    head_nik_masked: str
    member_count: int
    status: str
    decile: int | None
    has_location: bool


class HouseholdPage(msgspec.Struct):
    items: list[HouseholdItem]
    total: int
    next_after: int | None


class MemberOut(msgspec.Struct):
    id: int
    position: int
    nik_masked: str
    name: str
    sex: str
    birth_date: date | None
    relationship: str
    marital_status: str | None
    presence: str | None
    answers: dict[str, Any]


class AssignmentBrief(msgspec.Struct):
    id: int
    round_id: int
    round_name: str
    round_state: str
    enumerator_id: int
    enumerator_name: str
    state: str
    assigned_at: datetime


class HouseholdDetail(msgspec.Struct):
    id: int
    region_code: str
    village_name: str
    address: str
    rt: str
    rw: str
    kk_masked: str
    head_name: str
    head_nik_masked: str
    latitude: float | None
    longitude: float | None
    decile: int | None
    status: str
    baseline: dict[str, Any]
    members: list[MemberOut]
    assignments: list[AssignmentBrief]
    created_at: datetime
    updated_at: datetime


class RevealedMember(msgspec.Struct):
    id: int
    nik: str
    name: str


class HouseholdRevealed(msgspec.Struct):
    id: int
    kk_number: str
    head_nik: str | None
    members: list[RevealedMember]


def _check_identity_pattern(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if re.fullmatch(r"\d{16}", value) or re.fullmatch(r"\d{4}[•*xX.]{8}\d{4}", value):
        return value
    raise ValueError("give all 16 digits, or the masked form 1706••••••••0003")


class HouseholdSearch(_Strict):
    """Search by personal data: a POST body, because a NIK or a name in a URL ends up
    in proxy logs, browser history and Referer headers (UU 27/2022)."""

    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]
        | None
    ) = None
    nik: str | None = Field(default=None, description="16 digits, or masked: 1706••••••••0003")
    kk: str | None = Field(default=None, description="16 digits, or masked: 1706••••••••0012")
    region_code: RegionCode | None = None
    rt: RtRw | None = None
    rw: RtRw | None = None
    status: HouseholdStatus | None = None
    after: int | None = Field(default=None, ge=0, le=INT4_MAX)
    limit: int = Field(default=50, ge=1, le=500)

    @model_validator(mode="after")
    def _patterns(self) -> HouseholdSearch:
        self.nik = _check_identity_pattern(self.nik)
        self.kk = _check_identity_pattern(self.kk)
        if not (self.name or self.nik or self.kk):
            raise ValueError("give a name, a NIK or a No. KK to search for")
        return self


# --- rounds -----------------------------------------------------------------------------


class RoundCreate(_Strict):
    name: RoundName
    region_code: RegionCode
    starts_on: PlausibleDate
    ends_on: PlausibleDate
    state: RoundState = RoundState.OPEN
    # The form its visits are filled with; without a version, the newest published one.
    form_id: FormId = VERIFICATION_FORM
    form_version: int | None = Field(default=None, ge=1, le=INT4_MAX)

    @model_validator(mode="after")
    def _dates(self) -> RoundCreate:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        if self.state is RoundState.CLOSED:
            raise ValueError("a new round is planned or open")
        return self


class RoundUpdate(_Strict):
    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
        | None
    ) = None
    starts_on: PlausibleDate | None = None
    ends_on: PlausibleDate | None = None
    state: RoundState | None = None


class StateCounts(msgspec.Struct):
    open: int = 0
    visited: int = 0
    returned: int = 0
    closed: int = 0
    total: int = 0


class RoundOut(msgspec.Struct):
    id: int
    name: str
    region_code: str
    region_name: str
    starts_on: date
    ends_on: date
    state: str
    form_id: str
    form_version: int
    created_by: str
    created_at: datetime
    assignments: StateCounts


class ProgressRow(msgspec.Struct):
    region_code: str
    region_name: str
    households: int
    assigned: int
    open: int
    visited: int
    returned: int
    closed: int


# --- assignments ------------------------------------------------------------------------


class _Selection(_Strict):
    household_ids: (
        Annotated[list[BodyId], Field(min_length=1, max_length=MAX_SELECTION_IDS)] | None
    ) = None
    region_code: RegionCode | None = Field(
        default=None, description="A village (or a district): every household in it"
    )
    rw: RtRw | None = None
    rt: RtRw | None = None

    @model_validator(mode="after")
    def _one_selection(self) -> _Selection:
        if (self.household_ids is None) == (self.region_code is None):
            raise ValueError("give either household_ids or region_code")
        if self.region_code is None and (self.rt is not None or self.rw is not None):
            raise ValueError("rt and rw narrow a region_code selection")
        return self


class AssignRequest(_Selection):
    enumerator_id: BodyId
    with_open_findings: bool = Field(
        default=False,
        description="With region_code: only households with open civil-registry findings",
    )
    reassign: bool = Field(
        default=False,
        description="Move households already assigned to someone else in this round",
    )


class UnassignRequest(_Selection):
    enumerator_id: BodyId | None = Field(default=None, description="Only this enumerator's")


class ReassignRequest(_Strict):
    enumerator_id: BodyId


class Skipped(msgspec.Struct):
    household_id: int
    reason: str


class AssignResult(msgspec.Struct):
    assigned: int
    reassigned: int
    unchanged: int
    skipped_count: int
    skipped: list[Skipped]  # the first 200


class UnassignResult(msgspec.Struct):
    unassigned: int
    skipped_count: int
    skipped: list[Skipped]


class AssignmentOut(msgspec.Struct):
    id: int
    round_id: int
    household_id: int
    region_code: str
    rt: str
    rw: str
    head_name: str
    kk_masked: str
    enumerator_id: int
    enumerator_name: str
    state: str
    returned_comment: str | None
    assigned_by: str
    assigned_at: datetime
    updated_at: datetime


class AssignmentPage(msgspec.Struct):
    items: list[AssignmentOut]
    next_after: int | None


# --- the phone's download ---------------------------------------------------------------


class SyncRound(msgspec.Struct):
    id: int
    name: str
    region_code: str
    starts_on: date
    ends_on: date
    form_id: str
    form_version: int


class SyncHousehold(msgspec.Struct):
    id: int
    region_code: str
    village_name: str
    address: str
    rt: str
    rw: str
    kk_number: str
    head_name: str
    head_nik: str | None
    latitude: float | None
    longitude: float | None
    decile: int | None
    status: str


class SyncHint(msgspec.Struct):
    finding_id: int
    kind: str
    member_id: int | None  # None: about the household (a birth to add as a new member)
    text: str  # "Dukcapil: meninggal 4 Maret 2026 — konfirmasi"
    details: dict[str, Any]


class SyncAssignment(msgspec.Struct):
    assignment_id: int
    round_id: int
    state: str
    returned_comment: str | None
    # The returned visit this assignment asks to redo: the phone's revisit_of.
    returned_visit_id: uuid.UUID | None
    # The form version the visit must be filled with (the round's): the PUT names it.
    form_id: str
    form_version: int
    assigned_at: datetime
    updated_at: datetime
    household: SyncHousehold
    # The form's pre-fill record: baseline.<field> answers and baseline.members, a list of
    # member records keyed by the member.<key> pre-fill keys (plus member_id).
    baseline: dict[str, Any]
    # Open civil-registry findings the enumerator confirms or contradicts (issue 14).
    civil_registry_hints: list[SyncHint] = msgspec.field(default_factory=list)


class SyncResponse(msgspec.Struct):
    cursor: str
    has_more: bool
    full: bool  # a full download: once has_more is false, drop local assignments not sent
    server_time: datetime
    rounds: list[SyncRound]
    assignments: list[SyncAssignment]
    removed: list[int]  # assignment ids the phone must drop

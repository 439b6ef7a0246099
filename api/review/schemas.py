"""What review sends and receives: the queue, counts, the review detail, decisions, trails.

Lists (the queue, the trail) never carry a NIK or a No. KK. The detail masks them except
for the roles that need them (see ``api.review.access``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.review.transitions import DecisionKind
from api.visits.schemas import (
    FlagOut,
    FormRef,
    GpsFix,
    Outcome,
    PhotoKind,
    PhotoOut,
    VisitDetail,
    VisitState,
)

# --- the queue ---------------------------------------------------------------------------


class QueueFlag(msgspec.Struct):
    code: str
    severity: str


class QueueItem(msgspec.Struct):
    visit_id: uuid.UUID
    household_id: int | None
    proposed_household: bool
    round_id: int
    region_code: str
    village_name: str
    # The household's head and RT/RW as the register has them (never a NIK or No. KK);
    # None for proposed households.
    head_name: str | None
    rt: str | None
    rw: str | None
    # The register's decile (desil, 1 = poorest tenth; set by BPS), None when unknown.
    decile: int | None
    enumerator_id: int
    enumerator_name: str
    outcome: str
    eligibility: str | None
    state: str
    started_at: datetime
    received_at: datetime
    flag_count: int
    top_severity: str | None  # critical > warning > info; None without flags
    flags: list[QueueFlag]  # each flag's code and severity, most severe first
    photos_stored: int
    photos_declared: int
    revisit_of: uuid.UUID | None


class QueuePage(msgspec.Struct):
    items: list[QueueItem]
    # Pass as ?cursor= for the next page (same filters); None on the last page.
    next_cursor: str | None
    limit: int


class StateCounts(msgspec.Struct):
    """Visits per review state for the queue's filters (every filter but ``state``)."""

    submitted: int
    complete: int
    approved: int
    returned: int
    escalated: int
    total: int


# --- decisions ---------------------------------------------------------------------------


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: DecisionKind
    # Required (non-blank) for return and escalate: the enumerator reads it on the phone.
    comment: Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")] | None = None


class DecisionOut(BaseModel):
    id: int
    visit_id: uuid.UUID
    decision: DecisionKind
    comment: str | None
    reviewer_id: int
    reviewer_name: str
    from_state: VisitState
    to_state: VisitState
    created_at: datetime


class DecisionResult(BaseModel):
    decision: DecisionOut
    visit_state: VisitState
    # The household's assignment reopened for a revisit (return) or settled again
    # (approve after a return); None when no assignment changed.
    assignment_id: int | None
    allowed_decisions: list[DecisionKind]


# --- the review detail (GET /api/v1/visits/{visit_uuid}) ---------------------------------


class PhotoLinks(BaseModel):
    """Presigned GET URLs, valid until ``expires_at``: never stored, never public."""

    display: str | None
    thumbnail: str | None
    original: str
    expires_at: datetime


class ReviewPhoto(PhotoOut):
    sensitive: bool
    received_at: datetime | None  # when the bytes arrived and passed every check
    # None while the bytes are missing, and for sensitive kinds unless the caller is a
    # supervisor, auditor or admin of the region.
    links: PhotoLinks | None


class AnswerChange(BaseModel):
    """One answer that differs from the register's baseline."""

    field: str  # the form's field name ("floor_material", "members[2].sex")
    code: str | None  # the register's question code ("303")
    label: dict[str, str] | None
    kind: Literal["changed", "added", "removed"]
    baseline: Any
    visited: Any
    baseline_label: dict[str, str] | None
    visited_label: dict[str, str] | None


class MemberFact(BaseModel):
    """One answer about a member, in words: a detail of the change or the register's record."""

    field: str  # the form's field name inside the repeat ("death_date", "relationship")
    label: dict[str, str]
    value: Any
    value_label: dict[str, str] | None  # a choice's label, or a region's name


class MemberChange(BaseModel):
    """A member who is new, missing from the visit, changed presence or changed answers."""

    status: Literal["matched", "new", "missing"]
    index: int | None  # position in the visit's members; None when missing
    baseline_member_id: int | None
    name: str
    nik: str | None  # masked unless the caller may see identity numbers
    presence: str | None
    presence_label: dict[str, str] | None
    baseline_presence: str | None  # the register's; "1" (lives here) when it never changed
    baseline_presence_label: dict[str, str] | None
    changes: list[AnswerChange]
    # Before: the register's record of the member (sex, birth date, relationship, …).
    before: list[MemberFact]
    # After: what the visit says about the change (date and certificate of a death, date
    # and destination of a move, a new member's birth date, relationship and kind, …).
    details: list[MemberFact]


class HouseholdBrief(BaseModel):
    id: int
    region_code: str
    village_name: str
    address: str
    rt: str
    rw: str
    head_name: str
    kk_number: str  # masked unless the caller may see identity numbers
    latitude: float | None
    longitude: float | None
    status: str
    decile: int | None = None  # the register's decile (desil, set by BPS); None: unknown


class BaselineView(BaseModel):
    """The register's answers beside the visit's, and what changed."""

    answers: dict[str, Any]
    members: list[dict[str, Any]]
    changes: list[AnswerChange]
    member_changes: list[MemberChange]


class RelatedPhoto(BaseModel):
    """One duplicate-photo flag's other side. Fields are None outside the caller's scope."""

    flag_code: str
    photo_id: uuid.UUID  # this visit's photo
    other_visit_id: uuid.UUID
    other_photo_id: uuid.UUID | None
    in_scope: bool  # False: another region's household, shown by the fact alone
    other_household_id: int | None
    other_head_name: str | None
    other_rt: str | None
    other_rw: str | None
    other_village_name: str | None
    other_enumerator_name: str | None
    other_kind: str | None
    other_captured_at: datetime | None
    other_links: PhotoLinks | None


class CivilFindingView(BaseModel):
    id: int
    kind: str
    label: dict[str, str]
    member_id: int | None
    member_name: str | None
    evidence: str
    hint: str
    state: str  # open | confirmed | contradicted | gone
    closed_by_visit: str | None


class ReviewVisitDetail(VisitDetail):
    """The visit detail, extended for review: every reader gets this one shape."""

    photos: list[ReviewPhoto]  # type: ignore[assignment]
    village_name: str
    enumerator_name: str
    household: HouseholdBrief | None
    baseline: BaselineView | None  # None for proposals and for outcomes without answers
    decisions: list[DecisionOut]
    allowed_decisions: list[DecisionKind]  # for this caller, now
    revisits: list[uuid.UUID]  # later visits made because this one was returned
    identity_numbers_visible: bool
    # The other side of each duplicate-photo flag (api/review/related.py).
    related_photos: list[RelatedPhoto] = []
    # The household's civil-registry findings, open and settled, beside the answers.
    civil_registry_findings: list[CivilFindingView] = []


# --- the household trail -----------------------------------------------------------------


class TrailVisit(BaseModel):
    kind: Literal["visit"] = "visit"
    at: datetime  # received
    visit_id: uuid.UUID
    round_id: int
    enumerator_id: int
    enumerator_name: str
    form: FormRef
    outcome: Outcome
    eligibility: str | None
    state: VisitState
    started_at: datetime
    ended_at: datetime
    gps: GpsFix | None
    device_id: str
    app_version: str
    content_hash: str
    revisit_of: uuid.UUID | None
    completed_at: datetime | None


class TrailPhoto(BaseModel):
    kind: Literal["photo"] = "photo"
    at: datetime  # received (bytes stored), or declared with the visit while missing
    visit_id: uuid.UUID
    photo_id: uuid.UUID
    photo_kind: PhotoKind
    sha256: str
    size: int
    captured_at: datetime
    gps: GpsFix | None
    taken_by_id: int
    taken_by: str
    received_at: datetime | None
    stored: bool
    width: int | None
    height: int | None


class TrailFlag(BaseModel):
    kind: Literal["flag"] = "flag"
    at: datetime
    visit_id: uuid.UUID
    flag: FlagOut


class TrailDecision(BaseModel):
    kind: Literal["decision"] = "decision"
    at: datetime
    visit_id: uuid.UUID
    decision: DecisionOut


class TrailAuditEvent(BaseModel):
    kind: Literal["audit_event"] = "audit_event"
    at: datetime
    seq: int
    actor: str  # user:<id>, cli:<os user> or system, as the chain holds it
    actor_name: str | None  # the user's display name, for people
    action: str
    object_type: str
    object_id: str
    region_code: str | None
    details: dict[str, Any]
    prev_hash: str
    event_hash: str


TrailEntry = Annotated[
    TrailVisit | TrailPhoto | TrailFlag | TrailDecision | TrailAuditEvent,
    Field(discriminator="kind"),
]


class HouseholdTrail(BaseModel):
    household: HouseholdBrief  # the No. KK always masked here
    visits: int
    photos: int
    decisions: int
    audit_events: int
    entries: list[TrailEntry]  # in time order

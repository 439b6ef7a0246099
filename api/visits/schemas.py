"""The visit record a phone sends, and what the server answers.

A visit is ``PUT /api/v1/visits/{visit_uuid}`` (client-made UUID): the same UUID with
the same content gets the same answer; with different content, 409. Photos follow as
``PUT /api/v1/visits/{visit_uuid}/photos/{photo_uuid}`` with the raw JPEG bytes; the
visit answer lists the photos the server still lacks.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from api.bounds import INT4_MAX

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
ShortText = Annotated[str, StringConstraints(max_length=200)]


class Outcome(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    MOVED = "moved"
    DISSOLVED = "dissolved"
    DUPLICATE = "duplicate"
    REFUSED = "refused"
    NOT_HOME = "not_home"
    NEW_HOUSEHOLD = "new_household"


class Eligibility(StrEnum):
    LAYAK = "layak"
    TIDAK_LAYAK = "tidak_layak"
    MUSDES = "musdes"


class PhotoKind(StrEnum):
    HOUSE_FRONT = "house_front"
    HOUSE_INSIDE = "house_inside"
    KITCHEN = "kitchen"
    TOILET = "toilet"
    FAMILY_CARD = "family_card"
    HEAD_WITH_ID = "head_with_id"
    MINUTES = "minutes"
    DEATH_CERTIFICATE = "death_certificate"


# Family card, ID and death certificate photos: only supervisors and auditors of the region
# may see them.
SENSITIVE_PHOTO_KINDS = frozenset(
    {PhotoKind.FAMILY_CARD, PhotoKind.HEAD_WITH_ID, PhotoKind.DEATH_CERTIFICATE}
)


def required_photo_kinds(outcome: Outcome) -> frozenset[PhotoKind]:
    """SPEC §5: house_front for every outcome but refused; inside and KK when found."""
    kinds: set[PhotoKind] = set()
    if outcome is not Outcome.REFUSED:
        kinds.add(PhotoKind.HOUSE_FRONT)
    if outcome is Outcome.FOUND:
        kinds |= {PhotoKind.HOUSE_INSIDE, PhotoKind.FAMILY_CARD}
    return frozenset(kinds)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GpsFix(Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    altitude_m: float | None = Field(default=None, ge=-500, le=9_000)
    fixed_at: AwareDatetime | None = None


class VisitGps(GpsFix):
    # Required by the phone when the fix is missing or worse than the threshold.
    poor_fix_reason: ShortText | None = None


class DeclaredPhoto(Strict):
    id: uuid.UUID
    kind: PhotoKind
    sha256: Sha256Hex
    size: int = Field(gt=0, le=10 * 1024 * 1024)
    captured_at: AwareDatetime
    gps: GpsFix | None = None
    width: int | None = Field(default=None, gt=0, le=20_000)
    height: int | None = Field(default=None, gt=0, le=20_000)


class FormRef(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    version: int = Field(ge=1, le=INT4_MAX)


class HouseholdProposal(Strict):
    """A household found in the field that is not in the register (filled with usulan_baru)."""

    village_code: Annotated[str, StringConstraints(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")]


class VisitSubmission(Strict):
    household_id: int | None = Field(default=None, ge=1, le=INT4_MAX)
    round_id: int = Field(ge=1, le=INT4_MAX)
    proposal: HouseholdProposal | None = None
    form: FormRef
    answers: dict[str, Any]
    outcome: Outcome
    eligibility: Eligibility | None = None
    started_at: AwareDatetime
    ended_at: AwareDatetime
    gps: VisitGps | None = None
    device_id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    app_version: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    # No fix at all (no satellites, GPS off): the phone says why instead of sending coordinates.
    gps_unavailable_reason: ShortText | None = None
    revisit_of: uuid.UUID | None = None
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None
    photos: list[DeclaredPhoto] = Field(default_factory=list, max_length=30)


class VisitState(StrEnum):
    SUBMITTED = "submitted"  # record in, photos pending
    COMPLETE = "complete"  # every declared photo verified and stored
    APPROVED = "approved"
    RETURNED = "returned"
    ESCALATED = "escalated"


class FlagOut(BaseModel):
    code: str
    severity: str
    message: dict[str, str]
    evidence: dict[str, Any]


class VisitReceipt(BaseModel):
    """What the phone needs to know: is the visit held, and which photos are still missing."""

    visit_id: uuid.UUID
    state: VisitState
    received_at: datetime
    missing_photos: list[uuid.UUID]
    content_hash: str


class PhotoOut(BaseModel):
    id: uuid.UUID
    kind: PhotoKind
    sha256: str
    size: int
    captured_at: datetime
    gps: GpsFix | None
    stored: bool
    width: int | None
    height: int | None


class VisitDetail(BaseModel):
    id: uuid.UUID
    household_id: int | None
    round_id: int
    region_code: str
    proposed_household: bool
    enumerator_id: int
    form: FormRef
    outcome: Outcome
    eligibility: Eligibility | None
    answers: dict[str, Any]
    started_at: datetime
    ended_at: datetime
    gps: VisitGps | None
    device_id: str
    app_version: str
    revisit_of: uuid.UUID | None
    note: str | None
    state: VisitState
    received_at: datetime
    completed_at: datetime | None
    content_hash: str
    photos: list[PhotoOut]
    missing_photos: list[uuid.UUID]
    flags: list[FlagOut]


class PhotoReceipt(BaseModel):
    photo_id: uuid.UUID
    visit_id: uuid.UUID
    sha256: str
    stored: bool
    visit_state: VisitState
    missing_photos: list[uuid.UUID]

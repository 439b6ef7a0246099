"""Bodies and answers of the civil-registry endpoints."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import msgspec
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from api.civil_registry.kinds import FindingKind

Digits16 = Annotated[str, StringConstraints(pattern=r"^\d{16}$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")]
EventId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{1,64}$")]
Text200 = Annotated[str, StringConstraints(max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventKind(StrEnum):
    DEATH = "death"
    BIRTH = "birth"
    MOVE_OUT = "move_out"
    MOVE_IN = "move_in"
    KK_SPLIT = "kk_split"
    KK_MERGE = "kk_merge"


class CivilEventIn(_Strict):
    id: EventId = Field(description="The sender's own id: a repeat with it is a no-op")
    kind: EventKind
    occurred_on: date
    region_code: RegionCode = Field(description="The person's village (for move_in: the new one)")
    nik: Digits16
    kk_number: Digits16 | None = None
    name: Text200 | None = None
    sex: Annotated[str, StringConstraints(pattern=r"^[12]$")] | None = None
    birth_date: date | None = None
    birth_place: Text200 | None = None
    destination: Text200 | None = Field(default=None, description="move_out: region code or words")
    new_kk_number: Digits16 | None = Field(default=None, description="kk_split / kk_merge")

    @model_validator(mode="after")
    def _details(self) -> CivilEventIn:
        if self.kind is EventKind.BIRTH and (not self.kk_number or not self.name):
            raise ValueError("a birth names the No. KK and the child's name")
        if self.kind in (EventKind.KK_SPLIT, EventKind.KK_MERGE) and not self.new_kk_number:
            raise ValueError("a KK split or merge names the new No. KK")
        if self.kind is EventKind.MOVE_IN and not self.kk_number:
            raise ValueError("a move in names the No. KK")
        return self


class EventBatch(_Strict):
    events: Annotated[list[CivilEventIn], Field(min_length=1, max_length=1000)]


class RefusedEvent(msgspec.Struct):
    id: str
    code: str  # region_forbidden | event_id_reused
    detail: str


class EventBatchResult(msgspec.Struct):
    accepted: int
    repeated: int
    refused: list[RefusedEvent]
    findings_new: int


class CredentialCreate(_Strict):
    name: Annotated[str, StringConstraints(min_length=2, max_length=120)]
    region_code: RegionCode = Field(description="The region whose events the key may push")


class CredentialOut(msgspec.Struct):
    id: int
    name: str
    region_code: str
    key_prefix: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class CredentialIssued(msgspec.Struct):
    credential: CredentialOut
    api_key: str  # shown once; only its SHA-256 is stored


class ImportJobOut(msgspec.Struct):
    id: int
    file_name: str
    state: str
    progress: int
    total: int | None
    unit: str
    summary: dict[str, Any]
    created_at: datetime
    finished_at: datetime | None


class ReconcileRequest(_Strict):
    region_code: RegionCode


class FindingOut(msgspec.Struct):
    id: int
    kind: str
    label: dict[str, str]
    household_id: int
    member_id: int | None
    member_name: str | None
    region_code: str
    evidence: str
    details: dict[str, Any]
    hint: str
    state: str
    opened_at: datetime
    closed_at: datetime | None
    closed_by_visit: str | None


class FindingPage(msgspec.Struct):
    items: list[FindingOut]
    next_after: int | None


class ReportRow(msgspec.Struct):
    region_code: str
    region_name: str
    counts: dict[str, int]  # by kind, open findings
    closed: dict[str, int]  # by state, closed findings
    households_with_open_findings: int


class ReconciliationReport(msgspec.Struct):
    region_code: str
    kinds: list[FindingKind]
    villages: list[ReportRow]
    total: ReportRow

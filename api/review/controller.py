"""HTTP for review: the queue and its counts, the visit detail, decisions, the trail.

Thin: parameters in, one service call, structs out. Region scoping happens inside every
service query; an object outside the caller's regions answers 404.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.params import Body, FromPath, FromQuery, Parameter, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from api.bounds import IdPath
from api.errors import DomainError
from api.registry import deciles
from api.review import access, service
from api.review.queries import QueueFilters
from api.review.schemas import (
    DecisionRequest,
    DecisionResult,
    HouseholdTrail,
    QueuePage,
    StateCounts,
)
from api.visits.schemas import Outcome, VisitState
from auth.guards import requires_role
from auth.roles import Principal

RegionParam = Annotated[
    str | None,
    Parameter(
        pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$",
        description="A Kemendagri code (regency, district or village): it and everything below.",
    ),
]
StateParam = Annotated[VisitState | None, QueryParameter(name="state")]
FlagParam = Annotated[
    str | None,
    Parameter(
        pattern=r"^[a-z][a-z0-9_]{0,39}$",
        description='A flag code (e.g. "gps_poor_accuracy"), or "flagged" for any flag.',
    ),
]
ReceivedParam = Annotated[
    datetime | None,
    Parameter(description="ISO 8601 date-time; without an offset it is read as UTC."),
]
DecileParam = Annotated[
    str | None,
    Parameter(pattern=deciles.SELECTION_PATTERN, description=deciles.SELECTION_DESCRIPTION),
]
IdParam = Annotated[int | None, Parameter(ge=1, le=2_147_483_647)]
CursorParam = Annotated[str | None, Parameter(max_length=200)]
Limit = Annotated[int, Parameter(ge=1, le=200)]
Order = Annotated[
    Literal["newest", "oldest"],
    Parameter(description="By received time; newest first unless asked."),
]


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+07:00 has no UTC moment
        raise DomainError(
            "The date-time is out of range.", code="invalid_request", status_code=400
        ) from None


def _filters(
    region: str | None,
    visit_state: VisitState | None,
    flag: str | None,
    enumerator_id: int | None,
    outcome: Outcome | None,
    received_from: datetime | None,
    received_to: datetime | None,
    round_id: int | None,
    decile: str | None,
) -> QueueFilters:
    return QueueFilters(
        region_code=region,
        state=visit_state.value if visit_state else None,
        flag=flag,
        enumerator_id=enumerator_id,
        outcome=outcome.value if outcome else None,
        received_from=_utc(received_from),
        received_to=_utc(received_to),
        round_id=round_id,
        decile=decile,
    )


class ReviewController(Controller):
    path = "/api/v1/visits"
    tags = ["review"]

    @get(
        "",
        guards=[requires_role(*access.READERS)],
        summary="The review queue: visits in my regions, filtered, newest received first",
    )
    async def review_queue(
        self,
        request: Request[Principal, Any, Any],
        region: RegionParam = None,
        visit_state: StateParam = None,
        flag: FlagParam = None,
        enumerator_id: IdParam = None,
        outcome: FromQuery[Outcome | None] = None,
        received_from: ReceivedParam = None,
        received_to: ReceivedParam = None,
        round_id: IdParam = None,
        decile: DecileParam = None,
        cursor: CursorParam = None,
        limit: Limit = 50,
        order: Order = "newest",
    ) -> QueuePage:
        filters = _filters(
            region,
            visit_state,
            flag,
            enumerator_id,
            outcome,
            received_from,
            received_to,
            round_id,
            decile,
        )
        return await service.queue(
            request.user, filters, cursor, limit, descending=order == "newest"
        )

    @get(
        "/counts",
        guards=[requires_role(*access.READERS)],
        summary="Visits per review state, for the queue's filters (all but state)",
    )
    async def review_counts(
        self,
        request: Request[Principal, Any, Any],
        region: RegionParam = None,
        flag: FlagParam = None,
        enumerator_id: IdParam = None,
        outcome: FromQuery[Outcome | None] = None,
        received_from: ReceivedParam = None,
        received_to: ReceivedParam = None,
        round_id: IdParam = None,
        decile: DecileParam = None,
    ) -> StateCounts:
        filters = _filters(
            region, None, flag, enumerator_id, outcome, received_from, received_to, round_id, decile
        )
        return await service.counts(request.user, filters)

    # GET /{visit_id} is the visit detail of api.visits.controller (one route, one detail
    # for the phone and reviewers); it is built by service.visit_detail of this module.

    @post(
        "/{visit_id:uuid}/decisions",
        status_code=HTTP_201_CREATED,
        guards=[requires_role(*access.DECIDERS)],
        summary="Approve, return (with a comment) or escalate (with a comment) a visit",
    )
    async def decide(
        self,
        request: Request[Principal, Any, Any],
        visit_id: FromPath[uuid.UUID],
        data: Annotated[DecisionRequest, Body()],
    ) -> DecisionResult:
        return await service.decide(request.user, visit_id, data)


class HouseholdTrailController(Controller):
    path = "/api/v1/households"
    tags = ["review"]
    guards = [requires_role(*access.READERS)]

    @get(
        "/{household_id:int}/trail",
        summary="A household's evidence trail: visits, photos, flags, decisions, audit events",
    )
    async def household_trail(
        self, request: Request[Principal, Any, Any], household_id: IdPath
    ) -> HouseholdTrail:
        return await service.household_trail(request.user, household_id)


REVIEW_CONTROLLERS = [ReviewController, HouseholdTrailController]

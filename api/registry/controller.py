"""HTTP for the register: regions, households, rounds, assignments (one controller each).

Thin: parameters in, one service call, structs out. The services are the per-resource
modules beside this one (``regions.py``, ``households.py``, ``rounds.py``,
``assignments.py``, ``sync.py``); region scoping happens inside every service query, and
an object outside the caller's regions answers 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import Body, FromPath, FromQuery, Parameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from api.bounds import CursorAfter, IdPath, IdQuery
from api.registry import assignments, deciles, households, regions, rounds, sync
from api.registry.households import HouseholdFilters
from api.registry.schemas import (
    AssignmentOut,
    AssignmentPage,
    AssignmentState,
    AssignRequest,
    AssignResult,
    HouseholdDetail,
    HouseholdPage,
    HouseholdRevealed,
    HouseholdSearch,
    HouseholdStatus,
    ProgressRow,
    ReassignRequest,
    RegionChild,
    RegionDetail,
    RegionOut,
    RoundCreate,
    RoundOut,
    RoundState,
    RoundUpdate,
    SyncResponse,
    UnassignRequest,
    UnassignResult,
)
from auth.guards import ANY_ROLE, SIGNED_IN, STAFF, requires_role
from auth.roles import Principal, Role

READERS = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)
Limit = Annotated[int, Parameter(ge=1, le=500)]
RtRwParam = Annotated[str | None, Parameter(pattern=r"^\d{1,3}$")]
RegionParam = Annotated[str | None, Parameter(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")]
DecileParam = Annotated[
    str | None,
    Parameter(pattern=deciles.SELECTION_PATTERN, description=deciles.SELECTION_DESCRIPTION),
]


class RegionsController(Controller):
    path = "/api/v1/regions"
    tags = ["regions"]
    guards = [requires_role(*SIGNED_IN)]

    @get("", summary="My regions (admins: provinces), or regions by name (?q=)")
    async def list_regions(
        self,
        request: Request[Principal, Any, Any],
        q: Annotated[str | None, Parameter(min_length=2, max_length=80)] = None,
        level: Annotated[
            str | None, Parameter(pattern=r"^(province|regency|district|village)$")
        ] = None,
    ) -> list[RegionOut]:
        return await regions.roots(request.user, q, level)

    @get("/{code:str}", summary="One region with the way down to it")
    async def get_region(
        self, request: Request[Principal, Any, Any], code: FromPath[str]
    ) -> RegionDetail:
        return await regions.detail(request.user, code)

    @get("/{code:str}/children", summary="The regions one level below (with household counts)")
    async def region_children(
        self,
        request: Request[Principal, Any, Any],
        code: FromPath[str],
        counts: FromQuery[bool] = False,
    ) -> list[RegionChild]:
        return await regions.children(request.user, code, counts)


class HouseholdsController(Controller):
    path = "/api/v1/households"
    tags = ["households"]
    guards = [requires_role(*READERS)]

    @get("", summary="Households in my regions (filters; NIKs and No. KK masked)")
    async def list_households(
        self,
        request: Request[Principal, Any, Any],
        region: RegionParam = None,
        rt: RtRwParam = None,
        rw: RtRwParam = None,
        status: FromQuery[HouseholdStatus | None] = None,
        round_id: IdQuery = None,
        assigned: FromQuery[bool | None] = None,
        decile: DecileParam = None,
        after: CursorAfter = None,
        limit: Limit = 50,
    ) -> HouseholdPage:
        filters = HouseholdFilters(
            region_code=region,
            rt=rt,
            rw=rw,
            status=status.value if status else None,
            round_id=round_id,
            assigned=assigned,
            decile=decile,
            after=after,
            limit=limit,
        )
        return await households.list_households(request.user, filters)

    # Personal data (a name, a NIK, a No. KK) is searched in a POST body, never in the URL:
    # URLs end up in proxy and server logs, browser history and Referer headers.
    @post("/search", status_code=HTTP_200_OK, summary="Search by name, NIK or No. KK (body)")
    async def search_households(
        self, request: Request[Principal, Any, Any], data: Annotated[HouseholdSearch, Body()]
    ) -> HouseholdPage:
        return await households.search_households(request.user, data)

    @get("/{household_id:int}", summary="One household: baseline answers, members, rounds")
    async def get_household(
        self, request: Request[Principal, Any, Any], household_id: IdPath
    ) -> HouseholdDetail:
        return await households.household_detail(request.user, household_id)

    @post(
        "/{household_id:int}/reveal",
        status_code=HTTP_200_OK,
        guards=[requires_role(*STAFF)],
        summary="Full No. KK and NIKs (audited)",
    )
    async def reveal_household(
        self, request: Request[Principal, Any, Any], household_id: IdPath
    ) -> HouseholdRevealed:
        return await households.reveal(request.user, household_id)


class RoundsController(Controller):
    path = "/api/v1/rounds"
    tags = ["rounds"]
    guards = [requires_role(*READERS)]

    @get("", summary="Verification rounds that touch my regions")
    async def list_rounds(
        self,
        request: Request[Principal, Any, Any],
        round_state: Annotated[RoundState | None, QueryParameter(name="state")] = None,
    ) -> list[RoundOut]:
        return await rounds.list_rounds(request.user, round_state)

    @post("", status_code=HTTP_201_CREATED, guards=[requires_role(*STAFF)], summary="New round")
    async def create_round(
        self, request: Request[Principal, Any, Any], data: Annotated[RoundCreate, Body()]
    ) -> RoundOut:
        return await rounds.create_round(request.user, data)

    @get("/{round_id:int}", summary="One round with its assignment counts (in my regions)")
    async def get_round(self, request: Request[Principal, Any, Any], round_id: IdPath) -> RoundOut:
        return await rounds.get_round(request.user, round_id)

    @patch("/{round_id:int}", guards=[requires_role(*STAFF)], summary="Rename, re-date, open/close")
    async def update_round(
        self,
        request: Request[Principal, Any, Any],
        round_id: IdPath,
        data: Annotated[RoundUpdate, Body()],
    ) -> RoundOut:
        return await rounds.update_round(request.user, round_id, data)

    @get("/{round_id:int}/progress", summary="Households and assignment states per region")
    async def round_progress(
        self,
        request: Request[Principal, Any, Any],
        round_id: IdPath,
        level: Annotated[str, Parameter(pattern=r"^(district|village)$")] = "village",
    ) -> list[ProgressRow]:
        return await rounds.progress(request.user, round_id, level)


class AssignmentsController(Controller):
    path = "/api/v1"
    tags = ["assignments"]
    guards = [requires_role(*ANY_ROLE)]

    @get(
        "/assignments",
        guards=[requires_role(Role.ENUMERATOR)],
        summary="My assignments for the phone (?since=CURSOR: only changes, with removals)",
    )
    async def download(
        self,
        request: Request[Principal, Any, Any],
        since: Annotated[str | None, Parameter(max_length=120)] = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 500,
    ) -> SyncResponse:
        return await sync.download(request.user, since, limit)

    @get("/assignments/{assignment_id:int}", summary="One assignment (enumerators: their own)")
    async def get_assignment(
        self, request: Request[Principal, Any, Any], assignment_id: IdPath
    ) -> AssignmentOut:
        return await assignments.get_assignment(request.user, assignment_id)

    @patch(
        "/assignments/{assignment_id:int}",
        guards=[requires_role(*STAFF)],
        summary="Reassign to another enumerator",
    )
    async def reassign(
        self,
        request: Request[Principal, Any, Any],
        assignment_id: IdPath,
        data: Annotated[ReassignRequest, Body()],
    ) -> AssignmentOut:
        return await assignments.reassign_one(request.user, assignment_id, data.enumerator_id)

    @delete(
        "/assignments/{assignment_id:int}",
        status_code=HTTP_204_NO_CONTENT,
        guards=[requires_role(*STAFF)],
        summary="Unassign",
    )
    async def unassign_one(
        self, request: Request[Principal, Any, Any], assignment_id: IdPath
    ) -> None:
        await assignments.unassign_one(request.user, assignment_id)

    @get(
        "/rounds/{round_id:int}/assignments",
        guards=[requires_role(*READERS)],
        summary="A round's assignments in my regions",
    )
    async def list_round_assignments(
        self,
        request: Request[Principal, Any, Any],
        round_id: IdPath,
        region: RegionParam = None,
        enumerator_id: IdQuery = None,
        assignment_state: Annotated[AssignmentState | None, QueryParameter(name="state")] = None,
        after: CursorAfter = None,
        limit: Limit = 100,
    ) -> AssignmentPage:
        return await assignments.list_for_round(
            request.user,
            round_id,
            region_code=region,
            enumerator_id=enumerator_id,
            state=assignment_state,
            after=after,
            limit=limit,
        )

    @post(
        "/rounds/{round_id:int}/assignments",
        status_code=HTTP_200_OK,
        guards=[requires_role(*STAFF)],
        summary="Assign households (ids, or a village / RW / RT) to an enumerator",
    )
    async def assign(
        self,
        request: Request[Principal, Any, Any],
        round_id: IdPath,
        data: Annotated[AssignRequest, Body()],
    ) -> AssignResult:
        return await assignments.assign(request.user, round_id, data)

    @post(
        "/rounds/{round_id:int}/assignments/unassign",
        status_code=HTTP_200_OK,
        guards=[requires_role(*STAFF)],
        summary="Unassign households (ids, or a village / RW / RT)",
    )
    async def unassign(
        self,
        request: Request[Principal, Any, Any],
        round_id: IdPath,
        data: Annotated[UnassignRequest, Body()],
    ) -> UnassignResult:
        return await assignments.unassign(request.user, round_id, data)


REGISTRY_CONTROLLERS = [
    RegionsController,
    HouseholdsController,
    RoundsController,
    AssignmentsController,
]

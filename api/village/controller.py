"""HTTP for the village's part of a round (staff): proposals, deliberations, public
reviews, the objection queue. Guards on the controllers; rules in the services."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, Parameter
from litestar.response import Stream
from litestar.status_codes import HTTP_201_CREATED

from api.reports.exports import Format
from api.reports.scope import Identity
from api.resources import resources_from_state
from api.village import deliberation, final_list, proposals, review
from api.village.access import OFFICE, VILLAGE_STAFF
from api.village.schemas import (
    DecisionCreate,
    DeliberationCreate,
    DeliberationOut,
    DeliberationUpdate,
    ObjectionOut,
    ProposalCreate,
    ProposalOut,
    PublishRequest,
    RatificationOut,
    ResolutionRequest,
    ReviewOut,
    VillageHouseholdOut,
    VillageRound,
)
from auth.guards import requires_role
from auth.roles import Principal

VillageParam = Annotated[
    str,
    Parameter(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$", description="Kemendagri village code."),
]
RoundParam = Annotated[int, Parameter(ge=1, le=2_147_483_647, description="Round id.")]
OptionalRound = Annotated[int | None, Parameter(ge=1, le=2_147_483_647)]
RtParam = Annotated[str | None, Parameter(pattern=r"^\d{1,3}$", description="RT number.")]
RegionFilter = Annotated[str | None, Parameter(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")]
StateFilter = Annotated[str | None, Parameter(pattern=r"^(open|accepted|rejected)$")]
IdentityParam = Annotated[Identity, Parameter(description="masked (default) or full")]
JSON = RequestEncodingType.JSON


class VillageProposalsController(Controller):
    path = "/api/v1/village-proposals"
    tags = ["village"]
    guards = [requires_role(*VILLAGE_STAFF)]

    @post("", status_code=HTTP_201_CREATED, summary="Register a proposal at the village office")
    async def create(
        self,
        request: Request[Principal, Any, Any],
        data: Annotated[ProposalCreate, Body(media_type=JSON)],
    ) -> ProposalOut:
        return await proposals.register(request.user, data)

    @get("", summary="Proposals of a village in a round (names masked)")
    async def list_proposals(
        self, request: Request[Principal, Any, Any], village: VillageParam, round_id: RoundParam
    ) -> list[ProposalOut]:
        return await proposals.list_for(request.user, village, round_id)

    @get("/households", summary="A village's active households, masked, to name in a removal")
    async def households(
        self, request: Request[Principal, Any, Any], village: VillageParam, rt: RtParam = None
    ) -> list[VillageHouseholdOut]:
        return await proposals.households_for(request.user, village, rt)

    @put(
        "/{proposal_id:int}/photos/{photo_id:uuid}",
        summary="Attach a photo of the proposal's evidence (JPEG, sealed; idempotent)",
        request_max_body_size=None,
    )
    async def put_photo(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        proposal_id: FromPath[int],
        photo_id: FromPath[uuid.UUID],
    ) -> Response[Any]:
        settings = resources_from_state(state).settings
        out, created = await proposals.add_photo(
            request.user,
            proposal_id,
            photo_id,
            request.stream(),
            content_type=request.headers.get("content-type", ""),
            store=resources_from_state(state).store,
            max_bytes=settings.max_photo_bytes,
            spool_dir=settings.spool_dir,
        )
        return Response(out, status_code=201 if created else 200)


class DeliberationsController(Controller):
    path = "/api/v1/deliberations"
    tags = ["village"]
    guards = [requires_role(*VILLAGE_STAFF)]

    @post("", status_code=HTTP_201_CREATED, summary="Record a village deliberation (musdes)")
    async def create(
        self,
        request: Request[Principal, Any, Any],
        data: Annotated[DeliberationCreate, Body(media_type=JSON)],
    ) -> DeliberationOut:
        return await deliberation.create(request.user, data)

    @get("", summary="Deliberations of a village")
    async def list_deliberations(
        self,
        request: Request[Principal, Any, Any],
        village: VillageParam,
        round_id: OptionalRound = None,
    ) -> list[DeliberationOut]:
        ids = await deliberation.list_for(request.user, village, round_id)
        return [await deliberation.detail(request.user, i) for i in ids]

    @get("/rounds", summary="The rounds covering a village (for choosing the deliberation's)")
    async def rounds_of_village(
        self, request: Request[Principal, Any, Any], village: VillageParam
    ) -> list[VillageRound]:
        return await deliberation.rounds_of(request.user, village)

    @get("/{deliberation_id:int}", summary="A deliberation with its agenda and decisions")
    async def get_deliberation(
        self, request: Request[Principal, Any, Any], deliberation_id: FromPath[int]
    ) -> DeliberationOut:
        return await deliberation.detail(request.user, deliberation_id)

    @patch("/{deliberation_id:int}", summary="Change date, place or attendance (until final)")
    async def update(
        self,
        request: Request[Principal, Any, Any],
        deliberation_id: FromPath[int],
        data: Annotated[DeliberationUpdate, Body(media_type=JSON)],
    ) -> DeliberationOut:
        return await deliberation.update(request.user, deliberation_id, data)

    @post(
        "/{deliberation_id:int}/decisions",
        status_code=HTTP_201_CREATED,
        summary="Decide an agenda item (after the signed minutes: an audited amendment)",
    )
    async def decide(
        self,
        request: Request[Principal, Any, Any],
        deliberation_id: FromPath[int],
        data: Annotated[DecisionCreate, Body(media_type=JSON)],
    ) -> DeliberationOut:
        return await deliberation.decide(request.user, deliberation_id, data)

    @get(
        "/{deliberation_id:int}/minutes.pdf",
        summary="The minutes (berita acara) for signing, as PDF",
        media_type="application/pdf",
    )
    async def minutes(
        self, request: Request[Principal, Any, Any], deliberation_id: FromPath[int]
    ) -> Response[bytes]:
        pdf, data = await deliberation.minutes_pdf(request.user, deliberation_id)
        name = f"berita-acara-musdes-{deliberation_id}.pdf"
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
                "X-Document-SHA256": data["sha256"],
            },
        )

    @put(
        "/{deliberation_id:int}/minutes/{page_id:uuid}",
        summary="Attach a photo of a signed minutes page (kind minutes); makes it final",
        request_max_body_size=None,
    )
    async def put_signed_page(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        deliberation_id: FromPath[int],
        page_id: FromPath[uuid.UUID],
    ) -> Response[Any]:
        resources = resources_from_state(state)
        out, created = await deliberation.attach_signed_page(
            request.user,
            deliberation_id,
            page_id,
            request.stream(),
            content_type=request.headers.get("content-type", ""),
            store=resources.store,
            max_bytes=resources.settings.max_photo_bytes,
            spool_dir=resources.settings.spool_dir,
        )
        return Response(out, status_code=201 if created else 200)


class PublicReviewsController(Controller):
    path = "/api/v1/public-reviews"
    tags = ["village"]
    guards = [requires_role(*VILLAGE_STAFF)]

    @post(
        "",
        status_code=HTTP_201_CREATED,
        guards=[requires_role(*OFFICE)],
        summary="Publish a village's list for public review (default 14 days)",
    )
    async def publish(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        data: Annotated[PublishRequest, Body(media_type=JSON)],
    ) -> ReviewOut:
        key = resources_from_state(state).settings.signing_key
        return await review.publish(request.user, data, key)

    @get("", summary="Public reviews of a village")
    async def list_reviews(
        self, request: Request[Principal, Any, Any], village: VillageParam
    ) -> list[ReviewOut]:
        return await review.reviews_of(request.user, village)

    @get("/{review_id:int}", summary="A public review: window, counts")
    async def get_review(
        self, request: Request[Principal, Any, Any], review_id: FromPath[int]
    ) -> ReviewOut:
        return await review.review_out(request.user, review_id)

    @post(
        "/{review_id:int}/ratification",
        guards=[requires_role(*OFFICE)],
        status_code=200,
        summary="Ratify after the window: agreed changes become register state changes",
    )
    async def ratify(
        self, request: Request[Principal, Any, Any], review_id: FromPath[int]
    ) -> RatificationOut:
        return await review.ratify(request.user, review_id)

    @get(
        "/{review_id:int}/final.csv",
        guards=[requires_role(*OFFICE)],
        summary="The ratified list (BNBA, SIKS-NG columns) as CSV",
        opt={"problem_statuses": (409,)},  # 409 review_not_ratified before ratification
    )
    async def final_csv(
        self,
        request: Request[Principal, Any, Any],
        review_id: FromPath[int],
        identity: IdentityParam = Identity.MASKED,
    ) -> Stream:
        return await _final(request, review_id, Format.CSV, identity)

    @get(
        "/{review_id:int}/final.xlsx",
        guards=[requires_role(*OFFICE)],
        summary="The ratified list (BNBA, SIKS-NG columns) as XLSX",
        opt={"problem_statuses": (409,)},  # 409 review_not_ratified before ratification
    )
    async def final_xlsx(
        self,
        request: Request[Principal, Any, Any],
        review_id: FromPath[int],
        identity: IdentityParam = Identity.MASKED,
    ) -> Stream:
        return await _final(request, review_id, Format.XLSX, identity)


async def _final(
    request: Request[Principal, Any, Any], review_id: int, fmt: Format, identity: Identity
) -> Stream:
    body, name = await final_list.final_list(request.user, review_id, fmt, identity)
    return Stream(
        body,
        media_type=final_list.MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


class ObjectionsController(Controller):
    path = "/api/v1/objections"
    tags = ["village"]
    guards = [requires_role(*OFFICE)]

    @get("", summary="The objection queue of the caller's regions")
    async def list_objections(
        self,
        request: Request[Principal, Any, Any],
        region: RegionFilter = None,
        status: StateFilter = None,
    ) -> list[ObjectionOut]:
        return await review.queue(request.user, region, status)

    @post(
        "/{objection_id:int}/resolution",
        status_code=200,
        summary="Accept (a revisit is assigned) or reject (with a reason) an objection",
    )
    async def resolve(
        self,
        request: Request[Principal, Any, Any],
        objection_id: FromPath[int],
        data: Annotated[ResolutionRequest, Body(media_type=JSON)],
    ) -> ObjectionOut:
        return await review.resolve(request.user, objection_id, data)


VILLAGE_CONTROLLERS = [
    VillageProposalsController,
    DeliberationsController,
    PublicReviewsController,
    ObjectionsController,
]

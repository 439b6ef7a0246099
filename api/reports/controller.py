"""HTTP for the offices' outputs: minutes PDF, register exports, GeoJSON, progress.

Supervisors and admins of the region may have everything; auditors read everything
with masked identity numbers; enumerators none of it (403). A region outside the
caller's scope answers 404. Every download is written to the audit log first.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, Parameter, QueryParameter
from litestar.response import Stream

from api.errors import NotFound
from api.registry import deciles
from api.reports import service
from api.reports.exports import Dataset, Format, Only
from api.reports.links import LINK_CONTROLLERS
from api.reports.minutes import MinutesOptions
from api.reports.progress import ProgressReport
from api.reports.responses import streamed_attachment, whole_attachment
from api.reports.scope import READERS, Identity
from auth.guards import requires_role
from auth.roles import Principal

RegionParam = Annotated[
    str,
    Parameter(
        pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$",
        description="Kemendagri code of the region (province, regency, district or village).",
    ),
]
RoundParam = Annotated[
    int, QueryParameter(name="round", ge=1, le=2_147_483_647, description="Verification round id.")
]
IdentityParam = Annotated[
    Identity,
    Parameter(
        description="How NIK and No. KK appear: masked (default), or full for supervisors "
        "and admins of the region (for re-entry into SIKS-NG).",
    ),
]
OnlyParam = Annotated[
    Only, Parameter(description="all households, those visited in the round, or approved ones.")
]
ShortText = Annotated[str | None, Parameter(max_length=120)]
DecileParam = Annotated[
    str | None,
    Parameter(pattern=deciles.SELECTION_PATTERN, description=deciles.SELECTION_DESCRIPTION),
]


async def _export(
    request: Request[Principal, Any, Any],
    region: str,
    round_id: int,
    dataset: Dataset,
    fmt: Format,
    identity: Identity,
    only: Only,
) -> Stream:
    export = await service.export_file(request.user, region, round_id, dataset, fmt, identity, only)
    return streamed_attachment(export)


class ReportsController(Controller):
    path = "/api/v1/reports"
    tags = ["reports"]
    guards = [requires_role(*READERS)]

    @get("/progress", summary="Progress of a round in a region, per village and per enumerator")
    async def region_progress(
        self,
        request: Request[Principal, Any, Any],
        region: RegionParam,
        round_id: RoundParam,
        decile: DecileParam = None,
    ) -> ProgressReport:
        return await service.region_progress(request.user, region, round_id, decile)

    @get(
        "/minutes/{filename:str}",
        summary="Berita acara of a village (PDF): GET /reports/minutes/{village_code}.pdf",
        media_type="application/pdf",
    )
    async def village_minutes(
        self,
        request: Request[Principal, Any, Any],
        filename: FromPath[str],
        round_id: RoundParam,
        on: Annotated[date | None, QueryParameter(name="date")] = None,
        place: ShortText = None,
        village_head: ShortText = None,
        supervisor: ShortText = None,
    ) -> Response[bytes]:
        village = filename.removesuffix(".pdf")
        if village == filename or village.count(".") != 3:
            raise NotFound("Minutes are at /reports/minutes/{village_code}.pdf.", code="not_found")
        options = MinutesOptions(
            on=on, place=place, village_head=village_head, supervisor=supervisor
        )
        document = await service.village_minutes(request.user, village, round_id, options)
        return whole_attachment(document, media_type="application/pdf")

    @get("/exports/households.csv", summary="Households and visit results (CSV, SIKS-NG columns)")
    async def households_csv(
        self,
        request: Request[Principal, Any, Any],
        region: RegionParam,
        round_id: RoundParam,
        identity: IdentityParam = Identity.MASKED,
        only: OnlyParam = Only.ALL,
    ) -> Stream:
        return await _export(
            request, region, round_id, Dataset.HOUSEHOLDS, Format.CSV, identity, only
        )

    @get("/exports/households.xlsx", summary="Households and visit results (XLSX, SIKS-NG columns)")
    async def households_xlsx(
        self,
        request: Request[Principal, Any, Any],
        region: RegionParam,
        round_id: RoundParam,
        identity: IdentityParam = Identity.MASKED,
        only: OnlyParam = Only.ALL,
    ) -> Stream:
        return await _export(
            request, region, round_id, Dataset.HOUSEHOLDS, Format.XLSX, identity, only
        )

    @get("/exports/members.csv", summary="Members of the households with their presence (CSV)")
    async def members_csv(
        self,
        request: Request[Principal, Any, Any],
        region: RegionParam,
        round_id: RoundParam,
        identity: IdentityParam = Identity.MASKED,
        only: OnlyParam = Only.ALL,
    ) -> Stream:
        return await _export(request, region, round_id, Dataset.MEMBERS, Format.CSV, identity, only)

    @get("/exports/members.xlsx", summary="Members of the households with their presence (XLSX)")
    async def members_xlsx(
        self,
        request: Request[Principal, Any, Any],
        region: RegionParam,
        round_id: RoundParam,
        identity: IdentityParam = Identity.MASKED,
        only: OnlyParam = Only.ALL,
    ) -> Stream:
        return await _export(
            request, region, round_id, Dataset.MEMBERS, Format.XLSX, identity, only
        )

    @get(
        "/visits.geojson",
        summary="Visits of a round as a GeoJSON FeatureCollection (no personal data)",
    )
    async def visits_geojson(
        self, request: Request[Principal, Any, Any], region: RegionParam, round_id: RoundParam
    ) -> Stream:
        geojson = await service.visits_geojson(request.user, region, round_id)
        return streamed_attachment(geojson)


REPORT_CONTROLLERS = [ReportsController, *LINK_CONTROLLERS]
